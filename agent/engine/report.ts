import type { ManagedTask } from "./managedTask.ts";
import { ecsContainerStatus, laterTask, type ManagedTaskStatus } from "./status.ts";
import type { ContainerStateReport, TaskStateReport } from "./types.ts";

/**
 * The task's known status from its containers: STOPPED once every container is, RUNNING once every
 * essential container runs, PENDING once work on it began. Forward only, like every known status.
 */
export function taskStatus(task: ManagedTask): ManagedTaskStatus {
  const all = task.containers;
  let candidate: ManagedTaskStatus = "NONE";
  if (all.every((c) => c.known === "STOPPED")) candidate = "STOPPED";
  else if (all.filter((c) => c.essential).every((c) => c.known === "RUNNING")) candidate = "RUNNING";
  else if (all.some((c) => c.known !== "NONE")) candidate = "PENDING";
  return laterTask(task.known, candidate);
}

export function containerReport(task: ManagedTask): ContainerStateReport[] {
  return task.containers.map((c) => ({
    containerName: c.name,
    status: ecsContainerStatus(c.known),
    runtimeId: c.runtimeId,
    exitCode: c.known === "STOPPED" ? c.exitCode : undefined,
    reason: c.reason,
    networkBindings: c.networkBindings,
    healthStatus: c.health,
  }));
}

const date = (iso: string | undefined) => (iso ? new Date(iso) : undefined);

export function buildReport(task: ManagedTask): TaskStateReport {
  return {
    taskArn: task.taskArn,
    status: task.known,
    reason: task.known === "STOPPED" ? task.stopReason : undefined,
    containers: containerReport(task),
    pullStartedAt: date(task.pullStartedAt),
    pullStoppedAt: date(task.pullStoppedAt),
    executionStoppedAt: date(task.executionStoppedAt),
  };
}

/**
 * What makes a report worth sending: the task's status and reason, and each container's status,
 * exit code, reason, health and bindings. Pull times and runtime ids ride along with the next one.
 */
export function reportSignature(report: TaskStateReport): string {
  const containers = report.containers.map((c) => [c.status, c.exitCode, c.reason, c.healthStatus, c.networkBindings]);
  return JSON.stringify([report.status, report.reason, containers]);
}
