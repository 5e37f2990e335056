import type { Deployment, PlacementConstraint, Service, Task } from "@aws-sdk/client-ecs";
import type { ServiceRecord, TaskDefinitionRecord, TaskRecord } from "../model/records.ts";
import { isProtected } from "../model/taskProtection.ts";
import { remaining } from "../placement/capacity.ts";
import { SERVICE_DEFAULT_STRATEGIES } from "../placement/plan.ts";
import { crashesByInstance, isCrash } from "./crashLoop.ts";
import { planDaemon } from "./daemon.ts";
import { daemonInstances } from "./eligible.ts";
import { arnOf, failureStats, failureStreak, type Instances, isHealthy, isStopping, taskPlace } from "./observe.ts";
import { planReplica } from "./replica.ts";
import { type ScaleInInstance, scaleInOrder } from "./scaleIn.ts";

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
  /** Starts are held back by the crash back-off: ECS's service throttle. */
  throttled: boolean;
}

export function decideReplica(
  record: ServiceRecord,
  live: TaskRecord[],
  instances: Instances,
  now: number,
  tasks: Task[],
  backoffBaseMs: number | undefined,
  serves: (arn: string) => boolean = () => true,
): Decision {
  const service = record.service;
  const deployments = service.deployments ?? [];
  const config = service.deploymentConfiguration ?? {};
  const inProgress = deployments[0].rolloutState === "IN_PROGRESS";
  const own = tasks.filter((t) => t.startedBy === deployments[0].id);
  const streak = failureStreak(own, (t) => isCrash(t, inProgress));
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
      evicted: taskPlace(t, instances.states).evicted,
      startedAt: t.task.startedAt?.getTime(),
      protected: isProtected(t, now),
    })),
    // Worked out only when there may be tasks to scale in: it weighs every task against the others.
    scaleInOrder: live.length > desiredCount ? scaleInOrderOf(service, live, instances) : undefined,
    consecutiveFailures: streak.consecutiveFailures,
    lastFailureAt: streak.lastFailureAt,
    backoffBaseMs,
    now,
  });
  return { ...plan, desiredCount, throttled: plan.retryAt !== undefined };
}

export function decideDaemon(
  record: ServiceRecord,
  live: TaskRecord[],
  all: TaskRecord[],
  instances: Instances,
  definition: TaskDefinitionRecord | undefined,
  now: number,
  backoffBaseMs: number | undefined,
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
      protected: isProtected(t, now),
    })),
    minimumHealthyPercent: service.deploymentConfiguration?.minimumHealthyPercent,
    crashes: crashesByInstance(all, primary.id as string),
    backoffBaseMs,
    now,
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
    throttled: plan.held !== undefined,
  };
}

/** The service's live tasks in the order scale-in stops them, by its placement strategy. */
function scaleInOrderOf(service: Service, live: TaskRecord[], instances: Instances): string[] {
  const strategies = service.placementStrategy?.length ? service.placementStrategy : SERVICE_DEFAULT_STRATEGIES;
  const facts = new Map<string, ScaleInInstance>();
  for (const r of instances.records) {
    const left = remaining(r);
    const attributes = Object.fromEntries((r.instance.attributes ?? []).map((a) => [a.name as string, a.value]));
    facts.set(r.id, { attributes, free: { cpu: left.cpu, memory: left.memory } });
  }
  const tasks = live.map((t) => ({
    arn: arnOf(t),
    instanceId: t.containerInstanceId ?? "",
    healthy: isHealthy(t.task),
    cpu: t.reservation.cpu,
    memory: t.reservation.memory,
    startedAt: t.task.startedAt?.getTime(),
  }));
  return scaleInOrder(tasks, strategies, facts);
}

/** Failed starts only grow: stopped tasks expire from the store after an hour, the count stays. */
export const failedTasksOf = (d: Deployment, tasks: Task[]) =>
  Math.max(d.failedTasks ?? 0, failureStats(tasks, d.id as string, d.rolloutState === "IN_PROGRESS").failedTasks);
