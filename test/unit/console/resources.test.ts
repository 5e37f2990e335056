import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { capacityOf, totalCapacity } from "../../../console/src/resources.ts";

const resources = (cpu: number, memory: number) => [
  { name: "CPU", type: "INTEGER", integerValue: cpu },
  { name: "MEMORY", type: "INTEGER", integerValue: memory },
];
const instance = (remainingCpu: number, remainingMemory: number): ContainerInstance => ({
  registeredResources: resources(2048, 4096),
  remainingResources: resources(remainingCpu, remainingMemory),
});

describe("capacity", () => {
  it("counts reserved as registered minus remaining, and used from the heartbeat's host figures", () => {
    const capacity = capacityOf(instance(1536, 3072), {
      containerInstanceArn: "a",
      agentConnected: true,
      cpuPercent: 25,
      memoryUsedMiB: 900,
      tasks: [],
    });
    expect(capacity).toEqual({
      cpu: { total: 2048, reserved: 512, used: 512 },
      memory: { total: 4096, reserved: 1024, used: 900 },
    });
  });

  it("leaves used unknown until a heartbeat reports it, and sums what is known", () => {
    const unmeasured = capacityOf(instance(2048, 4096));
    expect(unmeasured.cpu.used).toBeUndefined();
    expect(totalCapacity([unmeasured, unmeasured]).cpu).toEqual({ total: 4096, reserved: 0 });
    const measured = capacityOf(instance(1024, 4096), {
      containerInstanceArn: "b",
      agentConnected: true,
      cpuPercent: 50,
      memoryUsedMiB: 100,
      tasks: [],
    });
    expect(totalCapacity([unmeasured, measured]).cpu).toEqual({ total: 4096, reserved: 1024, used: 1024 });
  });
});
