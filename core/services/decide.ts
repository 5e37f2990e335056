import type { Deployment, PlacementConstraint, Task } from "@aws-sdk/client-ecs";
import type { ServiceRecord, TaskDefinitionRecord, TaskRecord } from "../model/records.ts";
import { planDaemon } from "./daemon.ts";
import { daemonInstances } from "./eligible.ts";
import {
  arnOf,
  failureStats,
  type InstanceState,
  type Instances,
  isHealthy,
  isStopping,
  taskPlace,
} from "./observe.ts";
import { planReplica } from "./replica.ts";

/**
 * From what a round read to what the pure controller decides: the views planReplica and
 * planDaemon take, built from task and instance records, and their plans in one shape.
 */

/** What a round decided for the service's tasks and its primary deployment. */
export interface Decision {
  start: number;
  /** DAEMON: the instances to start on (one task each). */
  startOn?: string[];
  stop: string[];
  rolloutState: Deployment["rolloutState"];
  rollback: boolean;
  retire: string[];
  steady: boolean;
  desiredCount: number;
}

export function decideReplica(
  record: ServiceRecord,
  live: TaskRecord[],
  instances: Map<string, InstanceState>,
  now: number,
  tasks: Task[],
  backoffBaseMs: number | undefined,
  serves: (arn: string) => boolean = () => true,
): Decision {
  const service = record.service;
  const deployments = service.deployments ?? [];
  const config = service.deploymentConfiguration ?? {};
  const stats = failureStats(tasks, deployments[0].id as string, deployments[0].rolloutState === "IN_PROGRESS");
  const desiredCount = service.status === "ACTIVE" ? (service.desiredCount ?? 0) : 0;
  const plan = planReplica({
    desiredCount,
    minimumHealthyPercent: config.minimumHealthyPercent,
    maximumPercent: config.maximumPercent,
    circuitBreaker: config.deploymentCircuitBreaker as { enable: boolean; rollback: boolean } | undefined,
    deployments: deployments.map((d) => ({
      id: d.id as string,
      rolloutState: d.rolloutState ?? "IN_PROGRESS",
      failedTasks: failedTasksOf(d, tasks),
    })),
    tasks: live.map((t) => ({
      arn: arnOf(t),
      deploymentId: t.task.startedBy ?? "",
      // A load-balanced task counts once its targets are healthy, and no more once it drains.
      healthy: isHealthy(t.task) && serves(arnOf(t)),
      evicted: taskPlace(t, instances).evicted,
      startedAt: t.task.startedAt?.getTime(),
    })),
    consecutiveFailures: stats.consecutiveFailures,
    lastFailureAt: stats.lastFailureAt,
    backoffBaseMs,
    now,
  });
  return { ...plan, desiredCount };
}

export function decideDaemon(
  record: ServiceRecord,
  live: TaskRecord[],
  all: TaskRecord[],
  instances: Instances,
  definition: TaskDefinitionRecord | undefined,
  serves: (arn: string) => boolean = () => true,
): Decision {
  const service = record.service;
  const [primary, ...older] = service.deployments ?? [];
  const usable = instances.records.filter((r) => {
    const state = instances.states.get(r.id);
    return state?.status === "ACTIVE" && !state.lost;
  });
  const eligible =
    service.status === "ACTIVE" && definition
      ? daemonInstances(usable, (service.placementConstraints ?? []) as PlacementConstraint[], definition)
      : [];
  const plan = planDaemon({
    primaryId: primary.id as string,
    eligibleInstances: eligible,
    tasks: live.map((t) => ({
      arn: arnOf(t),
      deploymentId: t.task.startedBy ?? "",
      containerInstanceId: t.containerInstanceId ?? "",
      healthy: isHealthy(t.task) && serves(arnOf(t)),
    })),
    minimumHealthyPercent: service.deploymentConfiguration?.minimumHealthyPercent,
  });
  // One task per instance: not while the one it replaces is still stopping, nor where no agent listens.
  const stopping = new Set(all.filter((t) => isStopping(t.task)).map((t) => t.containerInstanceId));
  const startOn = plan.startOn.filter((id) => instances.states.get(id)?.connected && !stopping.has(id));
  const remaining = new Set(live.filter((t) => !plan.stop.includes(arnOf(t))).map((t) => t.task.startedBy));
  return {
    start: startOn.length,
    startOn,
    stop: plan.stop,
    rolloutState: plan.steady && primary.rolloutState === "IN_PROGRESS" ? "COMPLETED" : primary.rolloutState,
    rollback: false,
    retire: older.filter((d) => !remaining.has(d.id)).map((d) => d.id as string),
    steady: plan.steady,
    desiredCount: eligible.length,
  };
}

/** Failed starts only grow: stopped tasks expire from the store after an hour, the count stays. */
export const failedTasksOf = (d: Deployment, tasks: Task[]) =>
  Math.max(d.failedTasks ?? 0, failureStats(tasks, d.id as string, d.rolloutState === "IN_PROGRESS").failedTasks);
