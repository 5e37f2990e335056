import type {
  CapacityProvider,
  CreateCapacityProviderRequest,
  CreateCapacityProviderResponse,
  DeleteCapacityProviderRequest,
  DeleteCapacityProviderResponse,
  DescribeCapacityProvidersRequest,
  DescribeCapacityProvidersResponse,
  UpdateCapacityProviderRequest,
  UpdateCapacityProviderResponse,
} from "@aws-sdk/client-ecs";
import { capacityProviderArn } from "../model/arn.ts";
import {
  autoScalingGroupName,
  autoScalingGroupProvider,
  capacityProviderNameProblem,
  FARGATE_PROVIDERS,
  isFargateProvider,
} from "../model/capacityProvider.ts";
import type { CapacityProviderRecord } from "../model/records.ts";
import { activeCapacityProvider, capacityProviderName, fargateProvider } from "../operations/capacityProviders.ts";
import type { ActionContext } from "../operations/context.ts";
import { activeCluster } from "../operations/lookup.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { clientException, invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";
import { allItems } from "../store/paging.ts";
import { put } from "../store/port.ts";
import { nextToken, pageInMemory, pageRequest } from "./pagination.ts";
import { validateTags } from "./tagging.ts";

/** How long a deleted capacity provider stays visible (INACTIVE) to DescribeCapacityProviders by name. */
const INACTIVE_RETENTION_MS = 60 * 60 * 1000;

export async function CreateCapacityProvider(
  input: CreateCapacityProviderRequest,
  ctx: ActionContext,
): Promise<CreateCapacityProviderResponse> {
  const name = input.name ?? "";
  const nameProblem = capacityProviderNameProblem(name);
  if (nameProblem) throw invalidParameter(nameProblem);
  if (input.managedInstancesProvider) {
    throw invalidParameter("Amazon ECS Managed Instances capacity providers are not supported by Berth.");
  }
  if (!input.autoScalingGroupProvider) {
    throw invalidParameter("A capacity provider requires an autoScalingGroupProvider.");
  }
  validateTags(input.tags);
  const provider = autoScalingGroupProvider(input.autoScalingGroupProvider);
  const existing = await ctx.store.getCapacityProvider(name);
  if (existing?.capacityProvider.status === "ACTIVE") {
    throw clientException(
      "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.",
    );
  }
  const others = await allItems((page) => ctx.store.listCapacityProviders(page));
  const group = autoScalingGroupName(provider.autoScalingGroupArn ?? "");
  if (
    others.some(
      (o) =>
        o.capacityProvider.status === "ACTIVE" &&
        autoScalingGroupName(o.capacityProvider.autoScalingGroupProvider?.autoScalingGroupArn ?? "") === group,
    )
  ) {
    throw clientException(
      "The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.",
    );
  }
  // A deleted (INACTIVE) provider's name is taken again: the new record replaces it.
  const record = {
    ...(existing ? { version: existing.version } : {}),
    name,
    capacityProvider: {
      capacityProviderArn: capacityProviderArn(ctx.partition, name),
      name,
      status: "ACTIVE" as const,
      autoScalingGroupProvider: provider,
      tags: input.tags ?? [],
    },
  };
  await ctx.store.commit([put("capacityProvider", record)]);
  return { capacityProvider: record.capacityProvider };
}

export async function DescribeCapacityProviders(
  input: DescribeCapacityProvidersRequest,
  ctx: ActionContext,
): Promise<DescribeCapacityProvidersResponse> {
  const refs = input.capacityProviders ?? [];
  if (refs.length > MAX_REFERENCES.DescribeCapacityProviders) {
    throw invalidParameter(`capacityProviders can have at most ${MAX_REFERENCES.DescribeCapacityProviders} items.`);
  }
  const page = pageRequest(input, 10);
  const described: CapacityProvider[] = [];
  const failures: { arn: string; reason: string }[] = [];
  if (refs.length) {
    for (const ref of refs) {
      const name = capacityProviderName(ref);
      const found = isFargateProvider(name)
        ? fargateProvider(ctx, name)
        : (await ctx.store.getCapacityProvider(name))?.capacityProvider;
      if (found) described.push(found);
      else failures.push({ arn: capacityProviderArn(ctx.partition, name), reason: "MISSING" });
    }
  } else {
    const stored = await allItems((p) => ctx.store.listCapacityProviders(p));
    described.push(
      ...FARGATE_PROVIDERS.map((name) => fargateProvider(ctx, name)),
      ...stored.filter((r) => r.capacityProvider.status === "ACTIVE").map((r) => r.capacityProvider),
    );
  }
  // `cluster` narrows the answer to the providers associated with that cluster.
  const associated = input.cluster
    ? ((await activeCluster(ctx, input.cluster)).cluster.capacityProviders ?? [])
    : undefined;
  const listed = associated ? described.filter((p) => associated.includes(p.name ?? "")) : described;
  const shown = pageInMemory(listed, (p) => p.name ?? "", page);
  const withTags = input.include?.includes("TAGS");
  return {
    capacityProviders: shown.items.map((p) => (withTags ? { ...p, tags: p.tags ?? [] } : { ...p, tags: undefined })),
    failures,
    nextToken: nextToken(shown),
  };
}

export async function UpdateCapacityProvider(
  input: UpdateCapacityProviderRequest,
  ctx: ActionContext,
): Promise<UpdateCapacityProviderResponse> {
  if (input.managedInstancesProvider) {
    throw invalidParameter("Amazon ECS Managed Instances capacity providers are not supported by Berth.");
  }
  if (isFargateProvider(input.name)) {
    throw invalidParameter("The FARGATE and FARGATE_SPOT capacity providers are reserved and cannot be updated.");
  }
  const record = await activeCapacityProvider(ctx, input.name ?? "");
  const current = record.capacityProvider.autoScalingGroupProvider;
  const capacityProvider = {
    ...record.capacityProvider,
    autoScalingGroupProvider: autoScalingGroupProvider(input.autoScalingGroupProvider ?? {}, current),
    updateStatus: "UPDATE_COMPLETE" as const,
    updateStatusReason: undefined,
  };
  await ctx.store.commit([put("capacityProvider", { ...record, capacityProvider })]);
  return { capacityProvider: { ...capacityProvider, tags: undefined } };
}

/**
 * ECS refuses to delete a provider still associated with a cluster the way it does: the answer
 * (and what Describe shows after) is the provider, still ACTIVE, with updateStatus DELETE_FAILED
 * and the reason, not an error (hashicorp/terraform-provider-aws#48156 quotes it).
 */
export async function DeleteCapacityProvider(
  input: DeleteCapacityProviderRequest,
  ctx: ActionContext,
): Promise<DeleteCapacityProviderResponse> {
  if (isFargateProvider(capacityProviderName(input.capacityProvider ?? ""))) {
    throw invalidParameter("The FARGATE and FARGATE_SPOT capacity providers are reserved and cannot be deleted.");
  }
  // Its owner is on its record, written with the cluster's list: a provider just taken from its
  // cluster is free at once. A commit that loses a race with an association reads again.
  return retryOnConflict(async () => {
    const record = await activeCapacityProvider(ctx, input.capacityProvider ?? "");
    const cluster = record.cluster;
    const deleted: CapacityProviderRecord = cluster
      ? {
          ...record,
          capacityProvider: {
            ...record.capacityProvider,
            updateStatus: "DELETE_FAILED",
            updateStatusReason: `The capacity provider cannot be deleted because it is associated with cluster: ${cluster}. Remove the capacity provider from the cluster and try again.`,
          },
        }
      : {
          ...record,
          expiresAt: ctx.now().getTime() + INACTIVE_RETENTION_MS,
          capacityProvider: {
            ...record.capacityProvider,
            status: "INACTIVE",
            updateStatus: "DELETE_COMPLETE",
            updateStatusReason: undefined,
          },
        };
    await ctx.store.commit([put("capacityProvider", deleted)]);
    return { capacityProvider: { ...deleted.capacityProvider, tags: undefined } };
  }, 5);
}
