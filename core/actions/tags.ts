import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from "@aws-sdk/client-ecs";
import { parseArn } from "../model/arn.ts";
import type { ActionContext } from "../operations/context.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { invalidParameter, resourceNotFound } from "../protocol/errors.ts";
import { put, type Write } from "../store/port.ts";
import { mergeTags, removeTags, validateTags } from "./tagging.ts";

/**
 * TagResource, UntagResource, ListTagsForResource on what Berth has: clusters, task definitions,
 * tasks, container instances, services and task sets, each named by its ARN. Tags live in each
 * resource's record (a task set's in its service's).
 */

export async function TagResource(input: TagResourceRequest, ctx: ActionContext): Promise<TagResourceResponse> {
  validateTags(input.tags);
  await retryOnConflict(async () => {
    const target = await taggable(ctx, input.resourceArn as string);
    await ctx.store.commit([target.write(mergeTags(target.tags, input.tags ?? []))]);
  });
  return {};
}

export async function UntagResource(input: UntagResourceRequest, ctx: ActionContext): Promise<UntagResourceResponse> {
  await retryOnConflict(async () => {
    const target = await taggable(ctx, input.resourceArn as string);
    await ctx.store.commit([target.write(removeTags(target.tags, input.tagKeys ?? []))]);
  });
  return {};
}

export async function ListTagsForResource(
  input: ListTagsForResourceRequest,
  ctx: ActionContext,
): Promise<ListTagsForResourceResponse> {
  const target = await taggable(ctx, input.resourceArn as string);
  return { tags: target.tags };
}

/** A resource's current tags, and the write that gives it new ones (guarded by the version read). */
interface Taggable {
  tags: Tag[];
  write(tags: Tag[]): Write;
}

const TASK_DEFINITION = /^([a-zA-Z0-9_-]{1,255}):(\d+)$/;

const invalidArn = () => invalidParameter("The ARN provided is invalid.");
const notFound = () => resourceNotFound("The specified resource wasn't found.");
// What ECS answers for a resource in a cluster that is gone (or was never there).
const clusterInactive = () =>
  invalidParameter("The specified cluster is inactive. Specify an active cluster and try again.");

async function taggable(ctx: ActionContext, resourceArn: string): Promise<Taggable> {
  const arn = parseArn(resourceArn);
  if (!arn) throw invalidArn();
  if (arn.region !== ctx.partition.region || arn.accountId !== ctx.partition.accountId) throw notFound();

  switch (arn.type) {
    case "cluster": {
      const record = await ctx.store.getCluster(arn.parts.join("/"));
      if (record?.cluster.status !== "ACTIVE") throw clusterInactive();
      return {
        tags: record.cluster.tags ?? [],
        write: (tags) => put("cluster", { ...record, cluster: { ...record.cluster, tags } }),
      };
    }
    case "capacity-provider": {
      const record = await ctx.store.getCapacityProvider(arn.parts.join("/"));
      if (record?.capacityProvider.status !== "ACTIVE") throw notFound();
      return {
        tags: record.capacityProvider.tags ?? [],
        write: (tags) => put("capacityProvider", { ...record, capacityProvider: { ...record.capacityProvider, tags } }),
      };
    }
    case "task-definition": {
      const m = arn.parts.length === 1 ? TASK_DEFINITION.exec(arn.parts[0]) : null;
      if (!m) throw invalidArn();
      const record = await ctx.store.getTaskDefinition(m[1], Number(m[2]));
      if (!record) throw notFound();
      return { tags: record.tags ?? [], write: (tags) => put("taskDefinition", { ...record, tags }) };
    }
    case "task":
    case "container-instance":
    case "service": {
      // Resources inside a cluster are tagged by their long ARN only: .../<type>/<cluster>/<id>.
      if (arn.parts.length !== 2) throw invalidParameter("Long arn format must be used for tagging operations");
      const [clusterName, id] = arn.parts;
      const cluster = await ctx.store.getCluster(clusterName);
      if (cluster?.cluster.status !== "ACTIVE") throw clusterInactive();
      if (arn.type === "task") {
        const record = await ctx.store.getTask(clusterName, id);
        if (!record) throw notFound();
        return {
          tags: record.task.tags ?? [],
          write: (tags) => put("task", { ...record, task: { ...record.task, tags } }),
        };
      }
      if (arn.type === "container-instance") {
        const record = await ctx.store.getContainerInstance(clusterName, id);
        if (!record) throw notFound();
        return {
          tags: record.instance.tags ?? [],
          write: (tags) => put("containerInstance", { ...record, instance: { ...record.instance, tags } }),
        };
      }
      const record = await ctx.store.getService(clusterName, id);
      if (!record || record.service.status === "INACTIVE") throw notFound();
      return {
        tags: record.service.tags ?? [],
        write: (tags) => put("service", { ...record, service: { ...record.service, tags } }),
      };
    }
    case "task-set": {
      // task-set/<cluster>/<service>/ecs-svc/<digits>: kept in its service's record.
      if (arn.parts.length !== 4) throw invalidArn();
      const [clusterName, serviceName, ...id] = arn.parts;
      const cluster = await ctx.store.getCluster(clusterName);
      if (cluster?.cluster.status !== "ACTIVE") throw clusterInactive();
      const record = await ctx.store.getService(clusterName, serviceName);
      const taskSet = record?.service.taskSets?.find((ts) => ts.id === id.join("/"));
      if (!record || !taskSet) throw notFound();
      const retagged = (tags: Tag[]) => record.service.taskSets?.map((ts) => (ts === taskSet ? { ...ts, tags } : ts));
      return {
        tags: taskSet.tags ?? [],
        write: (tags) => put("service", { ...record, service: { ...record.service, taskSets: retagged(tags) } }),
      };
    }
    default:
      throw invalidArn();
  }
}
