import type { LoadBalancer, ServiceEvent } from "@aws-sdk/client-ecs";
import type { ServiceRecord, TaskRecord } from "../model/records.ts";
import type { StopRequest } from "../model/taskState.ts";
import type { ActionContext } from "../operations/context.ts";
import type { TargetGroups, TargetHealth } from "../operations/targetGroups.ts";
import { saidRecently } from "./events.ts";
import { ELB_HEALTH_CHECK_FAILURE, type Instances } from "./observe.ts";
import { deregisteredEvent, drainingEvent, registeredEvent, unhealthyTargetEvent } from "./targetEvents.ts";
import {
  drainedAt,
  isServing,
  leavingTargets,
  planTargets,
  type TargetTask,
  type TargetVerdict,
  targetGroupsOf,
  taskTargetHealth,
} from "./targets.ts";

/**
 * A load-balanced service's part of a round, over ELBv2 (the TargetGroups port): tasks that
 * serve are registered in its target groups; a task the scheduler stops is deregistered first
 * and stopped only after the target groups' deregistration delay (draining), as ECS does; and
 * whatever stopped a task, its targets leave (planTargets, every round: the sweep's rounds catch
 * anything a failed call left). ELBv2 failures are reported, not thrown: the round goes on and
 * the next one tries again.
 */
export interface Balancing {
  ctx: ActionContext;
  targetGroups: TargetGroups;
  service: string;
  loadBalancers: LoadBalancer[];
  /** Those before an UpdateService changed them: the older deployments' tasks stay and drain there. */
  former: LoadBalancer[];
  /** The deployments whose tasks use `former`. */
  legacy: Set<string>;
  /** Each container instance's EC2 instance id (what an instance target names). */
  ec2Ids: Map<string, string | undefined>;
}

/** The service's balancing, when it has load balancers and Berth an ELBv2 to reach. */
export function balancingOf(ctx: ActionContext, record: ServiceRecord, instances: Instances): Balancing | undefined {
  const loadBalancers = record.service.loadBalancers ?? [];
  const former = record.scheduler.formerLoadBalancers?.loadBalancers ?? [];
  if (loadBalancers.length + former.length === 0 || !ctx.targetGroups) return undefined;
  return {
    ctx,
    targetGroups: ctx.targetGroups,
    service: record.name,
    loadBalancers,
    former,
    legacy: new Set(record.scheduler.formerLoadBalancers?.deployments ?? []),
    ec2Ids: new Map(instances.records.map((r) => [r.id, r.instance.ec2InstanceId])),
  };
}

/** Tasks draining, by ARN: when each may be stopped (epoch ms). */
export type Draining = Record<string, number>;

/** The draining tasks still live: the others have stopped, whatever stopped them. */
export const stillDraining = (draining: Draining | undefined, live: TaskRecord[]): Draining =>
  Object.fromEntries(live.flatMap((t) => (draining?.[arn(t)] === undefined ? [] : [[arn(t), draining[arn(t)]]])));

/**
 * The scheduler's stops, with draining first: a task registered in a target group is
 * deregistered and kept until that target group's deregistration delay is over (the longest of
 * them), as is one ELBv2 has draining already (a retried round deregistered it, and its draining
 * was never recorded: it waits the delay from now); one registered nowhere stops now. Draining tasks due that
 * the scheduler no longer asks to stop stop as well: they left the target groups for good.
 */
export async function drainBeforeStop(
  b: Balancing,
  toStop: TaskRecord[],
  live: TaskRecord[],
  draining: Draining,
  now: number,
): Promise<{ stopNow: TaskRecord[]; draining: Draining; messages: string[] }> {
  const next = { ...draining };
  const due = (t: TaskRecord) => next[arn(t)] !== undefined && next[arn(t)] <= now;
  const stopNow = live.filter((t) => due(t));
  const candidates = toStop.filter((t) => next[arn(t)] === undefined);
  const messages: string[] = [];
  if (candidates.length === 0) return { stopNow, draining: next, messages };
  const all = [...b.loadBalancers, ...b.former];
  const until = new Map<string, number>();
  try {
    for (const group of targetGroupsOf(all)) {
      const views = candidates.map((t) => view(b, t));
      const leaving = leavingTargets(group, all, views, await b.targetGroups.targets(group));
      if (leaving.length === 0) continue;
      const delay = await b.targetGroups.deregistrationDelaySeconds(group);
      const active = leaving.filter((l) => !l.draining);
      if (active.length > 0) {
        await b.targetGroups.deregister(
          group,
          active.map((l) => l.target),
        );
        messages.push(deregisteredEvent(b.service, active.length, group));
      }
      for (const l of leaving) until.set(l.task, Math.max(until.get(l.task) ?? 0, drainedAt(now, [delay])));
    }
  } catch (error) {
    // Not deregistered everywhere: the tasks keep running, and the next round deregisters them again.
    report(b, error, "deregistering targets");
    return { stopNow, draining: next, messages };
  }
  for (const t of candidates) {
    const at = until.get(arn(t));
    if (at !== undefined) next[arn(t)] = at;
    // Registered nowhere, or with no delay to wait: it stops in this very round.
    if (at === undefined || at <= now) stopNow.push(t);
  }
  if (until.size > 0) messages.push(drainingEvent(b.service, until.size));
  return { stopNow, draining: next, messages };
}

/**
 * How ELBv2 sees each of `tasks` now (taskTargetHealth), by task ARN. When ELBv2 cannot be read,
 * every task is unknown: a deployment waits for its new tasks, and no task is replaced or
 * stopped for it.
 */
export async function targetHealthOf(b: Balancing, tasks: TaskRecord[]): Promise<Map<string, TargetVerdict>> {
  const registered = new Map<string, TargetHealth[]>();
  try {
    for (const group of targetGroupsOf([...b.loadBalancers, ...b.former])) {
      registered.set(group, await b.targetGroups.targets(group));
    }
  } catch (error) {
    report(b, error, "reading target health");
    return new Map(tasks.map((t) => [arn(t), { state: "unknown", unhealthy: [] }]));
  }
  // A task is judged where it serves: an older deployment's in the load balancers it had.
  return new Map(tasks.map((t) => [arn(t), taskTargetHealth(entriesOf(b, t), view(b, t), registered)]));
}

/** ECS's stop of a service task whose load balancer targets failed their health checks: a failed task (isFailedStart). */
export const elbHealthCheckStop = (verdict: TargetVerdict | undefined): StopRequest => ({
  stopCode: "ServiceSchedulerInitiated",
  reason: `${ELB_HEALTH_CHECK_FAILURE} in (target-group ${verdict?.unhealthy[0]?.targetGroupArn})`,
});

/** ECS's events for a task whose targets failed their health checks. */
export const unhealthyTargetEvents = (b: Balancing, verdict: TargetVerdict | undefined) =>
  (verdict?.unhealthy ?? []).map((u) =>
    unhealthyTargetEvent(b.service, u.target.id, u.target.port, u.targetGroupArn, u.reason),
  );

/**
 * Registers the tasks that serve and deregisters those that no longer do; returns the events,
 * whether targets were registered that were not a minute ago (their health is worth reading
 * again soon; a registration that does not hold is left to the sweep, not retried at once), and
 * whether the target groups are as the tasks want them now (false when ELBv2 failed: a deleted
 * service stays DRAINING until its targets have left).
 */
export async function syncTargets(
  b: Balancing,
  tasks: TaskRecord[],
  draining: Draining,
  recent: { events: ServiceEvent[] | undefined; now: number },
): Promise<{ messages: string[]; registered: boolean; synced: boolean }> {
  const messages: string[] = [];
  let registeredAny = false;
  try {
    const registered = new Map<string, TargetHealth[]>();
    for (const group of targetGroupsOf([...b.loadBalancers, ...b.former])) {
      registered.set(group, await b.targetGroups.targets(group));
    }
    const drainingArns = new Set(Object.keys(draining));
    // An older deployment's task that serves is no business of the current load balancers.
    const current = tasks.filter((t) => !isLegacy(b, t) || !isServing(t.task, drainingArns));
    const plan = planTargets(
      b.loadBalancers,
      current.map((t) => view(b, t)),
      drainingArns,
      registered,
    );
    // From the former ones, targets only leave.
    const views = tasks.map((t) => view(b, t));
    plan.deregister.push(...planTargets(b.former, views, drainingArns, registered).deregister);
    for (const { targetGroupArn, targets } of plan.deregister) {
      await b.targetGroups.deregister(targetGroupArn, targets);
      messages.push(deregisteredEvent(b.service, targets.length, targetGroupArn));
    }
    for (const { targetGroupArn, targets } of plan.register) {
      await b.targetGroups.register(targetGroupArn, targets);
      const said = registeredEvent(b.service, targets.length, targetGroupArn);
      registeredAny ||= !saidRecently(recent.events, said, recent.now, 60_000);
      messages.push(said);
    }
  } catch (error) {
    report(b, error, "registering targets");
    return { messages, registered: registeredAny, synced: false };
  }
  return { messages, registered: registeredAny, synced: true };
}

const arn = (t: TaskRecord) => t.task.taskArn as string;

const isLegacy = (b: Balancing, t: TaskRecord) => b.legacy.has(t.task.startedBy ?? "");

/** The load balancers a task belongs in: its deployment's. */
const entriesOf = (b: Balancing, t: TaskRecord) => (isLegacy(b, t) ? b.former : b.loadBalancers);

const view = (b: Balancing, t: TaskRecord): TargetTask => ({
  task: t.task,
  ec2InstanceId: t.containerInstanceId ? b.ec2Ids.get(t.containerInstanceId) : undefined,
});

function report(b: Balancing, error: unknown, what: string) {
  const message = `service ${b.service}: ${what} in ELBv2`;
  if (b.ctx.onBackgroundError) b.ctx.onBackgroundError(error, message);
  else console.error(`${message} failed:`, error);
}
