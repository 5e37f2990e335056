import type {
  Cluster,
  ClusterField,
  CreateClusterRequest,
  CreateClusterResponse,
  DeleteClusterRequest,
  DeleteClusterResponse,
  DescribeClustersRequest,
  DescribeClustersResponse,
  ListClustersRequest,
  ListClustersResponse,
  PutClusterCapacityProvidersRequest,
  PutClusterCapacityProvidersResponse,
  UpdateClusterRequest,
  UpdateClusterResponse,
  UpdateClusterSettingsRequest,
  UpdateClusterSettingsResponse,
} from "@aws-sdk/client-ecs";
import { clusterArn, clusterName } from "../model/arn.ts";
import { checkStrategy } from "../model/capacityProvider.ts";
import type { ClusterRecord } from "../model/records.ts";
import { effectiveSetting } from "../operations/accountSettings.ts";
import { providerInUse, providerOwnershipWrites } from "../operations/capacityProviders.ts";
import type { ActionContext } from "../operations/context.ts";
import { activeCluster, describeEach } from "../operations/lookup.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { EcsError, invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";
import { put } from "../store/port.ts";
import { nextToken, pageRequest } from "./pagination.ts";
import { validateTags } from "./tagging.ts";

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
/** How long an INACTIVE cluster stays visible to DescribeClusters, as on ECS. */
const INACTIVE_RETENTION_MS = 60 * 60 * 1000;

/** CreateCluster answers with the cluster's settings and configuration, which DescribeClusters shows only on request. */
const CREATED: ClusterField[] = ["SETTINGS", "CONFIGURATIONS"];
/** How often a commit of a cluster's provider list is tried again after losing a race. */
const MAX_ATTEMPTS = 5;

export async function CreateCluster(input: CreateClusterRequest, ctx: ActionContext): Promise<CreateClusterResponse> {
  const name = input.clusterName ?? "default";
  if (!CLUSTER_NAME.test(name)) {
    throw invalidParameter(
      "Cluster name can have up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.",
    );
  }
  validateTags(input.tags);
  validateSettings(input.settings);
  const capacityProviders = input.capacityProviders ?? [];
  return retryOnConflict(async () => {
    const existing = await ctx.store.getCluster(name);
    const owned = await providerOwnershipWrites(ctx, name, [], capacityProviders);
    const defaultCapacityProviderStrategy = checkStrategy(
      input.defaultCapacityProviderStrategy ?? [],
      capacityProviders,
    );
    // CreateCluster is idempotent on an active name: ECS answers with the cluster as it is.
    if (existing?.cluster.status === "ACTIVE") return { cluster: await describe(ctx, existing, CREATED) };
    // Without settings, Container Insights as the account's containerInsights setting says.
    const insights = input.settings?.length ? undefined : await effectiveSetting(ctx, "containerInsights");
    const record: Omit<ClusterRecord, "version"> & { version?: number } = {
      ...existing,
      name,
      expiresAt: undefined,
      cluster: {
        clusterArn: clusterArn(ctx.partition, name),
        clusterName: name,
        status: "ACTIVE",
        settings: input.settings?.length ? input.settings : [{ name: "containerInsights", value: insights?.value }],
        configuration: input.configuration,
        serviceConnectDefaults: input.serviceConnectDefaults,
        capacityProviders,
        defaultCapacityProviderStrategy,
        tags: input.tags ?? [],
      },
    };
    await ctx.store.commit([put("cluster", record as ClusterRecord), ...owned]);
    return { cluster: await describe(ctx, record as ClusterRecord, CREATED) };
  }, MAX_ATTEMPTS);
}

export async function DescribeClusters(
  input: DescribeClustersRequest,
  ctx: ActionContext,
): Promise<DescribeClustersResponse> {
  const refs = input.clusters?.length ? input.clusters : ["default"];
  if (refs.length > MAX_REFERENCES.DescribeClusters) {
    throw invalidParameter(`clusters can have at most ${MAX_REFERENCES.DescribeClusters} items.`);
  }
  const { described, failures } = await describeEach(
    refs,
    (ref) => ctx.store.getCluster(clusterName(ref)),
    (record) => describe(ctx, record, input.include ?? []),
    (ref) => clusterArn(ctx.partition, clusterName(ref)),
  );
  return { clusters: described, failures };
}

export async function ListClusters(input: ListClustersRequest, ctx: ActionContext): Promise<ListClustersResponse> {
  // INACTIVE clusters are not listed; filtering after paging may return short pages, as ECS may.
  const page = await ctx.store.listClusters(pageRequest(input));
  return {
    clusterArns: page.items.filter((r) => r.cluster.status === "ACTIVE").map((r) => r.cluster.clusterArn as string),
    nextToken: nextToken(page),
  };
}

export async function UpdateCluster(input: UpdateClusterRequest, ctx: ActionContext): Promise<UpdateClusterResponse> {
  validateSettings(input.settings);
  const record = await activeCluster(ctx, input.cluster);
  const cluster = {
    ...record.cluster,
    settings: input.settings ? mergeSettings(record.cluster.settings, input.settings) : record.cluster.settings,
    configuration: input.configuration ?? record.cluster.configuration,
    serviceConnectDefaults: input.serviceConnectDefaults ?? record.cluster.serviceConnectDefaults,
  };
  await ctx.store.commit([put("cluster", { ...record, cluster })]);
  return { cluster: await describe(ctx, { ...record, cluster }, ["SETTINGS", "CONFIGURATIONS"]) };
}

export async function UpdateClusterSettings(
  input: UpdateClusterSettingsRequest,
  ctx: ActionContext,
): Promise<UpdateClusterSettingsResponse> {
  validateSettings(input.settings);
  const record = await activeCluster(ctx, input.cluster);
  const cluster = { ...record.cluster, settings: mergeSettings(record.cluster.settings, input.settings ?? []) };
  await ctx.store.commit([put("cluster", { ...record, cluster })]);
  return { cluster: await describe(ctx, { ...record, cluster }, ["SETTINGS"]) };
}

/**
 * A cluster's capacity providers and default strategy, replaced whole, as ECS does: a provider
 * left out is taken from the cluster, unless the cluster's tasks or services still use it.
 */
export async function PutClusterCapacityProviders(
  input: PutClusterCapacityProvidersRequest,
  ctx: ActionContext,
): Promise<PutClusterCapacityProvidersResponse> {
  const capacityProviders = input.capacityProviders ?? [];
  // The cluster's list and its providers' owner in one commit (see providerOwnershipWrites).
  return retryOnConflict(async () => {
    const record = await activeCluster(ctx, input.cluster);
    const before = record.cluster.capacityProviders ?? [];
    const owned = await providerOwnershipWrites(ctx, record.name, before, capacityProviders);
    const defaultCapacityProviderStrategy = checkStrategy(
      input.defaultCapacityProviderStrategy ?? [],
      capacityProviders,
    );
    for (const removed of before.filter((p) => !capacityProviders.includes(p))) {
      if (await providerInUse(ctx, record.name, removed)) {
        throw new EcsError(
          "ResourceInUseException",
          "The specified capacity provider is in use and cannot be removed.",
        );
      }
    }
    const cluster = { ...record.cluster, capacityProviders, defaultCapacityProviderStrategy };
    await ctx.store.commit([put("cluster", { ...record, cluster }), ...owned]);
    return { cluster: await describe(ctx, { ...record, cluster }, []) };
  }, MAX_ATTEMPTS);
}

export async function DeleteCluster(input: DeleteClusterRequest, ctx: ActionContext): Promise<DeleteClusterResponse> {
  const record = await activeCluster(ctx, input.cluster);
  const services = await ctx.store.countServices(record.name);
  if (services.active + services.draining > 0) {
    throw new EcsError("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.");
  }
  const instances = await ctx.store.listContainerInstances(record.name);
  if (instances.some((i) => i.instance.status !== "INACTIVE")) {
    throw new EcsError(
      "ClusterContainsContainerInstancesException",
      "The Cluster cannot be deleted while Container Instances are active or draining.",
    );
  }
  const tasks = await ctx.store.listTasks({ cluster: record.name, notStopped: true }, { limit: 1 });
  if (tasks.items.length > 0) {
    throw new EcsError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
  }
  const cluster = { ...record.cluster, status: "INACTIVE" };
  const deleted = { ...record, cluster, expiresAt: ctx.now().getTime() + INACTIVE_RETENTION_MS };
  // Its providers are free for another cluster, or to be deleted, from this commit on.
  const freed = await providerOwnershipWrites(ctx, record.name, record.cluster.capacityProviders ?? [], []);
  await ctx.store.commit([put("cluster", deleted), ...freed]);
  return { cluster: await describe(ctx, deleted, []) };
}

/** A cluster as ECS shows it: counts derived from the store, optional parts by `include`. */
async function describe(
  ctx: ActionContext,
  record: ClusterRecord,
  include: ClusterField[] | string[],
): Promise<Cluster> {
  const { tags, settings, configuration, ...cluster } = record.cluster;
  const active = cluster.status === "ACTIVE";
  const instances = active ? await ctx.store.listContainerInstances(record.name) : [];
  const tasks = active ? await ctx.store.countTasks(record.name) : { running: 0, pending: 0 };
  const services = active ? await ctx.store.countServices(record.name) : { active: 0, draining: 0 };
  return {
    ...cluster,
    registeredContainerInstancesCount: instances.filter((i) => i.instance.status !== "INACTIVE").length,
    runningTasksCount: tasks.running,
    pendingTasksCount: tasks.pending,
    activeServicesCount: services.active,
    statistics: include.includes("STATISTICS")
      ? [
          { name: "runningEC2TasksCount", value: String(tasks.running) },
          { name: "pendingEC2TasksCount", value: String(tasks.pending) },
          { name: "activeEC2ServiceCount", value: String(services.active) },
          { name: "drainingEC2ServiceCount", value: String(services.draining) },
        ]
      : [],
    tags: include.includes("TAGS") ? (tags ?? []) : [],
    settings: include.includes("SETTINGS") ? settings : undefined,
    configuration: include.includes("CONFIGURATIONS") ? configuration : undefined,
  };
}

function validateSettings(settings: { name?: string; value?: string }[] | undefined) {
  for (const s of settings ?? []) {
    if (s.name !== "containerInsights") throw invalidParameter(`Unsupported cluster setting name: ${s.name}`);
    if (!["enabled", "disabled", "enhanced"].includes(s.value ?? "")) {
      throw invalidParameter("containerInsights setting value must be one of: enabled, disabled, enhanced.");
    }
  }
}

function mergeSettings<T extends { name?: string }>(current: T[] = [], changes: T[]): T[] {
  return [...current.filter((s) => !changes.some((c) => c.name === s.name)), ...changes];
}
