import { describe, expect, it } from "vitest";
import { circuitBreakerThreshold, deploymentBounds, startBackoffMs } from "../../../../core/services/bounds.ts";

describe("deployment arithmetic", () => {
  it.each([
    [3, 100, 200, 3, 6],
    [3, 50, 150, 2, 4],
    [4, 50, 100, 2, 4],
    [1, 0, 100, 0, 1],
    [10, 33, 125, 4, 12],
  ])("desired %i at %i%%..%i%% keeps %i healthy and runs at most %i", (desired, min, max, floor, ceiling) => {
    expect(deploymentBounds(desired, min, max)).toEqual({ minHealthy: floor, maxRunning: ceiling });
  });

  it.each([
    [1, 10],
    [30, 15],
    [1000, 200],
  ])("trips the circuit breaker for %i desired after %i failures", (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });

  it("backs off exponentially up to 15 minutes", () => {
    expect([0, 1, 2, 3].map((n) => startBackoffMs(n))).toEqual([0, 10_000, 20_000, 40_000]);
    expect(startBackoffMs(50)).toBe(15 * 60_000);
  });
});
