import type { Deployment, PlacementConstraint, Service, Task } from "@aws-sdk/client-ecs";
import type { ServiceRecord, TaskDefinitionRecord, TaskRecord } from "../model/records.ts";
import { isProtected } from "../model/taskProtection.ts";
import { computedDesiredCount, isExternal } from "../model/taskSet.ts";
import { remaining } from "../placement/capacity.ts";
import { SERVICE_DEFAULT_STRATEGIES } from "../placement/plan.ts";
import { crashesByInstance, isCrash } from "./crashLoop.ts";
import { planDaemon } from "./daemon.ts";
import { daemonInstances } from "./eligible.ts";
import { arnOf, failureStats, failureStreak, type Instances, isHealthy, isStopping, taskPlace } from "./observe.ts";
import { type DeploymentView, planReplica } from "./replica.ts";
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
  /** EXTERNAL: the tasks to start in each task set (`start` is their sum). */
  starts?: TaskSetStart[];
  /** EXTERNAL: the task sets at their computed count, every task healthy. */
  steadySets?: string[];
}

export interface TaskSetStart {
  taskSetId: string;
  count: number;
}

/**
 * A REPLICA service's round: its deployments kept at the desired count, or, for an EXTERNAL
 * service, each of its task sets at its computed count (taskSetsDecision).
 */
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
  const round = { service, instances, now, tasks, backoffBaseMs, serves };
  if (isExternal(service)) return taskSetsDecision(round, live);
  const desiredCount = service.status === "ACTIVE" ? (service.desiredCount ?? 0) : 0;
  const deployments = (service.deployments ?? []).map((d) => ({
    id: d.id as string,
    rolloutState: d.rolloutState ?? "IN_PROGRESS",
    failedTasks: failedTasksOf(d, tasks),
  }));
  const config = service.deploymentConfiguration ?? {};
  const circuitBreaker = config.deploymentCircuitBreaker as { enable: boolean; rollback: boolean } | undefined;
  const plan = planOf(round, deployments, desiredCount, live, circuitBreaker);
  return { ...plan, desiredCount, throttled: plan.retryAt !== undefined };
}

/**
 * An EXTERNAL service's round: each task set is kept at its computed count by the REPLICA
 * controller, as if it were a service of its own with one deployment (the service's deployment
 * configuration bounds its replacements; no circuit breaker, which is the external controller's
 * business). Tasks of no task set (one deleted and gone) are stopped.
 */
function taskSetsDecision(round: Round, live: TaskRecord[]): Decision {
  const service = round.service;
  const taskSets = service.taskSets ?? [];
  const ids = new Set(taskSets.map((ts) => ts.id));
  const stop = live.filter((t) => !ids.has(t.task.startedBy)).map(arnOf);
  const starts: TaskSetStart[] = [];
  const steadySets: string[] = [];
  let throttled = false;
  for (const ts of taskSets) {
    const id = ts.id as string;
    const own = live.filter((t) => t.task.startedBy === id);
    const plan = planOf(
      round,
      [{ id, rolloutState: "IN_PROGRESS", failedTasks: 0 }],
      computedDesiredCount(service, ts),
      own,
    );
    stop.push(...plan.stop);
    if (plan.start > 0) starts.push({ taskSetId: id, count: plan.start });
    if (plan.steady) steadySets.push(id);
    throttled ||= plan.retryAt !== undefined;
  }
  const start = starts.reduce((sum, s) => sum + s.count, 0);
  return {
    start,
    starts,
    stop,
    rolloutState: "COMPLETED",
    rollback: false,
    retire: [],
    steady: stop.length === 0 && start === 0 && steadySets.length === taskSets.length,
    steadySets,
    desiredCount: service.desiredCount ?? 0,
    throttled,
  };
}

/** What one round of a service decides, for planReplica: the service, its tasks and instances as read. */
interface Round {
  service: Service;
  instances: Instances;
  now: number;
  tasks: Task[];
  backoffBaseMs: number | undefined;
  serves: (arn: string) => boolean;
}

/** planReplica over the live tasks of `deployments` (PRIMARY first), kept at `desiredCount`. */
function planOf(
  round: Round,
  deployments: DeploymentView[],
  desiredCount: number,
  live: TaskRecord[],
  circuitBreaker?: { enable: boolean; rollback: boolean },
) {
  const { service, instances, now, tasks } = round;
  const config = service.deploymentConfiguration ?? {};
  const inProgress = deployments[0].rolloutState === "IN_PROGRESS";
  const own = tasks.filter((t) => t.startedBy === deployments[0].id);
  const streak = failureStreak(own, (t) => isCrash(t, inProgress));
  return planReplica({
    desiredCount,
    minimumHealthyPercent: config.minimumHealthyPercent,
    maximumPercent: config.maximumPercent,
    circuitBreaker,
    deployments,
    tasks: live.map((t) => ({
      arn: arnOf(t),
      deploymentId: t.task.startedBy ?? "",
      // A load-balanced task counts once its targets are healthy, and no more once it drains.
      healthy: isHealthy(t.task) && round.serves(arnOf(t)),
      evicted: taskPlace(t, instances.states).evicted,
      startedAt: t.task.startedAt?.getTime(),
      protected: isProtected(t, now),
    })),
    // Worked out only when there may be tasks to scale in: it weighs every task against the others.
    scaleInOrder: live.length > desiredCount ? scaleInOrderOf(service, live, instances) : undefined,
    consecutiveFailures: streak.consecutiveFailures,
    lastFailureAt: streak.lastFailureAt,
    backoffBaseMs: round.backoffBaseMs,
    now,
  });
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
