import type { LoadBalancer, Task } from "@aws-sdk/client-ecs";
import { type Target, type TargetHealth, targetKey } from "../operations/targetGroups.ts";

/**
 * Which targets a load-balanced service's tasks should have in its target groups, as a pure
 * function of the tasks and what ELBv2 has registered now. Level-triggered: a task that serves
 * (RUNNING, meant to run, not draining) is registered; a target of one of the service's tasks
 * that no longer serves is deregistered, whatever stopped it. Targets the service never had (a
 * target group shared with something else) are left alone.
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

/** The targets `tasks` have in `targetGroupArn`, one per task and load balancer entry naming it. */
export function targetsIn(targetGroupArn: string, loadBalancers: LoadBalancer[], tasks: TargetTask[]): Target[] {
  const entries = loadBalancers.filter((lb) => lb.targetGroupArn === targetGroupArn);
  return unique(tasks.flatMap((t) => entries.flatMap((lb) => taskTarget(t, lb) ?? [])));
}

/**
 * Where tasks the scheduler stops stand in one target group (`registered`: its targets now): a
 * target still in it is to be deregistered; one `draining` already was (by an earlier attempt of
 * a round that then retried, before it could record the draining): it drains as well, and its
 * task waits for the delay like the others. A task with neither is registered nowhere here.
 */
export function leavingTargets(
  targetGroupArn: string,
  loadBalancers: LoadBalancer[],
  tasks: TargetTask[],
  registered: TargetHealth[],
): { task: string; target: Target; draining: boolean }[] {
  const states = new Map(registered.map((t) => [targetKey(t), t.state]));
  return tasks.flatMap((t) =>
    targetsIn(targetGroupArn, loadBalancers, [t]).flatMap((target) => {
      const state = states.get(targetKey(target));
      return state === undefined ? [] : [{ task: t.task.taskArn as string, target, draining: state === "draining" }];
    }),
  );
}

/** `registered`: each target group's targets as DescribeTargetHealth gives them. */
export function planTargets(
  loadBalancers: LoadBalancer[],
  tasks: TargetTask[],
  draining: ReadonlySet<string>,
  registered: Map<string, TargetHealth[]>,
): TargetPlan {
  const serving = tasks.filter((t) => isServing(t.task, draining));
  const leaving = tasks.filter((t) => !isServing(t.task, draining));
  const plan: TargetPlan = { register: [], deregister: [] };
  for (const arn of targetGroupsOf(loadBalancers)) {
    // A draining target is on its way out already: it is neither in nor to be taken out again.
    const active = new Set((registered.get(arn) ?? []).filter((t) => t.state !== "draining").map((t) => targetKey(t)));
    const wanted = targetsIn(arn, loadBalancers, serving);
    const wantedKeys = new Set(wanted.map(targetKey));
    const register = wanted.filter((t) => !active.has(targetKey(t)));
    // The same instance and port may serve a new task already (a fixed host port): it stays.
    const deregister = targetsIn(arn, loadBalancers, leaving).filter(
      (t) => active.has(targetKey(t)) && !wantedKeys.has(targetKey(t)),
    );
    if (register.length > 0) plan.register.push({ targetGroupArn: arn, targets: register });
    if (deregister.length > 0) plan.deregister.push({ targetGroupArn: arn, targets: deregister });
  }
  return plan;
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

function unique(targets: Target[]): Target[] {
  const seen = new Map(targets.map((t) => [targetKey(t), t]));
  return [...seen.values()];
}
