import type { Service } from "@aws-sdk/client-ecs";
import { toEcsJson } from "../model/json.ts";
import type { ServiceRecord, TaskRecord } from "../model/records.ts";
import { withEvents } from "../model/service.ts";
import { isProtected } from "../model/taskProtection.ts";
import { isExternal } from "../model/taskSet.ts";
import { requestStop, type StopRequest } from "../model/taskState.ts";
import { heartbeatsByInstance, isAgentConnected } from "../operations/agentConnection.ts";
import type { ActionContext } from "../operations/context.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { serviceChanged } from "../operations/serviceQueue.ts";
import { serviceTasks } from "../operations/serviceTasks.ts";
import { updateTask } from "../operations/updateTask.ts";
import { put } from "../store/port.ts";
import { autoScale } from "./autoScale.ts";
import { decideDaemon, decideReplica } from "./decide.ts";
import { nextService } from "./deployments.ts";
import * as events from "./events.ts";
import {
  balancingOf,
  deploymentsLoadBalancers,
  drainBeforeStop,
  elbHealthCheckStop,
  readTargets,
  stillDraining,
  stopsAfterDrains,
  syncTargets,
  targetHealthOf,
  unhealthyTargetEvents,
} from "./loadBalancing.ts";
import { latestRegistration, nextNoRoom } from "./noRoom.ts";
import { arnOf, type InstanceState, type Instances, isLive, isStopping, taskPlace } from "./observe.ts";
import { startTasks, taskDefinitionOf, taskSetLaunches } from "./starts.ts";
import { claimsOf, storeClaims } from "./storedClaims.ts";
import { type TargetVerdict, targetsHealthy } from "./targets.ts";
import { nextTaskSets } from "./taskSets.ts";

/** An agent away this long has lost its tasks: they are marked STOPPED and replaced elsewhere. */
export const DEFAULT_LOST_INSTANCE_GRACE_MS = 2 * 60_000;
/** ECS says "has reached a steady state" once, then again at most every 6 hours while it stays so. */
const STEADY_REPEAT_MS = 6 * 60 * 60_000;
/** How long an INACTIVE (deleted) service stays visible to DescribeServices. */
const INACTIVE_RETENTION_MS = 60 * 60_000;
const ROUND_ATTEMPTS = 3;

/**
 * One round of the service scheduler for one service: read the service, its tasks and the
 * cluster's instances; decide with the pure controller (planReplica / planDaemon); stop tasks
 * through updateTask and start them through launchTasks (RunTask's placement and commit path);
 * then commit the service record (deployments, events) on the version read. A conflict (an
 * UpdateService meanwhile) runs the round again on fresh reads, which see what this one already
 * started or stopped, so nothing is done twice. A round with nothing to do writes nothing.
 */
export async function reconcileService(ctx: ActionContext, cluster: string, name: string): Promise<void> {
  await retryOnConflict(() => round(ctx, cluster, name), ROUND_ATTEMPTS);
}

async function round(ctx: ActionContext, cluster: string, name: string): Promise<void> {
  const read = await ctx.store.getService(cluster, name);
  if (!read || read.service.status === "INACTIVE") return;
  const now = ctx.now();
  let all = await serviceTasks(ctx, cluster, name);
  const instances = await instanceStates(ctx, cluster, now.getTime());
  // Auto scaling first, so that this very round starts or stops tasks for the count it sets.
  const scaled = autoScale(read, all, instances, now);
  const record = scaled.record;
  const service = record.service;
  const deployments = service.deployments ?? [];
  const primary = deployments[0];
  const messages: string[] = scaled.message ? [scaled.message] : [];

  // Tasks on a lost instance are gone with it: STOPPED now (nothing there will report them),
  // which also gives their resources back, and replaced below like any stopped task.
  const lost = all.filter((t) => isLive(t.task) && taskPlace(t, instances.states).lost);
  // So are the ones it was stopping: no agent there will report them STOPPED, and until then
  // they would count as running for good. They keep their own stop code and reason.
  const abandoned = all.filter((t) => isStopping(t.task) && taskPlace(t, instances.states).lost);
  const lostStopped = await stopTasks(ctx, cluster, [...lost, ...abandoned], lostStop(ctx), true);
  for (const [instanceId, tasks] of groupBy(lost, (t) => t.containerInstanceId ?? "")) {
    messages.push(events.lostInstanceEvent(name, instanceId, tasks.map(arnOf)));
  }

  // As ECS does, a task that fails its container health checks is stopped and replaced below,
  // unless it started within the service's health check grace period, which ECS gives it to warm up.
  const unhealthy = all.filter(
    (t) =>
      isLive(t.task) && !lost.includes(t) && t.task.healthStatus === "UNHEALTHY" && pastGracePeriod(t, service, now),
  );
  const failedChecks = await stopTasks(ctx, cluster, unhealthy, HEALTH_CHECK_STOP, false);
  if (failedChecks.length > 0) {
    messages.push(...failedChecks.map((t) => events.unhealthyEvent(name, arnOf(t))));
    messages.push(events.stoppedEvent(name, failedChecks.map(arnOf)));
  }
  // So is one whose load balancer targets fail theirs (same grace period), target group by target group.
  const balancing = balancingOf(ctx, record, instances);
  const registeredTargets = balancing && (await readTargets(balancing));
  const targetHealth = balancing ? targetHealthOf(balancing, registeredTargets, all) : new Map<string, TargetVerdict>();
  const elbUnhealthy = all.filter(
    (t) =>
      isLive(t.task) &&
      !lost.includes(t) &&
      !unhealthy.includes(t) &&
      targetHealth.get(arnOf(t))?.state === "unhealthy" &&
      pastGracePeriod(t, service, now),
  );
  const failedElbChecks: TaskRecord[] = [];
  for (const t of elbUnhealthy) {
    const verdict = targetHealth.get(arnOf(t));
    failedElbChecks.push(...(await stopTasks(ctx, cluster, [t], elbHealthCheckStop(verdict), false)));
    if (balancing) messages.push(...unhealthyTargetEvents(balancing, verdict));
  }
  if (failedElbChecks.length > 0) messages.push(events.stoppedEvent(name, failedElbChecks.map(arnOf)));
  const live = all.filter(
    (t) => isLive(t.task) && !lost.includes(t) && !unhealthy.includes(t) && !elbUnhealthy.includes(t),
  );
  // Later reads see those stopping: a DAEMON instance gets its new task once the old one is gone.
  all = all.map((t) => [...failedChecks, ...failedElbChecks, ...lostStopped].find((f) => f.id === t.id) ?? t);
  const tasks = all.map((t) => t.task);
  const external = isExternal(service);
  // An EXTERNAL service has no deployments: each task set has a task definition of its own.
  const definition = primary && (await taskDefinitionOf(ctx, primary.taskDefinition as string));
  let draining = stillDraining(record.scheduler.draining, live);
  // A load-balanced task serves once its targets are healthy (an older deployment's, unless
  // they are unhealthy), and no more once it drains.
  const current = new Set(external ? (service.taskSets ?? []).map((ts) => ts.id) : [primary.id]);
  const primaryTasks = new Set(live.filter((t) => current.has(t.task.startedBy)).map(arnOf));
  const serves = (arn: string) =>
    draining[arn] === undefined && (!balancing || targetsHealthy(targetHealth.get(arn), primaryTasks.has(arn)));

  const decision =
    service.schedulingStrategy === "DAEMON"
      ? decideDaemon(record, live, all, instances, definition, now.getTime(), ctx.serviceStartBackoffMs, serves)
      : decideReplica(record, live, instances, now.getTime(), tasks, ctx.serviceStartBackoffMs, serves);

  // Stop first: what leaves frees the room (and the ports) its replacements may need. A task set's
  // tasks are stopped in its name, as a deployment's are.
  const scaling = (by: string | undefined) => ({
    stopCode: "ServiceSchedulerInitiated" as const,
    reason: `Scaling activity initiated by (deployment ${external ? by : primary.id})`,
  });
  // A load-balanced task leaves its target groups and drains before it stops.
  let toStop = live.filter((t) => decision.stop.includes(arnOf(t)));
  if (balancing) {
    const drain = await drainBeforeStop(balancing, registeredTargets, toStop, live, draining, now.getTime());
    toStop = drain.stopNow;
    draining = drain.draining;
    messages.push(...drain.messages);
  } else toStop = stopsAfterDrains(toStop, live, draining, now.getTime());
  const stopped: TaskRecord[] = [];
  for (const [by, some] of groupBy(toStop, (t) => t.task.startedBy ?? "")) {
    const stoppedHere = await stopTasks(ctx, cluster, some, scaling(by), false, true);
    stopped.push(...stoppedHere);
    // An EXTERNAL service says it of each task set, as ECS does.
    if (external && stoppedHere.length > 0) {
      messages.push(events.stoppedEvent(events.ofTaskSet(name, by), stoppedHere.map(arnOf)));
    }
  }
  if (!external && stopped.length > 0) messages.push(events.stoppedEvent(name, stopped.map(arnOf)));
  for (const t of stopped) delete draining[arnOf(t)];
  let targetsAgain = false;
  let targetsSynced = true;
  let claims = claimsOf(record.scheduler.targets);
  if (balancing) {
    const after = all.map((t) => [...stopped, ...lostStopped].find((s) => s.id === t.id) ?? t);
    const recent = { events: service.events, now: now.getTime() };
    const sync = await syncTargets(balancing, registeredTargets, after, draining, recent);
    messages.push(...sync.messages);
    targetsAgain = sync.again;
    targetsSynced = sync.synced;
    claims = sync.claims;
  }

  // Held back (a back-off): what the last tries found stands. Nothing to start: none waits.
  let noRoom = decision.throttled ? record.scheduler.noRoom : undefined;
  const launches = external
    ? await taskSetLaunches(ctx, service, decision)
    : definition && (decision.start > 0 || decision.startOn?.length)
      ? [{ definition, count: decision.start, startOn: decision.startOn, startedBy: primary.id, from: service }]
      : [];
  if (launches.length > 0) {
    const { started, startedBy, failures, unplacedForRoom } = await startTasks(
      ctx,
      record,
      launches,
      all,
      instances.records,
    );
    const registeredMs = latestRegistration(instances.records);
    noRoom = nextNoRoom(record.scheduler.noRoom, unplacedForRoom, now.getTime(), registeredMs);
    // An EXTERNAL service says it of each task set, as ECS does.
    if (!external && started.length > 0) messages.push(events.startedEvent(name, started));
    for (const [taskSet, arns] of external ? startedBy : []) {
      messages.push(events.startedEvent(events.ofTaskSet(name, taskSet), arns));
    }
    const asked = decision.startOn?.length ?? decision.start;
    const unplaceable = events.unplaceableEvent(name, failures);
    const quiet = events.saidRecently(service.events, unplaceable, now.getTime(), events.REPEAT_AFTER_MS);
    if (started.length < asked && !quiet) messages.push(unplaceable);
  }

  const throttle = events.throttledEvent(name);
  if (decision.throttled && !events.saidRecently(service.events, throttle, now.getTime(), events.REPEAT_AFTER_MS)) {
    messages.push(throttle);
  }

  const stoppedNow = new Set(stopped.map((t) => t.id));
  const stillLive = live.filter((t) => !stoppedNow.has(t.id));
  const stoppingNow = [...all, ...stopped].filter((t) => isStopping(t.task));
  const next = external
    ? nextTaskSets(service, decision, [...stillLive, ...stoppingNow], now)
    : nextService(record, decision, tasks, now, messages);
  // A rollback goes back to the load balancers of the deployment it rolls back to, as well.
  const balancers = external
    ? { loadBalancers: next.loadBalancers, byDeployment: undefined }
    : deploymentsLoadBalancers(record, next, decision.rollback === true, stillLive);
  // A deleted service becomes INACTIVE once none of its tasks is left running, nor any of their
  // targets registered (else the sweep's rounds try again: nothing would deregister them after).
  // Left over: every live task this round did not stop (kept, draining, spared for its protection,
  // or not stopped because its targets could not be deregistered), and every stopping one.
  // (Tasks stopping before this round were not live, so none of them is among `stopped`.)
  const leftOver = stillLive.length + stoppingNow.length;
  const targetsLeft = !targetsSynced || (balancing !== undefined && Object.keys(claims).length > 0);
  const drained = service.status === "DRAINING" && leftOver === 0 && !targetsLeft;
  const steady = decision.steady && service.status === "ACTIVE" && Object.keys(draining).length === 0;
  const saySteady =
    steady && (!record.scheduler.steady || now.getTime() - (record.scheduler.steadyEventMs ?? 0) >= STEADY_REPEAT_MS);
  if (saySteady) messages.push(events.steadyEvent(name));

  const updated: ServiceRecord = {
    ...record,
    expiresAt: drained ? now.getTime() + INACTIVE_RETENTION_MS : record.expiresAt,
    service: {
      ...next,
      loadBalancers: balancers.loadBalancers,
      status: drained ? "INACTIVE" : service.status,
      events: messages.length > 0 ? withEvents(service.events, messages, now) : service.events,
    },
    scheduler: {
      ...record.scheduler,
      steady,
      steadyEventMs: saySteady ? now.getTime() : record.scheduler.steadyEventMs,
      draining: Object.keys(draining).length > 0 ? draining : undefined,
      targets: storeClaims(claims),
      deploymentLoadBalancers: balancers.byDeployment,
      noRoom,
    },
  };
  if (toEcsJson(updated) === toEcsJson(read)) return;
  await ctx.store.commit([put("service", updated)]);
  // A rollback has a new primary to roll out: the next round starts it. Targets taken on are
  // registered by the next round; new targets may be healthy at once: the next round reads them
  // (else the sweep's rounds do, until they are).
  if (decision.rollback || targetsAgain) serviceChanged(ctx, cluster, name);
}

/** Asks each task to stop; `force` marks it STOPPED at once (its agent is gone). Returns them as stored after. */
async function stopTasks(
  ctx: ActionContext,
  cluster: string,
  tasks: TaskRecord[],
  stop: StopRequest,
  force: boolean,
  spareProtected = false,
): Promise<TaskRecord[]> {
  const stopped: TaskRecord[] = [];
  for (const t of tasks) {
    const after = await updateTask(ctx, cluster, t.id, (r) => {
      // Protection read now, not when the round read the task: UpdateTaskProtection may have come since.
      if (spareProtected && isProtected(r, ctx.now().getTime())) return undefined;
      const task = requestStop(r.task, stop, ctx.now(), force ? false : r.acknowledged);
      return task && { ...r, task };
    });
    // A spared task comes back as it was (still meant to run): it is not among the stopped.
    if (after?.task.desiredStatus === "STOPPED") stopped.push(after);
  }
  return stopped;
}

/**
 * Beyond ECS, which leaves such a service short (containers-roadmap #2040). The model's stop
 * codes have no "infrastructure" one, so the closest true one: the scheduler decided it.
 */
const lostStop = (ctx: ActionContext): StopRequest => ({
  stopCode: "ServiceSchedulerInitiated",
  reason: `Container instance agent disconnected for more than ${Math.round(graceMs(ctx) / 1000)} s: task replaced`,
});

/** ECS's stop of a service task whose essential container failed its health check. */
const HEALTH_CHECK_STOP: StopRequest = {
  stopCode: "ServiceSchedulerInitiated",
  reason: "Task failed container health checks",
};

const graceMs = (ctx: ActionContext) => ctx.lostInstanceGraceMs ?? DEFAULT_LOST_INSTANCE_GRACE_MS;

/** The cluster's instances, each with its agent connected now, and lost (away longer than the grace period) or not. */
export async function instanceStates(ctx: ActionContext, cluster: string, now: number): Promise<Instances> {
  const records = await ctx.store.listContainerInstances(cluster);
  const heartbeats = await heartbeatsByInstance(ctx, cluster);
  const states = new Map<string, InstanceState>();
  for (const record of records) {
    const beat = heartbeats.get(record.id);
    const connected = isAgentConnected(ctx, record, beat, now);
    // Not connected now, nor a grace period ago: away for at least that long.
    const lost =
      record.instance.status === "INACTIVE" || (!connected && !isAgentConnected(ctx, record, beat, now - graceMs(ctx)));
    states.set(record.id, { status: record.instance.status ?? "ACTIVE", connected, lost });
  }
  return { records, states, heartbeats };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/**
 * Whether a task started longer ago than the service's healthCheckGracePeriodSeconds (0 when
 * unset, as ECS defaults it): only then do failed health checks count against it.
 */
function pastGracePeriod(task: TaskRecord, service: Service, now: Date): boolean {
  const graceMs = (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  const started = task.task.startedAt?.getTime() ?? task.task.createdAt?.getTime();
  return started === undefined || now.getTime() - started >= graceMs;
}
