import type { Task } from "@aws-sdk/client-ecs";
import type { TaskRecord } from "../model/records.ts";
import { STOPPED_TASK_RETENTION_MS } from "../model/taskState.ts";
import { releaseWrite } from "../placement/capacity.ts";
import { put, type Write } from "../store/port.ts";
import type { ActionContext } from "./context.ts";
import { instanceChanged } from "./instanceQueue.ts";
import { retryOnConflict } from "./retry.ts";
import { serviceChanged } from "./serviceQueue.ts";

const MAX_ATTEMPTS = 10;

/**
 * Read a task, change it, commit, and retry from a fresh read when something moved in between.
 * A task that reaches STOPPED gives its resources back to its instance in the same commit, and
 * starts to expire. Returns the task as stored afterwards, or undefined if there is no such task.
 */
export async function updateTask(
  ctx: ActionContext,
  cluster: string,
  id: string,
  change: (record: TaskRecord) => TaskRecord | undefined,
): Promise<TaskRecord | undefined> {
  return retryOnConflict(async () => {
    const record = await ctx.store.getTask(cluster, id);
    if (!record) return undefined;
    const next = change(record);
    if (!next) return record;
    const writes: Write[] = [];
    const stopped = next.task.lastStatus === "STOPPED";
    // A task that stops starts to expire (one that waited for capacity held nothing on an instance).
    if (stopped && (next.holdsReservation || next.expiresAt === undefined)) {
      next.expiresAt = (next.task.stoppedAt ?? ctx.now()).getTime() + STOPPED_TASK_RETENTION_MS;
    }
    if (stopped && next.holdsReservation) {
      next.holdsReservation = false;
      const instance =
        next.containerInstanceId && (await ctx.store.getContainerInstance(cluster, next.containerInstanceId));
      if (instance) writes.push(releaseWrite(instance, next.reservation, next.task.group));
    }
    writes.push(put("task", next));
    await ctx.store.commit(writes);
    if (next.containerInstanceId && next.task.desiredStatus !== record.task.desiredStatus) {
      instanceChanged(ctx, cluster, next.containerInstanceId);
    }
    const service = serviceOf(next.task.group);
    if (service && movedForService(record.task, next.task)) serviceChanged(ctx, cluster, service);
    return { ...next, version: record.version + 1 };
  }, MAX_ATTEMPTS);
}

/** The service a task belongs to, from the group ECS gives service tasks (`service:NAME`). */
const serviceOf = (group: string | undefined) => (group?.startsWith("service:") ? group.slice(8) : undefined);

/** What the service scheduler decides on: a service task's status, desired status or health. */
const movedForService = (before: Task, after: Task) =>
  before.lastStatus !== after.lastStatus ||
  before.desiredStatus !== after.desiredStatus ||
  before.healthStatus !== after.healthStatus;
