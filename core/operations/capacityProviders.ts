import type { CapacityProvider, CapacityProviderStrategyItem } from "@aws-sdk/client-ecs";
import { capacityProviderArn, lastSegment } from "../model/arn.ts";
import {
  AUTOSCALING_GROUP_ATTRIBUTE,
  autoScalingGroupName,
  checkStrategy,
  isFargateProvider,
} from "../model/capacityProvider.ts";
import type { CapacityProviderRecord, ClusterRecord } from "../model/records.ts";
import { clientException, invalidParameter } from "../protocol/errors.ts";
import { allItems } from "../store/paging.ts";
import type { ActionContext } from "./context.ts";

/** The name in a capacity provider reference: a short name or an ARN. */
export const capacityProviderName = (ref: string) => (ref.startsWith("arn:") ? lastSegment(ref) : ref);

/** FARGATE and FARGATE_SPOT as ECS describes them: ACTIVE, predefined, with no Auto Scaling group. */
export const fargateProvider = (ctx: ActionContext, name: string): CapacityProvider => ({
  capacityProviderArn: capacityProviderArn(ctx.partition, name),
  name,
  status: "ACTIVE",
  tags: [],
});

/** The ACTIVE capacity provider a request names, or ECS's ClientException. */
export async function activeCapacityProvider(ctx: ActionContext, ref: string): Promise<CapacityProviderRecord> {
  const record = await ctx.store.getCapacityProvider(capacityProviderName(ref));
  if (record?.capacityProvider.status !== "ACTIVE") {
    throw clientException(
      "The specified capacity provider does not exist. Specify a valid capacity provider and try again.",
    );
  }
  return record;
}

/** The ACTIVE clusters a capacity provider is associated with (an Auto Scaling group provider has at most one). */
export async function clustersUsing(ctx: ActionContext, name: string): Promise<ClusterRecord[]> {
  if (isFargateProvider(name)) return [];
  const clusters = await allItems((page) => ctx.store.listClusters(page));
  return clusters.filter((c) => c.cluster.status === "ACTIVE" && c.cluster.capacityProviders?.includes(name));
}

/** Whether a cluster's live tasks, services or task sets use a capacity provider (it cannot be taken from the cluster then). */
export async function providerInUse(ctx: ActionContext, cluster: string, name: string): Promise<boolean> {
  let after: string | undefined;
  do {
    const page = await ctx.store.listTasks({ cluster, notStopped: true }, { limit: 100, after });
    if (page.items.some((t) => t.task.capacityProviderName === name)) return true;
    after = page.next;
  } while (after !== undefined);
  const services = await allItems((page) => ctx.store.listServices({ cluster, live: true }, page));
  const strategies = services.flatMap((s) => [
    s.service.capacityProviderStrategy ?? [],
    ...(s.service.taskSets ?? []).map((ts) => ts.capacityProviderStrategy ?? []),
  ]);
  return strategies.some((strategy) => strategy.some((item) => item.capacityProvider === name));
}

/**
 * The providers a cluster may be given (CreateCluster, PutClusterCapacityProviders): Fargate's,
 * or ACTIVE Auto Scaling group providers that no other cluster has (ECS lets each such provider
 * serve one cluster, whose tasks its group's instances hold).
 */
export async function checkClusterProviders(ctx: ActionContext, cluster: string, names: string[]): Promise<void> {
  if (new Set(names).size !== names.length) {
    throw invalidParameter("The specified capacity providers cannot contain duplicates.");
  }
  for (const name of names) {
    if (isFargateProvider(name)) continue;
    const record = await ctx.store.getCapacityProvider(name);
    if (record?.capacityProvider.status !== "ACTIVE") {
      throw invalidParameter(
        `The specified capacity provider '${name}' is not in an ACTIVE state. Specify a valid capacity provider and try again.`,
      );
    }
    const other = (await clustersUsing(ctx, name)).find((c) => c.name !== cluster);
    if (other) {
      throw invalidParameter(
        `The specified capacity provider '${name}' is already associated with cluster ${other.name}. A capacity provider that uses an Auto Scaling group can be associated with one cluster only.`,
      );
    }
  }
}

/** A strategy's providers, each with the Auto Scaling group whose instances take its tasks. */
export interface LaunchStrategy {
  strategy: CapacityProviderStrategyItem[];
  groups: Map<string, string>;
}

/**
 * The capacity provider strategy a RunTask or a service follows: the one given, else (without a
 * launch type) the cluster's default; none means the EC2 launch type. Both at once are refused,
 * as ECS refuses them; so are Fargate's providers, on which Berth cannot run anything.
 */
export async function launchStrategy(
  ctx: ActionContext,
  cluster: ClusterRecord,
  input: { launchType?: string; capacityProviderStrategy?: CapacityProviderStrategyItem[] },
): Promise<LaunchStrategy | undefined> {
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalidParameter(
      "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
    );
  }
  const given = input.capacityProviderStrategy?.length
    ? input.capacityProviderStrategy
    : input.launchType
      ? []
      : (cluster.cluster.defaultCapacityProviderStrategy ?? []);
  if (given.length === 0) return undefined;
  const strategy = checkStrategy(given, cluster.cluster.capacityProviders ?? []);
  if (strategy.some((item) => isFargateProvider(item.capacityProvider))) {
    throw invalidParameter(
      "The FARGATE and FARGATE_SPOT capacity providers cannot run tasks on Berth: Berth runs tasks on EC2 container instances. Use a capacity provider with an Auto Scaling group, or the EC2 launch type.",
    );
  }
  const groups = new Map<string, string>();
  for (const item of strategy) {
    const record = await activeCapacityProvider(ctx, item.capacityProvider ?? "");
    groups.set(
      record.name,
      autoScalingGroupName(record.capacityProvider.autoScalingGroupProvider?.autoScalingGroupArn ?? ""),
    );
  }
  return { strategy, groups };
}

/**
 * The cluster's capacity provider whose Auto Scaling group an instance names (its
 * `berth.autoscaling-group` attribute), as ECS names an instance's provider when it registers.
 */
export async function providerOfInstance(
  ctx: ActionContext,
  cluster: ClusterRecord,
  attributes: { name?: string; value?: string }[],
): Promise<string | undefined> {
  const group = attributes.find((a) => a.name === AUTOSCALING_GROUP_ATTRIBUTE)?.value;
  if (!group) return undefined;
  for (const name of cluster.cluster.capacityProviders ?? []) {
    if (isFargateProvider(name)) continue;
    const record = await ctx.store.getCapacityProvider(name);
    if (autoScalingGroupName(record?.capacityProvider.autoScalingGroupProvider?.autoScalingGroupArn ?? "") === group) {
      return name;
    }
  }
  return undefined;
}
