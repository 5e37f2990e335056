import type { Task } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord, HeartbeatRecord, TaskRecord } from "../model/records.ts";

/**
 * What the scheduler reads off a service's tasks and the cluster's instances, as pure functions
 * of records and the time: which tasks count as healthy, which must move, and how the
 * deployment's starts have been failing.
 */

/** Whether the task's containers have health checks (placement marks those UNKNOWN at first). */
export const hasHealthChecks = (task: Task) => task.containers?.some((c) => c.healthStatus !== undefined) ?? false;

/** RUNNING, and HEALTHY when its task definition has container health checks. */
export function isHealthy(task: Task): boolean {
  if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") return false;
  if (!hasHealthChecks(task)) return true;
  if (task.healthStatus === "HEALTHY") return true;
  return task.containers?.every((c) => c.healthStatus === undefined || c.healthStatus === "HEALTHY") ?? false;
}

/** Meant to run and not stopped yet: what the scheduler counts as the service's tasks. */
export const isLive = (task: Task) => task.desiredStatus === "RUNNING" && task.lastStatus !== "STOPPED";

/** Asked to stop but not stopped yet: still holds its instance. */
export const isStopping = (task: Task) => task.desiredStatus === "STOPPED" && task.lastStatus !== "STOPPED";

/** Stops the scheduler or a user asked for are no failure of the task. */
const CHOSEN_STOPS = new Set(["ServiceSchedulerInitiated", "UserInitiated"]);

/** How ECS's stoppedReason for a service task whose load balancer targets failed their health checks begins. */
export const ELB_HEALTH_CHECK_FAILURE = "Task failed ELB health checks";

/**
 * The scheduler stopped it for failing health checks, its containers' or its load balancer
 * targets': a stop it chose, yet ECS counts those tasks as failed.
 */
const failedHealthChecks = (task: Task) =>
  task.healthStatus === "UNHEALTHY" || (task.stoppedReason?.startsWith(ELB_HEALTH_CHECK_FAILURE) ?? false);

/**
 * A start that failed, for the circuit breaker and the back-off: a task that stopped on its own
 * before it ever became healthy (never RUNNING, or RUNNING but never HEALTHY when it has checks),
 * or one that failed its container or ELB health checks (ECS counts those, though its scheduler stops them).
 * While its deployment is in progress, any task of it that stopped on its own counts ("a task
 * from the new deployment stopped or failed to start"): a program that exits a moment after it
 * started was RUNNING for that moment whenever the agent looked in between.
 */
export function isFailedStart(task: Task, rolloutInProgress = false): boolean {
  if (task.lastStatus !== "STOPPED") return false;
  if (failedHealthChecks(task)) return true;
  if (CHOSEN_STOPS.has(task.stopCode ?? "")) return false;
  return rolloutInProgress || !task.startedAt || (hasHealthChecks(task) && task.healthStatus !== "HEALTHY");
}

export interface FailureStats {
  /** Failed starts of the deployment among the stopped tasks the store still keeps (one hour). */
  failedTasks: number;
  /** Failed starts since the deployment's last task that started fine. */
  consecutiveFailures: number;
  lastFailureAt?: number;
}

export function failureStats(tasks: Task[], deploymentId: string, rolloutInProgress = false): FailureStats {
  const own = tasks.filter((t) => t.startedBy === deploymentId);
  return {
    ...failureStreak(own, (t) => isFailedStart(t, rolloutInProgress)),
    failedTasks: own.filter((t) => isFailedStart(t, rolloutInProgress)).length,
  };
}

/** The failed starts among `tasks` since the last one that started fine, and when the last of them stopped. */
export function failureStreak(tasks: Task[], failedStart: (t: Task) => boolean): Omit<FailureStats, "failedTasks"> {
  const lastSuccess = Math.max(
    0,
    ...tasks.filter((t) => t.startedAt && !failedStart(t)).map((t) => t.startedAt?.getTime() ?? 0),
  );
  const stoppedAt = (t: Task) => (t.stoppedAt ?? t.createdAt)?.getTime() ?? 0;
  const recent = tasks.filter((t) => failedStart(t) && stoppedAt(t) > lastSuccess);
  return {
    consecutiveFailures: recent.length,
    lastFailureAt: recent.length > 0 ? Math.max(...recent.map(stoppedAt)) : undefined,
  };
}

/** An instance as the scheduler sees it. */
export interface InstanceState {
  status: string;
  /** Its agent is connected now: new tasks may go there. */
  connected: boolean;
  /** Deregistered, or its agent has been away longer than the grace period: its tasks are gone. */
  lost: boolean;
}

/** Where each live task stands: on a lost instance, on one that must be left (draining), or fine. */
export function taskPlace(record: TaskRecord, instances: Map<string, InstanceState>) {
  // A task waiting for capacity is on no instance yet: nothing of it is lost.
  if (record.waiting && !record.containerInstanceId) return { lost: false, evicted: false };
  const instance = record.containerInstanceId ? instances.get(record.containerInstanceId) : undefined;
  const lost = !instance || instance.lost;
  return { lost, evicted: lost || instance.status !== "ACTIVE" };
}

/** The cluster's instances as read, and the scheduler's view of each by id. */
export interface Instances {
  records: ContainerInstanceRecord[];
  states: Map<string, InstanceState>;
  /** Each instance's latest heartbeat (by id), with the utilization its agent reported. */
  heartbeats: Map<string, HeartbeatRecord>;
}

export const arnOf = (t: TaskRecord) => t.task.taskArn as string;
