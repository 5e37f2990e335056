import type { Service } from "@aws-sdk/client-ecs";
import type { TaskRecord } from "../model/records.ts";
import { withStability } from "../model/taskSet.ts";
import type { Decision } from "./decide.ts";

/**
 * An EXTERNAL service after a round: each task set STEADY_STATE once it runs its computed count,
 * every task healthy and none to replace, else STABILIZING (stabilityStatusAt: when that last
 * changed); a DRAINING task set leaves the list once none of its tasks is left, stopping or not.
 * Pure; a round that changes nothing leaves the service as it was.
 */
export function nextTaskSets(service: Service, decision: Decision, leftOver: TaskRecord[], now: Date): Service {
  const steady = new Set(decision.steadySets ?? []);
  const holding = new Set(leftOver.map((t) => t.task.startedBy));
  const taskSets = (service.taskSets ?? [])
    .filter((ts) => ts.status !== "DRAINING" || holding.has(ts.id))
    .map((ts) => withStability(ts, steady.has(ts.id as string) && ts.status !== "DRAINING", now));
  const same = taskSets.length === service.taskSets?.length && taskSets.every((ts, i) => ts === service.taskSets?.[i]);
  return same ? service : { ...service, taskSets };
}
