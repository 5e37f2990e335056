import { taskDefinitionFamily } from "../../../model/arn.ts";
import type { TaskRecord } from "../../../model/records.ts";

/**
 * Tasks: a cluster's share a partition, sorted by id (ListTasks' order). Secondary partitions,
 * all sorted by id too, so a page cursor is a task id whichever one a list reads:
 * - byStatus: the cluster's tasks with one desiredStatus (ListTasks always names one);
 * - byInstance: the tasks placed on one container instance (only placed tasks have it);
 * - liveTasks: the tasks not STOPPED (a sparse index: a task leaves it when it stops), projecting
 *   only what the counters and placement read; sorted by group first, so that placement counting
 *   one group's tasks (spread, distinctInstance) reads only those.
 * The attributes lists filter on sit beside the record's data.
 */
export const tasksOf = (cluster: string) => `TASKS#${cluster}`;

export const taskKey = (cluster: string, id: string) => ({ pk: tasksOf(cluster), sk: id });

export const tasksWithDesiredStatus = (cluster: string, status: string) => `TASKS#${cluster}#${status}`;
export const tasksOnInstance = (cluster: string, containerInstanceId: string) =>
  `TASKS#${cluster}#ON#${containerInstanceId}`;
export const liveTasksOf = (cluster: string) => `TASKS#${cluster}`;
/** Where a group's tasks start in liveTasks. A group may hold '#': readers check the group itself too. */
export const groupPrefix = (group: string | undefined) => `${group ?? ""}#`;

export const taskAttributes = (r: Omit<TaskRecord, "version">) => {
  const { desiredStatus, lastStatus, startedBy, group, taskDefinitionArn } = r.task;
  return {
    ...taskKey(r.cluster, r.id),
    ...(desiredStatus && { gsi2pk: tasksWithDesiredStatus(r.cluster, desiredStatus), gsi2sk: r.id }),
    ...(r.containerInstanceId && { gsi3pk: tasksOnInstance(r.cluster, r.containerInstanceId), gsi3sk: r.id }),
    ...(lastStatus !== "STOPPED" && { gsi4pk: liveTasksOf(r.cluster), gsi4sk: `${groupPrefix(group)}${r.id}` }),
    desiredStatus,
    lastStatus,
    family: taskDefinitionArn && taskDefinitionFamily(taskDefinitionArn),
    startedBy,
    group,
    containerInstanceId: r.containerInstanceId,
  };
};
