import { circuitBreakerThreshold, deploymentBounds, SETTLE_MS, startBackoffMs } from "./bounds.ts";

/** A deployment as the controller needs it; the first in a service's list is the PRIMARY. */
export interface DeploymentView {
  id: string;
  rolloutState: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  failedTasks: number;
}

/** One of the service's tasks that is still meant to run (desiredStatus RUNNING). */
export interface ServiceTaskView {
  arn: string;
  deploymentId: string;
  /** RUNNING, and HEALTHY when its containers have health checks. */
  healthy: boolean;
  /** Its instance is DRAINING, or its agent is lost: replace it, then stop it. */
  evicted: boolean;
  /** When it started RUNNING (epoch ms), if known. */
  startedAt?: number;
  /** Protected by UpdateTaskProtection: neither scale-in nor a deployment stops it until that expires. */
  protected?: boolean;
}

export interface ReplicaView {
  desiredCount: number;
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** PRIMARY first, then the older ACTIVE deployments. */
  deployments: DeploymentView[];
  tasks: ServiceTaskView[];
  /** The tasks in the order scale-in stops them, by the placement strategy (scaleIn.ts); by health when absent. */
  scaleInOrder?: string[];
  /** Consecutive tasks of the primary that stopped before becoming healthy, and when the last did. */
  consecutiveFailures: number;
  lastFailureAt?: number;
  /** The back-off's first wait (startBackoffMs' default when absent). */
  backoffBaseMs?: number;
  now: number;
}

export interface ReplicaPlan {
  /** Tasks of the primary deployment to start now. */
  start: number;
  /** Tasks to stop, in the order given. */
  stop: string[];
  /** The primary's rollout state after this round. */
  rolloutState: DeploymentView["rolloutState"];
  /** The circuit breaker tripped with rollback on: the last COMPLETED deployment should become primary. */
  rollback: boolean;
  /** Older deployments with no task left: they leave the list. */
  retire: string[];
  /** When starts are held back after failures, the time they may resume. */
  retryAt?: number;
  /** Everything matches the desired state. */
  steady: boolean;
}

/**
 * One round of the REPLICA scheduler for a service, as a pure function of what is there now. It
 * is called again after every change, so each round only takes the steps the bounds allow now:
 * start primary tasks up to the ceiling (maximumPercent), stop tasks that are not healthy anyway,
 * then stop healthy old or evicted tasks down to the floor (minimumHealthyPercent).
 */
export function planReplica(view: ReplicaView): ReplicaPlan {
  const [primary, ...older] = view.deployments;
  const { minHealthy, maxRunning } = deploymentBounds(
    view.desiredCount,
    view.minimumHealthyPercent,
    view.maximumPercent,
  );

  // Circuit breaker: too many failed starts fail the deployment, which then starts nothing more.
  let rolloutState = primary.rolloutState;
  const tripped = view.circuitBreaker?.enable && primary.failedTasks >= circuitBreakerThreshold(view.desiredCount);
  if (tripped && rolloutState === "IN_PROGRESS") rolloutState = "FAILED";
  const rollback =
    rolloutState === "FAILED" && (view.circuitBreaker?.rollback ?? false) && lastCompleted(older) !== undefined;

  const current = view.tasks.filter((t) => t.deploymentId === primary.id && !t.evicted);
  const replaced = view.tasks.filter((t) => t.deploymentId !== primary.id || t.evicted);
  const stop: string[] = [];

  // Scale in: the primary's surplus goes first, in scale-in order (not yet healthy ones first),
  // protected tasks never: the service stays above its desired count until their protection ends.
  const rank = new Map(view.scaleInOrder?.map((arn, i) => [arn, i]));
  const ranked = view.scaleInOrder
    ? [...current].sort((a, b) => (rank.get(a.arn) ?? -1) - (rank.get(b.arn) ?? -1))
    : byHealth(current).reverse();
  const surplus = ranked.filter((t) => !t.protected).slice(0, Math.max(0, current.length - view.desiredCount));
  stop.push(...surplus.map((t) => t.arn));
  const kept = current.filter((t) => !stop.includes(t.arn));

  // Start: up to the desired count, never above the ceiling, and not while backing off.
  const retryAt =
    view.consecutiveFailures > 0 && view.lastFailureAt !== undefined
      ? view.lastFailureAt + startBackoffMs(view.consecutiveFailures, view.backoffBaseMs)
      : undefined;
  const holding = rolloutState === "FAILED" || (retryAt !== undefined && retryAt > view.now);
  const running = kept.length + replaced.length;
  const start = holding ? 0 : Math.max(0, Math.min(view.desiredCount - kept.length, maxRunning - running));

  // Stop what is being replaced: unhealthy ones cost no healthy capacity; healthy ones only down
  // to the floor, counting the healthy tasks that have run for the settle time: a revision whose
  // program exits a moment after it starts is RUNNING for that moment, and must not take the
  // place of tasks that keep running (nor complete its deployment, past its circuit breaker).
  const settled = (t: ServiceTaskView) =>
    t.healthy && (t.startedAt === undefined || view.now - t.startedAt >= SETTLE_MS);
  const healthy = kept.filter(settled).length + replaced.filter(settled).length;
  let stoppable = healthy - minHealthy;
  for (const task of byHealth(replaced).reverse()) {
    // A deployment waits for protected tasks: they stop once their protection has expired.
    if (task.protected) continue;
    if (!task.healthy) stop.push(task.arn);
    else if (stoppable > 0) {
      stop.push(task.arn);
      stoppable--;
    }
  }

  const left = new Set(replaced.filter((t) => !stop.includes(t.arn)).map((t) => t.deploymentId));
  const retire = older.filter((d) => !left.has(d.id)).map((d) => d.id);
  const done =
    kept.length === view.desiredCount && kept.every((t) => t.healthy) && replaced.length === 0 && start === 0;
  if (done && rolloutState === "IN_PROGRESS") rolloutState = "COMPLETED";
  return {
    start,
    stop,
    rolloutState,
    rollback,
    retire: done ? older.map((d) => d.id) : retire,
    retryAt: holding && rolloutState !== "FAILED" ? retryAt : undefined,
    steady: done && stop.length === 0 && older.length === 0,
  };
}

/** The deployment a rollback returns to: the newest older one that completed. */
export const lastCompleted = (older: DeploymentView[]) => older.find((d) => d.rolloutState === "COMPLETED");

/** Healthy tasks first: the last ones are the cheapest to stop. */
const byHealth = (tasks: ServiceTaskView[]) => [...tasks].sort((a, b) => Number(b.healthy) - Number(a.healthy));
