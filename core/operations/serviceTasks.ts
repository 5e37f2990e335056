import type { TaskRecord } from "../model/records.ts";
import { serviceGroup } from "../model/service.ts";
import type { ActionContext } from "./context.ts";

/** Tasks read per page: a service rarely has more, and each page is one indexed read. */
const PAGE = 100;

/**
 * Every task of a service the store still has: live ones and those stopped within the last hour
 * (the scheduler learns failed starts from them). Found by the group ECS gives service tasks.
 */
export async function serviceTasks(ctx: ActionContext, cluster: string, name: string): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  let after: string | undefined;
  do {
    const page = await ctx.store.listTasks({ cluster, group: serviceGroup(name) }, { limit: PAGE, after });
    tasks.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return tasks;
}
