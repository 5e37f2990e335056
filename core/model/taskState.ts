import type { Container, Task, TaskStopCode } from "@aws-sdk/client-ecs";

/**
 * Task and container lifecycles as ordered enums (as the ECS agent keeps them): a status only
 * moves forward, so a late or repeated report changes nothing. Every function here is pure and
 * returns `undefined` when the task stays as it was.
 */
export const TASK_STATUSES = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
  "STOPPED",
] as const;
export const CONTAINER_STATUSES = ["PENDING", "RUNNING", "STOPPED"] as const;

const rankIn = (order: readonly string[], status: string | undefined) => order.indexOf(status ?? "");
export const isStopped = (task: Task) => task.lastStatus === "STOPPED";

/** Known statuses before RUNNING: a task in one counts as pending (ECS's pendingTasksCount). */
export const PENDING_STATUSES: readonly string[] = ["PROVISIONING", "PENDING", "ACTIVATING"];
export const isPendingStatus = (lastStatus: unknown) =>
  typeof lastStatus === "string" && PENDING_STATUSES.includes(lastStatus);

/** How long a STOPPED task stays visible, as on ECS. */
export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;

export interface TaskReport {
  status: string;
  reason?: string;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  executionStoppedAt?: Date;
}

/** The task after its agent reports `status` (a forward move only). */
export function advanceTask(task: Task, report: TaskReport, now: Date): Task | undefined {
  const next = rankIn(TASK_STATUSES, report.status);
  if (next < 0) return undefined;
  const pulls = {
    pullStartedAt: task.pullStartedAt ?? report.pullStartedAt,
    pullStoppedAt: task.pullStoppedAt ?? report.pullStoppedAt,
  };
  if (next <= rankIn(TASK_STATUSES, task.lastStatus)) {
    const learned = pulls.pullStartedAt !== task.pullStartedAt || pulls.pullStoppedAt !== task.pullStoppedAt;
    return learned ? { ...task, ...pulls, version: (task.version ?? 0) + 1 } : undefined;
  }
  const updated: Task = { ...task, ...pulls, lastStatus: report.status, version: (task.version ?? 0) + 1 };
  if (report.status === "RUNNING") {
    updated.startedAt = task.startedAt ?? now;
    updated.connectivity = "CONNECTED";
    updated.connectivityAt = task.connectivityAt ?? now;
  }
  if (report.status === "STOPPED") return stopped(updated, report, now);
  return updated;
}

function stopped(task: Task, report: { reason?: string; executionStoppedAt?: Date }, now: Date): Task {
  return {
    ...task,
    lastStatus: "STOPPED",
    // A task that stops on its own (its essential container exited) is not coming back.
    desiredStatus: "STOPPED",
    stopCode: task.stopCode ?? (task.startedAt ? "EssentialContainerExited" : "TaskFailedToStart"),
    stoppedReason:
      task.stoppedReason ??
      report.reason ??
      (task.startedAt ? "Essential container in task exited" : "Task failed to start"),
    stoppingAt: task.stoppingAt ?? now,
    executionStoppedAt: task.executionStoppedAt ?? report.executionStoppedAt ?? now,
    stoppedAt: now,
    connectivity: undefined,
    containers: task.containers?.map((c) => (c.lastStatus === "STOPPED" ? c : { ...c, lastStatus: "STOPPED" })),
  };
}

export interface StopRequest {
  stopCode: TaskStopCode;
  reason: string;
}

/**
 * The control plane's decision that a task should stop. A task no agent has taken up yet stops
 * at once (there is nothing to tear down); otherwise its agent stops it and reports STOPPED.
 */
export function requestStop(task: Task, request: StopRequest, now: Date, acknowledged: boolean): Task | undefined {
  if (task.desiredStatus === "STOPPED" && (acknowledged || isStopped(task))) return undefined;
  const stopping: Task = {
    ...task,
    desiredStatus: "STOPPED",
    stopCode: task.stopCode ?? request.stopCode,
    stoppedReason: task.stoppedReason ?? request.reason,
    stoppingAt: task.stoppingAt ?? now,
    version: (task.version ?? 0) + 1,
  };
  return acknowledged || isStopped(task) ? stopping : stopped(stopping, {}, now);
}

export interface ContainerReport {
  containerName: string;
  status?: string;
  runtimeId?: string;
  exitCode?: number;
  reason?: string;
  networkBindings?: Container["networkBindings"];
  imageDigest?: string;
}

/** The task after its agent reports on one container; undefined if the report adds nothing. */
export function updateContainer(task: Task, report: ContainerReport): Task | undefined {
  const index = task.containers?.findIndex((c) => c.name === report.containerName) ?? -1;
  if (index < 0 || !task.containers) return undefined;
  const current = task.containers[index];
  const forward = rankIn(CONTAINER_STATUSES, report.status) > rankIn(CONTAINER_STATUSES, current.lastStatus);
  const next: Container = {
    ...current,
    lastStatus: forward ? report.status : current.lastStatus,
    runtimeId: current.runtimeId ?? report.runtimeId,
    imageDigest: current.imageDigest ?? report.imageDigest,
    exitCode: current.exitCode ?? report.exitCode,
    reason: current.reason ?? report.reason,
    networkBindings: report.networkBindings?.length ? report.networkBindings : current.networkBindings,
  };
  if (JSON.stringify(next) === JSON.stringify(current)) return undefined;
  const containers = task.containers.with(index, next);
  return { ...task, containers, version: (task.version ?? 0) + 1 };
}

/** The stop an essential container's exit calls for, if any. */
export function essentialExit(task: Task, essential: string[], containerName: string): StopRequest | undefined {
  const container = task.containers?.find((c) => c.name === containerName);
  if (container?.lastStatus !== "STOPPED" || !essential.includes(containerName)) return undefined;
  return { stopCode: "EssentialContainerExited", reason: "Essential container in task exited" };
}
