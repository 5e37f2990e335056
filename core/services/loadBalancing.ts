import type { LoadBalancer, Service, ServiceEvent } from "@aws-sdk/client-ecs";
import type { ServiceRecord, TaskRecord } from "../model/records.ts";
import { isExternal } from "../model/taskSet.ts";
import type { StopRequest } from "../model/taskState.ts";
import type { ActionContext } from "../operations/context.ts";
import { type TargetGroups, type TargetHealth, targetKey } from "../operations/targetGroups.ts";
import { ofTaskSet, saidRecently } from "./events.ts";
import { ELB_HEALTH_CHECK_FAILURE, type Instances } from "./observe.ts";
import { claimsOf } from "./storedClaims.ts";
import {
  deregisteredEvent,
  drainingEvent,
  registeredEvent,
  targetGroupGoneEvent,
  unhealthyTargetEvent,
} from "./targetEvents.ts";
import {
  type Claims,
  drainedAt,
  leavingTargets,
  mergeClaims,
  planTargets,
  type TargetTask,
  type TargetVerdict,
  targetGroupsOf,
  taskTargetHealth,
} from "./targets.ts";

/**
 * A load-balanced service's part of a round, over ELBv2 (the TargetGroups port): tasks that
 * serve are registered in their deployment's target groups; a task the scheduler stops is
 * deregistered first and stopped only after the target groups' deregistration delay (draining),
 * as ECS does; and whatever stopped a task, the targets taken on for it leave (planTargets, every
 * round: the sweep's rounds catch anything a failed call left). ELBv2 is read once a round
 * (readTargets); its failures are reported, not thrown: the round goes on and the next one tries
 * again.
 */
export interface Balancing {
  ctx: ActionContext;
  targetGroups: TargetGroups;
  service: string;
  /** The service's load balancers: its deployments' but for those in `byDeployment`. */
  loadBalancers: LoadBalancer[];
  /** Older deployments' own load balancers, by deployment id (an UpdateService changed the service's since). */
  byDeployment: Record<string, LoadBalancer[]>;
  /** The targets taken on for each task, by task ARN. */
  claims: Claims;
  /** Each container instance's EC2 instance id (what an instance target names). */
  ec2Ids: Map<string, string | undefined>;
  /** An EXTERNAL service: `byDeployment` holds its task sets' load balancers. */
  taskSets?: boolean;
}

/** The service's balancing, when it has load balancers (or targets left) and Berth an ELBv2 to reach. */
export function balancingOf(ctx: ActionContext, record: ServiceRecord, instances: Instances): Balancing | undefined {
  // An EXTERNAL service's tasks belong in their task set's load balancers, and in none once it is gone.
  const taskSets = isExternal(record.service) ? (record.service.taskSets ?? []) : undefined;
  const b = {
    ctx,
    service: record.name,
    loadBalancers: taskSets ? [] : (record.service.loadBalancers ?? []),
    byDeployment: taskSets
      ? Object.fromEntries(taskSets.map((ts) => [ts.id as string, ts.loadBalancers ?? []]))
      : (record.scheduler.deploymentLoadBalancers ?? {}),
    claims: claimsOf(record.scheduler.targets),
    ec2Ids: new Map(instances.records.map((r) => [r.id, r.instance.ec2InstanceId])),
    taskSets: taskSets !== undefined,
  };
  if (groupsOf(b).length === 0 || !ctx.targetGroups) return undefined;
  return { ...b, targetGroups: ctx.targetGroups };
}

/**
 * What ELBv2 has registered in each of the service's target groups now; undefined when it cannot
 * be read. A target group that does not exist (deleted) has no entry: it is judged, registered
 * in and deregistered from no more, and the targets taken on in it are forgotten.
 */
export type Registered = Map<string, TargetHealth[]> | undefined;

/** Reads every target group of the service once: the round's view of ELBv2. */
export async function readTargets(b: Balancing): Promise<Registered> {
  const registered = new Map<string, TargetHealth[]>();
  try {
    for (const group of groupsOf(b)) {
      const targets = await b.targetGroups.targets(group);
      if (targets) registered.set(group, targets);
    }
  } catch (error) {
    report(b, error, "reading target health");
    return undefined;
  }
  return registered;
}

/**
 * The service's load balancers and its older deployments' own after a round whose deployments
 * are now `next`'s: a deployment's are kept while it, or a live task it started (`live`: one
 * draining outlives its deployment), remains, else dropped; on a rollback (`rolledBack`), the
 * deployment rolled back to brings its own back as the service's, and the deployments that had
 * the service's keep them as their own.
 */
export function deploymentsLoadBalancers(
  record: ServiceRecord,
  next: Service,
  rolledBack: boolean,
  live: TaskRecord[],
): { loadBalancers: LoadBalancer[] | undefined; byDeployment: Record<string, LoadBalancer[]> | undefined } {
  let loadBalancers = next.loadBalancers;
  let byDeployment = record.scheduler.deploymentLoadBalancers ?? {};
  const back = next.deployments?.[0]?.id as string;
  if (rolledBack && byDeployment[back]) {
    const theirs = Object.fromEntries(
      (next.deployments ?? []).flatMap((d) => (byDeployment[d.id as string] ? [] : [[d.id, loadBalancers ?? []]])),
    );
    loadBalancers = byDeployment[back];
    byDeployment = { ...byDeployment, ...theirs };
    delete byDeployment[back];
  }
  const ids = new Set([...(next.deployments ?? []).map((d) => d.id), ...live.map((t) => t.task.startedBy)]);
  const kept = Object.entries(byDeployment).filter(([id]) => ids.has(id));
  return { loadBalancers, byDeployment: kept.length > 0 ? Object.fromEntries(kept) : undefined };
}

/** Tasks draining, by ARN: when each may be stopped (epoch ms). */
export type Draining = Record<string, number>;

/** The draining tasks still live: the others have stopped, whatever stopped them. */
export const stillDraining = (draining: Draining | undefined, live: TaskRecord[]): Draining =>
  Object.fromEntries(live.flatMap((t) => (draining?.[arn(t)] === undefined ? [] : [[arn(t), draining[arn(t)]]])));

/**
 * The scheduler's stops when the service has no balancing (left): the drains recorded still run
 * their course (a task draining stops once due, not before); the others stop now.
 */
export const stopsAfterDrains = (toStop: TaskRecord[], live: TaskRecord[], draining: Draining, now: number) => [
  ...live.filter((t) => draining[arn(t)] !== undefined && draining[arn(t)] <= now),
  ...toStop.filter((t) => draining[arn(t)] === undefined),
];

/**
 * The scheduler's stops, with draining first: a task whose targets (those taken on for it) are
 * registered is deregistered and kept until its target groups' deregistration delay is over (the
 * longest of them), as is one ELBv2 has draining already (a retried round deregistered it, and
 * its draining was never recorded: it waits the delay from now); one registered nowhere stops
 * now. Draining tasks due that the scheduler no longer asks to stop stop as well: they left the
 * target groups for good.
 */
export async function drainBeforeStop(
  b: Balancing,
  registered: Registered,
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
  // ELBv2 unread: where the tasks stand is unknown; they keep running until a round knows.
  if (candidates.length === 0 || !registered) return { stopNow, draining: next, messages };
  const leaving = candidates.flatMap((t) =>
    leavingTargets(b.claims[arn(t)] ?? [], registered).map((l) => ({ task: arn(t), ...l })),
  );
  const until = new Map<string, number>();
  try {
    for (const group of new Set(leaving.map((l) => l.target.targetGroupArn))) {
      const here = leaving.filter((l) => l.target.targetGroupArn === group);
      const delay = await b.targetGroups.deregistrationDelaySeconds(group);
      const active = here.filter((l) => !l.draining).map((l) => ({ id: l.target.id, port: l.target.port }));
      if (active.length > 0) {
        await b.targetGroups.deregister(group, active);
        messages.push(deregisteredEvent(b.service, active.length, group));
        // The round's view follows: these are draining now.
        for (const r of registered.get(group) ?? []) {
          if (active.some((a) => targetKey(a) === targetKey(r))) r.state = "draining";
        }
      }
      // The delay counts from the deregistration, not from the round's start.
      const since = Math.max(now, b.ctx.now().getTime());
      for (const l of here) until.set(l.task, Math.max(until.get(l.task) ?? 0, drainedAt(since, [delay])));
    }
  } catch (error) {
    // Not deregistered everywhere: the tasks keep running, and the next round deregisters them again.
    report(b, error, "deregistering targets");
    return { stopNow, draining: next, messages };
  }
  const end = Math.max(now, b.ctx.now().getTime());
  for (const t of candidates) {
    const at = until.get(arn(t));
    if (at !== undefined) next[arn(t)] = at;
    // Registered nowhere, or with no delay to wait: it stops in this very round.
    if (at === undefined || at <= end) stopNow.push(t);
  }
  if (until.size > 0 && !b.taskSets) messages.push(drainingEvent(b.service, until.size));
  // An EXTERNAL service says it of each task set.
  for (const [taskSet, count] of b.taskSets ? countsBy(candidates.filter((t) => until.has(arn(t)))) : []) {
    messages.push(drainingEvent(ofTaskSet(b.service, taskSet), count));
  }
  return { stopNow, draining: next, messages };
}

/**
 * How ELBv2 sees each of `tasks` now (taskTargetHealth), by task ARN. When ELBv2 cannot be read,
 * every task is unknown: a deployment waits for its new tasks, and no task is replaced or
 * stopped for it.
 */
export function targetHealthOf(b: Balancing, registered: Registered, tasks: TaskRecord[]): Map<string, TargetVerdict> {
  if (!registered) return new Map(tasks.map((t) => [arn(t), { state: "unknown", unhealthy: [] }]));
  // A task is judged where it serves: an older deployment's in the load balancers it had.
  return new Map(
    tasks.map((t) => [arn(t), taskTargetHealth(existing(loadBalancersOf(b, t), registered), view(b, t), registered)]),
  );
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
 * Registers the tasks that serve and deregisters those that no longer do (planTargets); returns
 * the events, the targets taken on now (to remember), whether another round is worth running
 * soon (targets taken on to register, or registered that were not a minute ago: their health is
 * worth reading again; a registration that does not hold is left to the sweep, not retried at
 * once), and whether the target groups are as the tasks want them now (false when ELBv2 failed:
 * a deleted service stays DRAINING until its targets have left).
 */
export async function syncTargets(
  b: Balancing,
  registered: Registered,
  tasks: TaskRecord[],
  draining: Draining,
  recent: { events: ServiceEvent[] | undefined; now: number },
): Promise<{ messages: string[]; claims: Claims; again: boolean; synced: boolean }> {
  if (!registered) return { messages: [], claims: b.claims, again: false, synced: false };
  const balanced = tasks.map((t) => ({ view: view(b, t), loadBalancers: existing(loadBalancersOf(b, t), registered) }));
  const plan = planTargets(balanced, b.claims, new Set(Object.keys(draining)), registered);
  const gone = new Set(
    Object.values(b.claims).flatMap((targets) =>
      targets.map((g) => g.targetGroupArn).filter((g) => !registered.has(g)),
    ),
  );
  const messages = [...gone].map((group) => targetGroupGoneEvent(b.service, group));
  plan.deregister = plan.deregister.filter((d) => !gone.has(d.targetGroupArn));
  let again = plan.taken;
  try {
    for (const { targetGroupArn, targets } of plan.deregister) {
      await b.targetGroups.deregister(targetGroupArn, targets);
      // Said of those ELBv2 listed: the others were deregistered in case a registration did not show yet.
      const listed = targets.filter((t) => registered.get(targetGroupArn)?.some((r) => targetKey(r) === targetKey(t)));
      if (listed.length > 0) messages.push(deregisteredEvent(b.service, listed.length, targetGroupArn));
    }
    for (const { targetGroupArn, targets } of plan.register) {
      await b.targetGroups.register(targetGroupArn, targets);
      const said = registeredEvent(b.service, targets.length, targetGroupArn);
      again ||= !saidRecently(recent.events, said, recent.now, 60_000);
      messages.push(said);
    }
  } catch (error) {
    report(b, error, "registering targets");
    // Forget nothing: what was not deregistered is still to be.
    return { messages, claims: mergeClaims(b.claims, plan.claims), again, synced: false };
  }
  return { messages, claims: plan.claims, again, synced: true };
}

const arn = (t: TaskRecord) => t.task.taskArn as string;

/** How many of the tasks each deployment or task set (startedBy) has. */
function countsBy(tasks: TaskRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.task.startedBy ?? "", (counts.get(t.task.startedBy ?? "") ?? 0) + 1);
  return counts;
}

/** The load balancers a task belongs in: its deployment's. */
const loadBalancersOf = (b: Balancing, t: TaskRecord) => b.byDeployment[t.task.startedBy ?? ""] ?? b.loadBalancers;

/** The load balancers whose target groups exist (those ELBv2 could not find are left out). */
const existing = (loadBalancers: LoadBalancer[], registered: Map<string, TargetHealth[]>) =>
  loadBalancers.filter((lb) => registered.has(lb.targetGroupArn as string));

/** Every target group the service's tasks may be in. */
const groupsOf = (b: Omit<Balancing, "targetGroups">) => [
  ...new Set([
    ...targetGroupsOf([...b.loadBalancers, ...Object.values(b.byDeployment).flat()]),
    ...Object.values(b.claims).flatMap((targets) => targets.map((g) => g.targetGroupArn)),
  ]),
];

const view = (b: Balancing, t: TaskRecord): TargetTask => ({
  task: t.task,
  ec2InstanceId: t.containerInstanceId ? b.ec2Ids.get(t.containerInstanceId) : undefined,
});

function report(b: Omit<Balancing, "targetGroups">, error: unknown, what: string) {
  const message = `service ${b.service}: ${what} in ELBv2`;
  if (b.ctx.onBackgroundError) b.ctx.onBackgroundError(error, message);
  else console.error(`${message} failed:`, error);
}
