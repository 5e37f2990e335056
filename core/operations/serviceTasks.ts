import type { TaskRecord } from "../model/records.ts";
import { serviceGroup } from "../model/service.ts";
import { allItems } from "../store/paging.ts";
import type { ActionContext } from "./context.ts";

/**
 * Every task of a service the store still has: live ones and those stopped within the last hour
 * (the scheduler learns failed starts from them). Found by the group ECS gives service tasks.
 */
export async function serviceTasks(ctx: ActionContext, cluster: string, name: string): Promise<TaskRecord[]> {
  return allItems((page) => ctx.store.listTasks({ cluster, group: serviceGroup(name) }, page));
}
