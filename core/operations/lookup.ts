import { clusterName, containerInstanceArn, lastSegment, parseArn } from "../model/arn.ts";
import type { ClusterRecord, ContainerInstanceRecord } from "../model/records.ts";
import { clusterNotFound } from "../protocol/errors.ts";
import type { ActionContext } from "./context.ts";

/**
 * The ACTIVE cluster a request names, or ClusterNotFoundException (`notFound` for the actions
 * whose model does not list that error).
 */
export async function activeCluster(
  ctx: ActionContext,
  ref: string | undefined,
  notFound: () => Error = clusterNotFound,
): Promise<ClusterRecord> {
  const record = await ctx.store.getCluster(clusterName(ref));
  if (record?.cluster.status !== "ACTIVE") throw notFound();
  return record;
}

/**
 * The id in a reference to a resource inside a cluster (task, container instance): a bare id or
 * an ARN whose cluster must be the one the request is about.
 */
export function idInCluster(ref: string, cluster: string, type: string): string | undefined {
  if (!ref.startsWith("arn:")) return ref.includes("/") ? undefined : ref;
  const arn = parseArn(ref);
  if (!arn || arn.type !== type) return undefined;
  // Long ARNs carry the cluster; short (legacy) ARNs carry only the id.
  if (arn.parts.length === 2 && arn.parts[0] !== cluster) return undefined;
  return lastSegment(ref);
}

/** The container instance a reference (id or ARN) names in a cluster, whatever its status. */
export async function findContainerInstance(
  ctx: ActionContext,
  cluster: string,
  ref: string,
): Promise<ContainerInstanceRecord | undefined> {
  const id = idInCluster(ref, cluster, "container-instance");
  return id === undefined ? undefined : ctx.store.getContainerInstance(cluster, id);
}

/** The ARN to show in a `failures[]` entry for a container instance reference. */
export const containerInstanceRefArn = (ctx: ActionContext, cluster: string, ref: string) =>
  ref.startsWith("arn:") ? ref : containerInstanceArn(ctx.partition, cluster, ref);

/**
 * What a Describe action answers for a list of references: each one found, described, in the
 * order asked; each one not found a `failures[]` entry, MISSING, with the ARN ECS shows for it.
 */
export async function describeEach<R, D>(
  refs: string[],
  find: (ref: string) => Promise<R | undefined>,
  describe: (record: R) => D | Promise<D>,
  missingArn: (ref: string) => string,
): Promise<{ described: D[]; failures: { arn: string; reason: "MISSING" }[] }> {
  const described: D[] = [];
  const failures: { arn: string; reason: "MISSING" }[] = [];
  for (const ref of refs) {
    const record = await find(ref);
    if (record) described.push(await describe(record));
    else failures.push({ arn: missingArn(ref), reason: "MISSING" });
  }
  return { described, failures };
}

/**
 * How describeEach finds references to one type of resource inside a cluster (a bare id or an
 * ARN in that cluster), and the ARN a missing one is reported with (the reference as given when
 * it names no id of this cluster).
 */
export function inCluster<R>(
  cluster: string,
  type: string,
  get: (id: string) => Promise<R | undefined>,
  arnOf: (id: string) => string,
): { find: (ref: string) => Promise<R | undefined>; missingArn: (ref: string) => string } {
  return {
    find: async (ref) => {
      const id = idInCluster(ref, cluster, type);
      return id ? get(id) : undefined;
    },
    missingArn: (ref) => {
      const id = idInCluster(ref, cluster, type);
      return id ? arnOf(id) : ref;
    },
  };
}
