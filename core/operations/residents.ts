import type { ContainerInstanceRecord } from "../model/records.ts";
import type { Candidate, ResidentTask } from "../placement/types.ts";
import type { ActionContext } from "./context.ts";

/** Which of the tasks already on the instances a placement or a cluster query needs to see. */
export interface ResidentsNeeded {
  /** Only this group's tasks (spread, distinctInstance); every group's when absent (task:group). */
  group?: string;
  /** Their lastStatus too (the query language's runningTasksCount), which only the tasks know. */
  lastStatus: boolean;
}

/**
 * The instances as candidates, each with its live tasks as placement and the query language see
 * them. Their groups come with the instances already read (each counts its tasks per group), so
 * a cluster with many tasks costs no read of them, but when their lastStatus matters: then the
 * store counts the cluster's live tasks per instance, group and lastStatus.
 */
export async function withResidents(
  ctx: ActionContext,
  cluster: string,
  instances: ContainerInstanceRecord[],
  needed: ResidentsNeeded,
): Promise<Candidate[]> {
  const residents = needed.lastStatus ? await countedTasks(ctx, cluster, needed.group) : undefined;
  return instances.map((record) => ({
    record,
    tasks: residents ? (residents.get(record.id) ?? []) : groupTasks(record, needed.group),
  }));
}

/**
 * Is the query language asking for lastStatus? `runningTasksCount` counts RUNNING tasks; a
 * record's runningTasksCount is derived only when described, so the tasks must say.
 */
export const needsLastStatus = (expressions: (string | undefined)[]) =>
  expressions.some((e) => e?.includes("runningTasksCount"));

/**
 * The instance's tasks from its counts per group: a group and no lastStatus each. Made once per
 * frozen record (the stores share their decoded records between launches, and a launch changes
 * few of them), so that a launch does not rebuild every task of the cluster; frozen, as shared.
 */
function groupTasks(record: ContainerInstanceRecord, only: string | undefined): readonly ResidentTask[] {
  if (!Object.isFrozen(record)) return tasksOfGroups(record, only);
  let byGroup = groupTasksOf.get(record);
  if (!byGroup) {
    byGroup = new Map();
    groupTasksOf.set(record, byGroup);
  }
  let tasks = byGroup.get(only);
  if (!tasks) {
    tasks = Object.freeze(tasksOfGroups(record, only));
    byGroup.set(only, tasks);
  }
  return tasks;
}

const groupTasksOf = new WeakMap<ContainerInstanceRecord, Map<string | undefined, readonly ResidentTask[]>>();

function tasksOfGroups(record: ContainerInstanceRecord, only: string | undefined): ResidentTask[] {
  const tasks: ResidentTask[] = [];
  for (const [group, count] of Object.entries(record.residentGroups ?? {})) {
    if (only !== undefined && group !== only) continue;
    // One object for the group's tasks: nothing changes a resident task.
    const task: ResidentTask = Object.freeze({ group });
    for (let i = 0; i < count; i++) tasks.push(task);
  }
  return tasks;
}

/** The live tasks on each container instance, with their lastStatus, from the store's counts of the tasks. */
async function countedTasks(ctx: ActionContext, cluster: string, group?: string): Promise<Map<string, ResidentTask[]>> {
  const residents = new Map<string, ResidentTask[]>();
  for (const { containerInstanceId, count, ...task } of await ctx.store.countResidentTasks(cluster, group)) {
    const list = residents.get(containerInstanceId) ?? [];
    for (let i = 0; i < count; i++) list.push(task);
    residents.set(containerInstanceId, list);
  }
  return residents;
}
