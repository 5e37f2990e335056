import { deploymentBounds } from "./bounds.ts";
import { type CrashStreak, retryAfter } from "./crashLoop.ts";

export interface DaemonTaskView {
  arn: string;
  deploymentId: string;
  containerInstanceId: string;
  healthy: boolean;
  /** Protected by UpdateTaskProtection: not stopped, by a deployment or otherwise, until that expires. */
  protected?: boolean;
}

export interface DaemonView {
  primaryId: string;
  /** ACTIVE instances with a connected agent that satisfy the service's constraints. */
  eligibleInstances: string[];
  tasks: DaemonTaskView[];
  /** ECS's daemon defaults: 0 % healthy minimum, 100 % maximum (one task per instance at most). */
  minimumHealthyPercent?: number;
  /** Per instance: the primary's tasks that crashed there in a row (crashLoop.ts), for the start back-off. */
  crashes?: Map<string, CrashStreak>;
  /** The back-off's first wait (startBackoffMs' default when absent). */
  backoffBaseMs?: number;
  now?: number;
}

export interface DaemonPlan {
  startOn: string[];
  stop: string[];
  steady: boolean;
  /** Instances whose start is held back by the crash back-off, and the earliest time one may start. */
  held?: string[];
  retryAt?: number;
}

/**
 * One round of the DAEMON scheduler: one primary task on every eligible instance. Tasks on
 * instances that are no longer eligible (drained, deregistered, constraint no longer met) stop;
 * an instance with an old deployment's task has it stopped before the new one starts (at most
 * one task per instance), keeping the healthy floor over the whole service.
 */
export function planDaemon(view: DaemonView): DaemonPlan {
  const eligible = new Set(view.eligibleInstances);
  const stop: string[] = [];
  const occupied = new Set<string>();
  const { minHealthy } = deploymentBounds(view.eligibleInstances.length, view.minimumHealthyPercent ?? 0, 100);
  let stoppable = view.tasks.filter((t) => t.healthy).length - minHealthy;

  for (const task of view.tasks) {
    const current = task.deploymentId === view.primaryId;
    const duplicate = occupied.has(task.containerInstanceId) && current;
    if (task.protected) {
      occupied.add(task.containerInstanceId);
    } else if (!eligible.has(task.containerInstanceId) || duplicate) {
      stop.push(task.arn);
    } else if (!current && (!task.healthy || stoppable-- > 0)) {
      stop.push(task.arn);
      occupied.add(task.containerInstanceId);
    } else {
      occupied.add(task.containerInstanceId);
    }
  }
  // An instance whose old task is stopping gets its new task in a later round, once it is gone.
  const stillThere = new Set(view.tasks.map((t) => t.containerInstanceId));
  const wanted = view.eligibleInstances.filter((id) => !stillThere.has(id));
  // The crash back-off is per instance: one bad host does not hold the others back.
  const retryAt = new Map(wanted.map((id) => [id, retryAfter(view.crashes?.get(id), view.backoffBaseMs)]));
  const held = wanted.filter((id) => (retryAt.get(id) ?? 0) > (view.now ?? 0));
  const plan: DaemonPlan = {
    startOn: wanted.filter((id) => !held.includes(id)),
    stop,
    steady: wanted.length === 0 && stop.length === 0 && view.tasks.every((t) => t.deploymentId === view.primaryId),
  };
  if (held.length === 0) return plan;
  return { ...plan, held, retryAt: Math.min(...held.map((id) => retryAt.get(id) as number)) };
}
