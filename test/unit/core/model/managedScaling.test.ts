import { describe, expect, it } from "vitest";
import { instancesForWaiting, reservation, scaledCapacity } from "../../../../core/model/managedScaling.ts";

const base = {
  targetCapacity: 100,
  minimumScalingStepSize: 1,
  maximumScalingStepSize: 10_000,
  minSize: 0,
  maxSize: 100,
  warming: 0,
  unregistered: 0,
};

describe("managed scaling", () => {
  it("reports the CapacityProviderReservation metric as M / N × 100 (200 with tasks and no instance)", () => {
    expect(reservation(3, 4)).toBe(75);
    expect(reservation(0, 0)).toBe(100);
    expect(reservation(2, 0)).toBe(200);
  });

  it("sizes the group so the metric meets the target capacity", () => {
    expect(scaledCapacity({ ...base, inService: 2, needed: 3, desiredCapacity: 2 })).toBe(3);
    // 90 %: 9 instances needed → 10 in service.
    expect(scaledCapacity({ ...base, targetCapacity: 90, inService: 9, needed: 9, desiredCapacity: 9 })).toBe(10);
    expect(scaledCapacity({ ...base, inService: 5, needed: 2, desiredCapacity: 5 })).toBe(2);
    expect(scaledCapacity({ ...base, inService: 3, needed: 3, desiredCapacity: 3 })).toBe(3);
  });

  it("scales out by at least the minimum and at most the maximum step; scale-in is not bounded by them", () => {
    expect(scaledCapacity({ ...base, minimumScalingStepSize: 3, inService: 2, needed: 3, desiredCapacity: 2 })).toBe(5);
    expect(scaledCapacity({ ...base, maximumScalingStepSize: 2, inService: 0, needed: 10, desiredCapacity: 0 })).toBe(
      2,
    );
    expect(scaledCapacity({ ...base, minimumScalingStepSize: 3, inService: 6, needed: 1, desiredCapacity: 6 })).toBe(1);
  });

  it("waits for warming instances before scaling out again, and keeps within the group's bounds", () => {
    expect(scaledCapacity({ ...base, warming: 1, inService: 2, needed: 4, desiredCapacity: 3 })).toBe(3);
    expect(scaledCapacity({ ...base, warming: 1, inService: 4, needed: 1, desiredCapacity: 4 })).toBe(1);
    expect(scaledCapacity({ ...base, maxSize: 3, inService: 2, needed: 8, desiredCapacity: 2 })).toBe(3);
    expect(scaledCapacity({ ...base, minSize: 1, inService: 2, needed: 0, desiredCapacity: 2 })).toBe(1);
  });

  it("does not scale in while an instance in service is not registered (what it holds is unknown)", () => {
    expect(scaledCapacity({ ...base, inService: 3, needed: 1, desiredCapacity: 3, unregistered: 1 })).toBe(3);
    // A scale-out still goes ahead.
    expect(scaledCapacity({ ...base, inService: 3, needed: 4, desiredCapacity: 3, unregistered: 1 })).toBe(4);
  });
});

describe("instances for tasks waiting for capacity", () => {
  const task = (cpu: number, memory: number, ports: number[] = []) => ({ cpu, memory, ports, udpPorts: [] });
  const instance = { cpu: 2048, memory: 4096 };

  it("packs each group of like tasks onto empty instances by its scarcest resource", () => {
    expect(instancesForWaiting([], instance)).toBe(0);
    expect(
      instancesForWaiting(
        Array.from({ length: 4 }, () => task(0, 1024)),
        instance,
      ),
    ).toBe(1);
    expect(
      instancesForWaiting(
        Array.from({ length: 5 }, () => task(0, 1024)),
        instance,
      ),
    ).toBe(2);
    // CPU is the scarcer here: two a instance.
    expect(
      instancesForWaiting(
        Array.from({ length: 5 }, () => task(1024, 512)),
        instance,
      ),
    ).toBe(3);
    // Two groups, each on instances of its own.
    expect(instancesForWaiting([task(0, 1024), task(0, 2048)], instance)).toBe(2);
  });

  it("gives a task with a fixed host port an instance of its own, and leaves out a task no instance holds", () => {
    expect(instancesForWaiting([task(0, 128, [80]), task(0, 128, [80])], instance)).toBe(2);
    expect(instancesForWaiting([task(0, 8192), task(0, 1024)], instance)).toBe(1);
  });
});
