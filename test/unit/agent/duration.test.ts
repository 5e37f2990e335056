import { describe, expect, it } from "vitest";
import { parseGoDuration } from "../../../agent/duration.ts";

describe("Go durations", () => {
  it.each<[string, number | undefined]>([
    ["0", 0],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["300ms", 300],
    ["10us", 0.01],
    ["", undefined],
    ["30", undefined],
    ["s", undefined],
    ["1h 30m", undefined],
    ["-5s", undefined],
    ["5d", undefined],
  ])("%j", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
