import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../../../core/model/records.ts";
import { CRASH_UPTIME_MS, crashesByInstance, isCrash, retryAfter } from "../../../../core/services/crashLoop.ts";

const T0 = 1_700_000_000_000;
const at = (ms: number) => new Date(T0 + ms);

/** A task that ran from `start` to `stop` (ms after T0) and exited on its own. */
const exited = (start: number | undefined, stop: number, over: Partial<Task> = {}): Task => ({
  startedBy: "d",
  lastStatus: "STOPPED",
  desiredStatus: "STOPPED",
  stopCode: "EssentialContainerExited",
  startedAt: start === undefined ? undefined : at(start),
  stoppedAt: at(stop),
  ...over,
});

const record = (id: string, instance: string, task: Task) =>
  ({ id, cluster: "c", containerInstanceId: instance, task }) as TaskRecord;

describe("crash loops", () => {
  it("counts a task that never ran, or exited within a minute of starting, as a crash", () => {
    expect(isCrash(exited(undefined, 1000, { stopCode: "TaskFailedToStart" }))).toBe(true);
    expect(isCrash(exited(0, 500))).toBe(true);
    expect(isCrash(exited(0, CRASH_UPTIME_MS - 1))).toBe(true);
  });

  it("does not count a task that ran for a while, nor one the scheduler or a user stopped", () => {
    expect(isCrash(exited(0, CRASH_UPTIME_MS + 1))).toBe(false);
    expect(isCrash(exited(0, 500, { stopCode: "ServiceSchedulerInitiated" }))).toBe(false);
    expect(isCrash(exited(0, 500, { stopCode: "UserInitiated" }))).toBe(false);
    expect(isCrash({ ...exited(0, 500), lastStatus: "RUNNING", desiredStatus: "RUNNING" })).toBe(false);
  });

  it("keeps a streak per instance, for the primary deployment only, reset by a task that ran", () => {
    const tasks = [
      record("1", "a", exited(0, 100)),
      record("2", "a", exited(1000, 1100)),
      record("3", "a", exited(2000, 2100)),
      record("4", "b", exited(0, 100)),
      record("5", "b", exited(1000, 1000 + 2 * CRASH_UPTIME_MS)),
      record("6", "c", exited(0, 100, { startedBy: "old" })),
    ];
    const streaks = crashesByInstance(tasks, "d");
    expect(streaks.get("a")).toEqual({ consecutiveFailures: 3, lastFailureAt: T0 + 2100 });
    expect(streaks.get("b")).toEqual({ consecutiveFailures: 0, lastFailureAt: undefined });
    expect(streaks.has("c")).toBe(false);
  });

  it("waits the back-off after the last crash, doubling with each", () => {
    expect(retryAfter(undefined, 1000)).toBeUndefined();
    expect(retryAfter({ consecutiveFailures: 0 }, 1000)).toBeUndefined();
    expect(retryAfter({ consecutiveFailures: 1, lastFailureAt: 5000 }, 1000)).toBe(6000);
    expect(retryAfter({ consecutiveFailures: 3, lastFailureAt: 5000 }, 1000)).toBe(9000);
  });
});
