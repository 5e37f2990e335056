import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../../../core/model/records.ts";
import { serviceUtilization } from "../../../../core/model/serviceUtilization.ts";

const task = (arn: string, cpu: number, memory: number, lastStatus = "RUNNING") =>
  ({
    task: { taskArn: arn, lastStatus },
    reservation: { cpu, memory, ports: [], udpPorts: [] },
  }) as unknown as TaskRecord;

describe("a service's average utilization", () => {
  it("is what its running tasks use over what they reserve, as ECS defines it (1,024 units a core)", () => {
    const tasks = [task("a", 512, 256), task("b", 512, 256), task("c", 512, 256, "PENDING")];
    const measured = new Map([
      ["a", { taskArn: "a", cpuPercent: 50, memoryMiB: 128 }],
      ["b", { taskArn: "b", cpuPercent: 0, memoryMiB: 64 }],
      ["c", { taskArn: "c", cpuPercent: 100, memoryMiB: 256 }],
    ]);
    // a uses 512 units of 512, b none: 50 %; memory 192 of 512 MiB: 37.5 %. c is not running yet.
    expect(serviceUtilization(tasks, measured)).toEqual({ cpu: 50, memory: 37.5, measured: 2 });
  });

  it("leaves a metric out when no measured task reserves any of it, and unmeasured tasks out", () => {
    const measured = new Map([["a", { taskArn: "a", cpuPercent: 50, memoryMiB: 10 }]]);
    expect(serviceUtilization([task("a", 0, 128), task("b", 256, 128)], measured)).toEqual({
      cpu: undefined,
      memory: (100 * 10) / 128,
      measured: 1,
    });
  });
});
