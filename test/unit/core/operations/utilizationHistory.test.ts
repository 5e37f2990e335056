import { describe, expect, it } from "vitest";
import type { ActionContext } from "../../../../core/operations/context.ts";
import {
  historyWindowMs,
  SLOTS,
  samplePeriodMs,
  slotOf,
  startsPeriod,
  withinWindow,
} from "../../../../core/operations/utilizationHistory.ts";

const MINUTE = 60_000;
const sample = (at: number) => ({ at, cpuPercent: 1, memoryUsedMiB: 1, memoryTotalMiB: 2 });

describe("the utilization history's ring", () => {
  it("samples once a minute for an hour at the default heartbeat, and scales with the interval", () => {
    const ctx = {} as ActionContext;
    expect(samplePeriodMs(ctx)).toBe(MINUTE);
    expect(historyWindowMs(ctx)).toBe(60 * MINUTE);
    const fast = { agentHeartbeatIntervalMs: 2_000 } as ActionContext;
    expect(samplePeriodMs(fast)).toBe(12_000);
    expect(historyWindowMs(fast)).toBe(SLOTS * 12_000);
  });

  it("maps each period to a slot, wrapping after SLOTS periods", () => {
    const base = 1_000_000 * MINUTE;
    expect(slotOf(base, MINUTE)).toBe(slotOf(base + MINUTE - 1, MINUTE));
    expect(slotOf(base + MINUTE, MINUTE)).toBe((slotOf(base, MINUTE) + 1) % SLOTS);
    expect(slotOf(base + SLOTS * MINUTE, MINUTE)).toBe(slotOf(base, MINUTE));
    const slots = new Set(Array.from({ length: SLOTS }, (_, i) => slotOf(base + i * MINUTE, MINUTE)));
    expect(slots.size).toBe(SLOTS);
  });

  it("takes the first beat of each period, and the first beat ever", () => {
    const start = 7 * MINUTE;
    expect(startsPeriod(start + 5_000, undefined, MINUTE)).toBe(true);
    expect(startsPeriod(start + 15_000, start + 5_000, MINUTE)).toBe(false);
    expect(startsPeriod(start + MINUTE + 1_000, start + 55_000, MINUTE)).toBe(true);
    // A beat after a silence longer than the ring still starts a period.
    expect(startsPeriod(start + 2 * SLOTS * MINUTE, start, MINUTE)).toBe(true);
  });

  it("keeps the window's samples, oldest first, and drops those a round older or from the future", () => {
    const now = 100 * MINUTE;
    const window = 60 * MINUTE;
    const kept = [sample(now - 30 * MINUTE), sample(now - 59 * MINUTE), sample(now)];
    const stale = [sample(now - 60 * MINUTE), sample(now - 90 * MINUTE), sample(now + 1)];
    expect(withinWindow([...stale, ...kept], now, window)).toEqual([
      sample(now - 59 * MINUTE),
      sample(now - 30 * MINUTE),
      sample(now),
    ]);
  });
});
