import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { failureStats, isFailedStart, isHealthy } from "../../../../core/services/observe.ts";

const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);

describe("what the scheduler reads off tasks", () => {
  it("counts a task healthy when RUNNING, and HEALTHY too when it has health checks", () => {
    const running: Task = { lastStatus: "RUNNING", desiredStatus: "RUNNING", containers: [{ name: "a" }] };
    expect(isHealthy(running)).toBe(true);
    const checked = { ...running, containers: [{ name: "a", healthStatus: "UNKNOWN" as const }] };
    expect(isHealthy(checked)).toBe(false);
    expect(isHealthy({ ...checked, healthStatus: "HEALTHY" })).toBe(true);
    expect(isHealthy({ ...running, desiredStatus: "STOPPED" })).toBe(false);
  });

  it("counts failed starts, not stops the scheduler or a user asked for, nor tasks that ran", () => {
    const stopped = (startedBy: string, s: number, over: Partial<Task> = {}): Task => ({
      startedBy,
      lastStatus: "STOPPED",
      stopCode: "TaskFailedToStart",
      stoppedAt: at(s),
      ...over,
    });
    const tasks = [
      stopped("d", 1),
      stopped("d", 2, { stopCode: "ServiceSchedulerInitiated" }),
      stopped("d", 3, { stopCode: "UserInitiated" }),
      { startedBy: "d", lastStatus: "RUNNING", startedAt: at(4) },
      stopped("d", 5),
      stopped("d", 6, { stopCode: "EssentialContainerExited", startedAt: at(5) }),
      stopped("d", 7),
      stopped("other", 8),
    ];
    expect(tasks.map((t) => isFailedStart(t))).toEqual([true, false, false, false, true, false, true, true]);
    // While the deployment rolls out, the one that exited after it started (at 6 s) counts too.
    expect(tasks.map((t) => isFailedStart(t, true))).toEqual([true, false, false, false, true, true, true, true]);
    // A task the scheduler stopped because it failed its container health checks counts, as on ECS.
    const unhealthy = stopped("d", 9, {
      stopCode: "ServiceSchedulerInitiated",
      healthStatus: "UNHEALTHY",
      startedAt: at(8),
    });
    expect(isFailedStart(unhealthy)).toBe(true);
    // So does one it stopped because its load balancer targets failed their health checks.
    const elbUnhealthy = stopped("d", 9, {
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:…)",
      startedAt: at(8),
    });
    expect(isFailedStart(elbUnhealthy)).toBe(true);
    expect(isFailedStart({ ...elbUnhealthy, stoppedReason: "Scaling activity initiated by (deployment d)" })).toBe(
      false,
    );
    // Consecutive: those that stopped after the last task that started fine did (at 5 s): the one at 7 s.
    expect(failureStats(tasks, "d")).toEqual({
      failedTasks: 3,
      consecutiveFailures: 1,
      lastFailureAt: at(7).getTime(),
    });
    // In progress, after the RUNNING one started (at 4 s): those at 5, 6 and 7 s.
    expect(failureStats(tasks, "d", true)).toEqual({
      failedTasks: 4,
      consecutiveFailures: 3,
      lastFailureAt: at(7).getTime(),
    });
  });
});
