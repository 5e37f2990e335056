import { describe, expect, it } from "vitest";
import { chunks } from "../../../../core/events/entries.ts";

describe("chunks", () => {
  it("splits into calls of at most 10 entries, in order", () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    expect(chunks(items).map((c) => c.length)).toEqual([10, 10, 3]);
    expect(chunks(items).flat()).toEqual(items);
  });
});
