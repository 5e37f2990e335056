import type { Service, TaskSet } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { computedDesiredCount, withStability } from "../../../../core/model/taskSet.ts";

const service = (desiredCount: number, status = "ACTIVE"): Service => ({ desiredCount, status });
const scaled = (value: number, status = "ACTIVE"): TaskSet => ({ scale: { value, unit: "PERCENT" }, status });

describe("a task set's computedDesiredCount", () => {
  it("is the service's desired count times the scale, always rounded up", () => {
    expect(computedDesiredCount(service(3), scaled(50))).toBe(2);
    expect(computedDesiredCount(service(10), scaled(12))).toBe(2);
    expect(computedDesiredCount(service(3), scaled(33.33))).toBe(1);
    expect(computedDesiredCount(service(4), scaled(100))).toBe(4);
    expect(computedDesiredCount(service(4), scaled(0))).toBe(0);
  });

  it("is not pushed up by floating point where the product is whole", () => {
    // 10 × 70 / 100 and 100 × 7 / 100 are 7, whatever 0.07 and 0.7 come out as in binary.
    expect(computedDesiredCount(service(10), scaled(70))).toBe(7);
    expect(computedDesiredCount(service(100), scaled(7))).toBe(7);
    expect(computedDesiredCount(service(3), scaled(100 / 3))).toBe(1);
  });

  it("is 0 for a DRAINING task set, and for a service being deleted", () => {
    expect(computedDesiredCount(service(4), scaled(100, "DRAINING"))).toBe(0);
    expect(computedDesiredCount(service(4, "DRAINING"), scaled(100))).toBe(0);
  });
});

describe("a task set's stability", () => {
  it("moves stabilityStatusAt only when the status changes", () => {
    const then = new Date(1000);
    const now = new Date(2000);
    const steady: TaskSet = { stabilityStatus: "STEADY_STATE", stabilityStatusAt: then };
    expect(withStability(steady, true, now)).toBe(steady);
    expect(withStability(steady, false, now)).toEqual({ stabilityStatus: "STABILIZING", stabilityStatusAt: now });
  });
});
