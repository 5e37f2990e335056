import type { LoadBalancer, Task } from "@aws-sdk/client-ecs";
import { type GroupTarget, type Target, type TargetHealth, targetKey } from "../operations/targetGroups.ts";

/**
 * Which targets a load-balanced service's tasks should have in its target groups, as a pure
 * function of the tasks, the targets the scheduler took on for them, and what ELBv2 has registered
 * now. Level-triggered: a task that serves (RUNNING, meant to run, not draining) is registered; a
 * target taken on for a task that no longer serves is deregistered, whatever stopped it. Targets
 * the scheduler never took on (a target group shared with something else) are left alone.
 */

/** A service task as targets see it: the EC2 instance it runs on (an instance target's id). */
export interface TargetTask {
  task: Task;
  ec2InstanceId?: string;
}

/** The target a task is in a load balancer's target group: its instance, and the host port Docker bound to the container port. */
export function taskTarget(t: TargetTask, lb: LoadBalancer): Target | undefined {
  if (!t.ec2InstanceId) return undefined;
  const container = t.task.containers?.find((c) => c.name === lb.containerName);
  const binding = container?.networkBindings?.find(
    (b) => b.containerPort === lb.containerPort && (b.protocol ?? "tcp") === "tcp",
  );
  return binding?.hostPort === undefined ? undefined : { id: t.ec2InstanceId, port: binding.hostPort };
}

/** Serving: RUNNING and meant to run, and not draining (on its way out of the target groups). */
export const isServing = (task: Task, draining: ReadonlySet<string>) =>
  task.lastStatus === "RUNNING" && task.desiredStatus === "RUNNING" && !draining.has(task.taskArn as string);

export interface TargetChange {
  targetGroupArn: string;
  targets: Target[];
}

export interface TargetPlan {
  register: TargetChange[];
  deregister: TargetChange[];
}

export const targetGroupsOf = (loadBalancers: LoadBalancer[]) => [
  ...new Set(loadBalancers.map((lb) => lb.targetGroupArn as string)),
];

/** The targets the scheduler has taken on, by task ARN (stored as ServiceSchedulerState.targets: storedClaims.ts). */
export type Claims = Record<string, GroupTarget[]>;

/** A service task and the load balancers of its deployment. */
export interface BalancedTask {
  view: TargetTask;
  loadBalancers: LoadBalancer[];
}

/** The targets a task is in its load balancers' target groups, one per target group and target. */
export function taskTargets(t: TargetTask, loadBalancers: LoadBalancer[]): GroupTarget[] {
  const all = loadBalancers.flatMap((lb) => {
    const target = taskTarget(t, lb);
    return target ? [{ targetGroupArn: lb.targetGroupArn as string, ...target }] : [];
  });
  return [...new Map(all.map((g) => [groupTargetKey(g), g])).values()];
}

const groupTargetKey = (g: GroupTarget) => `${g.targetGroupArn} ${targetKey(g)}`;

/** What ELBv2 says of a target now (undefined: not registered). */
const stateOf = (registered: Map<string, TargetHealth[]>, g: GroupTarget) =>
  registered.get(g.targetGroupArn)?.find((r) => targetKey(r) === targetKey(g))?.state;

/**
 * Where the targets a task the scheduler stops has taken on stand: one still registered is to be
 * deregistered; one `draining` already was (by an earlier attempt of a round that then retried,
 * before it could record the draining): it drains as well, and its task waits for the delay like
 * the others. A task with neither is registered nowhere.
 */
export function leavingTargets(
  claimed: GroupTarget[],
  registered: Map<string, TargetHealth[]>,
): { target: GroupTarget; draining: boolean }[] {
  return claimed.flatMap((target) => {
    const state = stateOf(registered, target);
    return state === undefined ? [] : [{ target, draining: state === "draining" }];
  });
}

/**
 * Level-triggered, from the tasks, the targets taken on (`claims`) and what ELBv2 has registered
 * now (`registered`, by target group). A task that serves takes on its targets in its
 * deployment's load balancers (`claims`, remembered in the store), and is registered in the next
 * round, once that memory is written: nothing is registered that the scheduler would not find
 * again to deregister. A target taken on that no task serves any more is deregistered, and
 * forgotten: whether or not this reading of ELBv2 lists it (ELBv2 is eventually consistent: a
 * registration may not show yet), unless it is draining (deregistered already). Targets never taken on are left alone: the scheduler did
 * not put them there (a target group may be shared).
 */
export function planTargets(
  tasks: BalancedTask[],
  claims: Claims,
  draining: ReadonlySet<string>,
  registered: Map<string, TargetHealth[]>,
): TargetPlan & { claims: Claims; taken: boolean } {
  const next: Claims = {};
  const register: GroupTarget[] = [];
  const wanted = new Set<string>();
  let taken = false;
  for (const t of tasks.filter((x) => isServing(x.view.task, draining))) {
    const arn = t.view.task.taskArn as string;
    const targets = taskTargets(t.view, t.loadBalancers);
    if (targets.length === 0) continue;
    next[arn] = targets;
    const known = new Set((claims[arn] ?? []).map(groupTargetKey));
    for (const g of targets) {
      wanted.add(groupTargetKey(g));
      if (!known.has(groupTargetKey(g))) taken = true;
      else if (!isActive(stateOf(registered, g))) register.push(g);
    }
  }
  const deregister = Object.values(claims).flatMap((targets) =>
    // The same instance and port may serve a new task already (a fixed host port): it stays.
    targets.filter((g) => !wanted.has(groupTargetKey(g)) && stateOf(registered, g) !== "draining"),
  );
  return { register: byGroup(register), deregister: byGroup(deregister), claims: next, taken };
}

/** Registered and not on its way out already (a draining target is neither in nor to be taken out again). */
const isActive = (state: string | undefined) => state !== undefined && state !== "draining";

function byGroup(targets: GroupTarget[]): TargetChange[] {
  const groups = new Map<string, Target[]>();
  for (const { targetGroupArn, ...target } of unique(targets)) {
    groups.set(targetGroupArn, [...(groups.get(targetGroupArn) ?? []), target]);
  }
  return [...groups].map(([targetGroupArn, list]) => ({ targetGroupArn, targets: list }));
}

/** Claims `a` and `b` together: what a round that failed half-way must not forget. */
export function mergeClaims(a: Claims, b: Claims): Claims {
  const merged: Claims = { ...a };
  for (const [arn, targets] of Object.entries(b)) merged[arn] = unique([...(merged[arn] ?? []), ...targets]);
  return merged;
}

/**
 * A task's standing in its target groups: healthy in all of them, unhealthy in one, not yet
 * either, or unknown (ELBv2 could not be read: no verdict, good or bad).
 */
export interface TargetVerdict {
  state: "healthy" | "unhealthy" | "pending" | "unknown";
  /** The targets ELBv2 finds unhealthy, and why. */
  unhealthy: { targetGroupArn: string; target: Target; reason?: string }[];
}

/**
 * How ELBv2 sees a task's targets. A deployment counts a new task healthy only when every one of
 * its targets is `healthy` (a target not registered yet, or `initial`, is pending); a task with an
 * `unhealthy` target is replaced once past the service's health check grace period.
 */
export function taskTargetHealth(
  loadBalancers: LoadBalancer[],
  t: TargetTask,
  registered: Map<string, TargetHealth[]>,
): TargetVerdict {
  const unhealthy: TargetVerdict["unhealthy"] = [];
  let pending = false;
  for (const lb of loadBalancers) {
    const target = taskTarget(t, lb);
    const group = lb.targetGroupArn as string;
    const found = target && registered.get(group)?.find((r) => targetKey(r) === targetKey(target));
    if (!target || !found) pending = true;
    else if (found.state === "unhealthy") unhealthy.push({ targetGroupArn: group, target, reason: found.reason });
    else if (found.state !== "healthy") pending = true;
  }
  return { state: unhealthy.length > 0 ? "unhealthy" : pending ? "pending" : "healthy", unhealthy };
}

/**
 * Whether a load-balanced task counts healthy as far as its targets go. A task of the PRIMARY
 * deployment must prove it: every target `healthy`. A task of an older deployment counts unless
 * ELBv2 finds it unhealthy: it may never have been registered in the target groups it is judged
 * against (load balancers added by UpdateService), and a pending or unknown verdict must not
 * make the scheduler stop it as unhealthy, below the deployment's healthy floor.
 */
export const targetsHealthy = (verdict: TargetVerdict | undefined, primary: boolean) =>
  primary ? verdict?.state === "healthy" : verdict?.state !== "unhealthy";

/** When a task that starts draining now may be stopped: after the longest deregistration delay of its target groups. */
export const drainedAt = (now: number, delaysSeconds: number[]) => now + Math.max(0, ...delaysSeconds) * 1000;

function unique(targets: GroupTarget[]): GroupTarget[] {
  return [...new Map(targets.map((g) => [groupTargetKey(g), g])).values()];
}
