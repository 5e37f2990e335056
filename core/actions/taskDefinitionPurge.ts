import type { Service } from "@aws-sdk/client-ecs";
import type { TaskDefinitionRecord } from "../model/records.ts";
import type { ActionContext } from "../operations/context.ts";
import { everyItem } from "../store/paging.ts";
import { ConflictError, put } from "../store/port.ts";

/**
 * Deletes the DELETE_IN_PROGRESS revisions nothing uses any more, as ECS does: a revision stays
 * DELETE_IN_PROGRESS while a task of it is not STOPPED (in any cluster) or a live service's
 * deployment runs it, and is then deleted: its record expires, so it is no longer described or
 * listed, while the stores keep it as its family's high mark (revisions are never reused).
 * Services are read before tasks: no service can take up a DELETE_IN_PROGRESS revision, so a
 * task started for one that no longer references it was committed before that read, and the
 * task read sees it. Level-triggered, for the periodic sweep: a revision still in use is looked
 * at again next time; a purge that loses a race (ConflictError) is left to the next sweep.
 * Returns how many revisions it deleted.
 */
export async function purgeDeletedTaskDefinitions(ctx: ActionContext): Promise<number> {
  const deleting: TaskDefinitionRecord[] = [];
  for await (const r of everyItem((page) => ctx.store.listTaskDefinitions({ status: "DELETE_IN_PROGRESS" }, page)))
    deleting.push(r);
  if (deleting.length === 0) return 0;

  const inUse = new Set((await ctx.store.listLiveServices()).flatMap((s) => serviceTaskDefinitions(s.service)));
  const unused = deleting.filter((r) => !inUse.has(arnOf(r)));
  if (unused.length === 0) return 0;
  // One read of each cluster's live tasks, whatever the number of families waiting.
  for await (const cluster of everyItem((page) => ctx.store.listClusters(page))) {
    const live = everyItem((page) => ctx.store.listTasks({ cluster: cluster.name, notStopped: true }, page));
    for await (const { task } of live) inUse.add(task.taskDefinitionArn as string);
  }

  let purged = 0;
  for (const record of unused) {
    if (inUse.has(arnOf(record))) continue;
    try {
      await ctx.store.commit([put("taskDefinition", { ...record, expiresAt: ctx.now().getTime() })]);
      purged++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return purged;
}

const arnOf = (record: TaskDefinitionRecord) => record.taskDefinition.taskDefinitionArn as string;

/** The revisions a service runs: its own and each of its deployments' and task sets'. */
const serviceTaskDefinitions = (service: Service) =>
  [
    service.taskDefinition,
    ...(service.deployments ?? []).map((d) => d.taskDefinition),
    ...(service.taskSets ?? []).map((ts) => ts.taskDefinition),
  ].filter((arn): arn is string => arn !== undefined);
