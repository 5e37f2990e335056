import { describe, expect, it } from "vitest";
import { latestOccurrence, parseSchedule, type Schedule } from "../../../../core/model/schedule.ts";

const ms = (iso: string) => Date.parse(iso);
const parsed = (expression: string) => parseSchedule(expression) as Schedule;

describe("scheduled actions' schedules", () => {
  it("parses at, rate and cron, and says what is wrong with anything else", () => {
    expect(parseSchedule("at(2026-12-24T18:00:00)")).toEqual({ kind: "at", at: "2026-12-24T18:00:00" });
    expect(parseSchedule("rate(5 minutes)")).toEqual({ kind: "rate", periodMs: 300_000 });
    expect(parseSchedule("rate(1 day)")).toEqual({ kind: "rate", periodMs: 86_400_000 });
    expect(parseSchedule("cron(0 9 ? * MON-FRI *)")).toMatchObject({ kind: "cron" });
    expect(parseSchedule("rate(0 minutes)")).toMatch(/^Schedule must be/);
    expect(parseSchedule("every day")).toMatch(/^Schedule must be/);
    expect(parseSchedule("cron(0 9 * *)")).toMatch(/6 fields/);
    expect(parseSchedule("cron(0 9 L * ? *)")).toMatch(/Unsupported cron field 'L'/);
    expect(parseSchedule("cron(0 25 * * ? *)")).toMatch(/Unsupported cron field '25'/);
  });

  it("an at() is due once its wall-clock time in the zone has come, if it had not when last checked", () => {
    const at = parsed("at(2026-12-24T18:00:00)");
    expect(latestOccurrence(at, ms("2026-12-24T17:00:00Z"), ms("2026-12-24T17:59:59Z"), 0)).toBeUndefined();
    expect(latestOccurrence(at, ms("2026-12-24T17:00:00Z"), ms("2026-12-24T18:00:01Z"), 0)).toBe(
      ms("2026-12-24T18:00:01Z"),
    );
    expect(latestOccurrence(at, ms("2026-12-24T18:00:01Z"), ms("2026-12-24T19:00:00Z"), 0)).toBeUndefined();
    // 18:00 in New York is 23:00 UTC.
    const ny = (now: string) => latestOccurrence(at, ms("2026-12-24T12:00:00Z"), ms(now), 0, "America/New_York");
    expect(ny("2026-12-24T22:59:00Z")).toBeUndefined();
    expect(ny("2026-12-24T23:00:00Z")).toBe(ms("2026-12-24T23:00:00Z"));
  });

  it("a rate() is due every period from its anchor", () => {
    const rate = parsed("rate(10 minutes)");
    const anchor = ms("2026-12-01T00:00:00Z");
    expect(latestOccurrence(rate, anchor, ms("2026-12-01T00:09:59Z"), anchor)).toBeUndefined();
    expect(latestOccurrence(rate, anchor, ms("2026-12-01T00:25:00Z"), anchor)).toBe(ms("2026-12-01T00:20:00Z"));
    expect(latestOccurrence(rate, ms("2026-12-01T00:20:00Z"), ms("2026-12-01T00:25:00Z"), anchor)).toBeUndefined();
  });

  it("a cron() is due at its latest matching minute since it last ran, in its zone", () => {
    const weekdays = parsed("cron(0/15 9 ? * MON-FRI *)");
    // 2026-12-04 is a Friday, 2026-12-05 a Saturday.
    expect(latestOccurrence(weekdays, ms("2026-12-04T08:00:00Z"), ms("2026-12-04T09:20:00Z"), 0)).toBe(
      ms("2026-12-04T09:15:00Z"),
    );
    expect(latestOccurrence(weekdays, ms("2026-12-04T09:15:00Z"), ms("2026-12-04T09:20:00Z"), 0)).toBeUndefined();
    expect(latestOccurrence(weekdays, ms("2026-12-05T08:00:00Z"), ms("2026-12-05T09:20:00Z"), 0)).toBeUndefined();
    const tokyo = parsed("cron(0 9 * * ? *)");
    // 09:00 in Tokyo is 00:00 UTC.
    expect(latestOccurrence(tokyo, ms("2026-12-03T23:00:00Z"), ms("2026-12-04T00:30:00Z"), 0, "Asia/Tokyo")).toBe(
      ms("2026-12-04T00:00:00Z"),
    );
  });
});
