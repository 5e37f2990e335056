import type { Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { advanceTask, essentialExit, requestStop, updateContainer } from "../../../../core/model/taskState.ts";

const now = new Date("2026-01-01T00:00:00Z");
const pending = (): Task => ({
  lastStatus: "PENDING",
  desiredStatus: "RUNNING",
  version: 1,
  containers: [
    { name: "app", lastStatus: "PENDING" },
    { name: "log", lastStatus: "PENDING" },
  ],
});

describe("advanceTask", () => {
  it.each([
    ["PENDING", "RUNNING", "RUNNING"],
    ["PROVISIONING", "PENDING", "PENDING"],
    ["PENDING", "STOPPED", "STOPPED"],
    ["RUNNING", "STOPPED", "STOPPED"],
  ])("moves %s forward on a %s report", (from, report, to) => {
    const task = advanceTask({ ...pending(), lastStatus: from }, { status: report }, now);
    expect(task?.lastStatus).toBe(to);
    expect(task?.version).toBe(2);
  });

  it.each([
    ["RUNNING", "PENDING"],
    ["RUNNING", "RUNNING"],
    ["STOPPED", "RUNNING"],
    ["PENDING", "BOGUS"],
  ])("ignores a %s task's report of %s", (from, report) => {
    expect(advanceTask({ ...pending(), lastStatus: from }, { status: report }, now)).toBeUndefined();
  });

  it("stamps startedAt and connectivity on RUNNING", () => {
    const task = advanceTask(pending(), { status: "RUNNING" }, now);
    expect(task).toMatchObject({ startedAt: now, connectivity: "CONNECTED", connectivityAt: now });
  });

  it("calls a task that stops before it ran a failure to start", () => {
    const task = advanceTask(pending(), { status: "STOPPED", reason: "CannotPullContainerError: nope" }, now);
    expect(task).toMatchObject({
      desiredStatus: "STOPPED",
      stopCode: "TaskFailedToStart",
      stoppedReason: "CannotPullContainerError: nope",
      stoppedAt: now,
    });
    expect(task?.containers?.every((c) => c.lastStatus === "STOPPED")).toBe(true);
  });

  it("keeps the stop code of the stop that was asked for", () => {
    const running = advanceTask(pending(), { status: "RUNNING" }, now) as Task;
    const stopping = requestStop(running, { stopCode: "UserInitiated", reason: "bye" }, now, true) as Task;
    const stopped = advanceTask(stopping, { status: "STOPPED" }, now);
    expect(stopped).toMatchObject({ stopCode: "UserInitiated", stoppedReason: "bye", lastStatus: "STOPPED" });
  });
});

describe("requestStop", () => {
  it("leaves a task an agent runs to its agent", () => {
    const task = requestStop(
      { ...pending(), lastStatus: "RUNNING" },
      { stopCode: "UserInitiated", reason: "x" },
      now,
      true,
    );
    expect(task).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "RUNNING", stoppingAt: now });
  });

  it("stops a task no agent has taken up at once", () => {
    const task = requestStop(pending(), { stopCode: "UserInitiated", reason: "x" }, now, false);
    expect(task).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "STOPPED", stopCode: "UserInitiated" });
  });

  it("changes nothing the second time", () => {
    const once = requestStop(
      { ...pending(), lastStatus: "RUNNING" },
      { stopCode: "UserInitiated", reason: "x" },
      now,
      true,
    );
    expect(requestStop(once as Task, { stopCode: "UserInitiated", reason: "y" }, now, true)).toBeUndefined();
  });
});

describe("containers", () => {
  it("records a container's report once and never moves it back", () => {
    const running = updateContainer(pending(), { containerName: "app", status: "RUNNING", runtimeId: "r1" }) as Task;
    expect(running.containers?.[0]).toMatchObject({ lastStatus: "RUNNING", runtimeId: "r1" });
    expect(updateContainer(running, { containerName: "app", status: "PENDING" })).toBeUndefined();
    expect(updateContainer(running, { containerName: "nope", status: "STOPPED" })).toBeUndefined();
  });

  it("asks for the task to stop when an essential container stops", () => {
    const task = updateContainer(pending(), { containerName: "app", status: "STOPPED", exitCode: 1 }) as Task;
    expect(essentialExit(task, ["app"], "app")).toEqual({
      stopCode: "EssentialContainerExited",
      reason: "Essential container in task exited",
    });
    expect(essentialExit(task, ["log"], "app")).toBeUndefined();
  });
});
