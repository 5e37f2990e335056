import type { ResidentTask } from "../placement/types.ts";
import type { ActionContext } from "./context.ts";

/**
 * The live tasks on each container instance of a cluster, as placement and the query language
 * see them (group and lastStatus), optionally only those of one group. Counted by the store, so a
 * cluster with many tasks costs one aggregate read, not a read of every task.
 */
export async function residentsByInstance(
  ctx: ActionContext,
  cluster: string,
  group?: string,
): Promise<Map<string, ResidentTask[]>> {
  const residents = new Map<string, ResidentTask[]>();
  for (const { containerInstanceId, count, ...task } of await ctx.store.countResidentTasks(cluster, group)) {
    const list = residents.get(containerInstanceId) ?? [];
    for (let i = 0; i < count; i++) list.push(task);
    residents.set(containerInstanceId, list);
  }
  return residents;
}
