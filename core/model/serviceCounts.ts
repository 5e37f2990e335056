import type { Deployment, Service, Task } from "@aws-sdk/client-ecs";
import { computedDesiredCount } from "./taskSet.ts";
import { isPendingStatus } from "./taskState.ts";

/**
 * runningCount and pendingCount of a service and of each of its deployments and task sets (with
 * a task set's computedDesiredCount), from its tasks as
 * they are now (a task belongs to the deployment that started it: startedBy). Derived on every
 * read rather than stored, so they are never stale. A task the scheduler asked to stop counts
 * until its agent reports it STOPPED, as on ECS.
 */
export function withCounts(service: Service, tasks: Task[]): Service {
  const live = tasks.filter((t) => t.lastStatus !== "STOPPED");
  const count = (of: Task[]) => ({
    runningCount: of.filter((t) => t.lastStatus === "RUNNING").length,
    pendingCount: of.filter((t) => isPendingStatus(t.lastStatus)).length,
  });
  const deployments = (service.deployments ?? []).map(
    (d): Deployment => ({ ...d, ...count(live.filter((t) => t.startedBy === d.id)) }),
  );
  if (!service.taskSets) return { ...service, ...count(live), deployments };
  const taskSets = service.taskSets.map((ts) => ({
    ...ts,
    computedDesiredCount: computedDesiredCount(service, ts),
    ...count(live.filter((t) => t.startedBy === ts.id)),
  }));
  return { ...service, ...count(live), deployments, taskSets };
}
