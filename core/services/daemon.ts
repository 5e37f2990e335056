import { deploymentBounds } from "./bounds.ts";

export interface DaemonTaskView {
  arn: string;
  deploymentId: string;
  containerInstanceId: string;
  healthy: boolean;
}

export interface DaemonView {
  primaryId: string;
  /** ACTIVE instances with a connected agent that satisfy the service's constraints. */
  eligibleInstances: string[];
  tasks: DaemonTaskView[];
  /** ECS's daemon defaults: 0 % healthy minimum, 100 % maximum (one task per instance at most). */
  minimumHealthyPercent?: number;
}

export interface DaemonPlan {
  startOn: string[];
  stop: string[];
  steady: boolean;
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
    if (!eligible.has(task.containerInstanceId) || duplicate) {
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
  const startOn = view.eligibleInstances.filter((id) => !stillThere.has(id));
  return {
    startOn,
    stop,
    steady: startOn.length === 0 && stop.length === 0 && view.tasks.every((t) => t.deploymentId === view.primaryId),
  };
}
