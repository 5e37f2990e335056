import { isDeepStrictEqual } from "node:util";
import type { AutoScalingGroupProvider } from "@aws-sdk/client-ecs";
import { CreateCapacityProvider, UpdateCapacityProvider } from "../actions/capacityProviders.ts";
import { CreateCluster, PutClusterCapacityProviders } from "../actions/clusters.ts";
import { autoScalingGroupProvider } from "../model/capacityProvider.ts";
import type { ActionContext } from "../operations/context.ts";

/**
 * Capacity providers a deployment declares (the SST app's Auto Scaling group of hosts, see
 * infra/agentGroup.ts), given to the sweeper as BERTH_CAPACITY_PROVIDERS: a JSON list of
 * CreateCapacityProvider's `name` and `autoScalingGroupProvider`, and the `cluster` to add it to.
 * Berth's providers live in Berth's store, not in AWS, so no CloudFormation/Pulumi resource can
 * make one; the sweep makes what is declared exist, every round (level-triggered: a provider
 * deleted by hand, a table restored, a deploy whose first sweep failed, all come right within a
 * minute; one already as declared costs two reads).
 */
export interface DeclaredProvider {
  name: string;
  cluster: string;
  autoScalingGroupProvider: AutoScalingGroupProvider;
}

export const DECLARED_PROVIDERS_ENV = "BERTH_CAPACITY_PROVIDERS";

/** The declared providers from the environment (none when unset); a malformed value throws, naming the variable. */
export function declaredProvidersFromEnv(env: Record<string, string | undefined>): DeclaredProvider[] {
  const text = env[DECLARED_PROVIDERS_ENV];
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${DECLARED_PROVIDERS_ENV} must be a JSON list, not '${text}'.`);
  }
  const valid = (p: Partial<DeclaredProvider>) =>
    typeof p?.name === "string" &&
    typeof p.cluster === "string" &&
    typeof p.autoScalingGroupProvider?.autoScalingGroupArn === "string";
  if (!Array.isArray(parsed) || !parsed.every(valid)) {
    throw new Error(
      `${DECLARED_PROVIDERS_ENV} must list { name, cluster, autoScalingGroupProvider: { autoScalingGroupArn, ... } }, not '${text}'.`,
    );
  }
  return parsed as DeclaredProvider[];
}

export interface EnsuredProvider {
  name: string;
  /** What this round did: nothing, created it, brought its settings back to the declared ones. */
  provider: "unchanged" | "created" | "updated";
  /** Whether this round added it to its cluster (created the cluster if there was none). */
  associated: boolean;
}

/**
 * One round: each declared provider exists with the declared settings and is one of its
 * cluster's providers. Through the ECS actions themselves, so what is declared is validated as a
 * user's call would be. The cluster keeps its other providers; its default strategy becomes
 * this provider when it had none (tasks with no launch type or strategy run on the group). A
 * provider that cannot be made so (its name taken by another group's, the group another
 * provider's) is reported and left; the others go on.
 */
export async function ensureDeclaredProviders(
  ctx: ActionContext,
  declared: DeclaredProvider[],
): Promise<EnsuredProvider[]> {
  const done: EnsuredProvider[] = [];
  for (const want of declared) {
    try {
      done.push(await ensureOne(ctx, want));
    } catch (error) {
      ctx.onBackgroundError?.(error, `capacity provider ${want.name} declared by the deployment`);
    }
  }
  return done;
}

async function ensureOne(ctx: ActionContext, want: DeclaredProvider): Promise<EnsuredProvider> {
  const wanted = autoScalingGroupProvider(want.autoScalingGroupProvider);
  const existing = await ctx.store.getCapacityProvider(want.name);
  let provider: EnsuredProvider["provider"] = "unchanged";
  if (existing?.capacityProvider.status !== "ACTIVE") {
    await CreateCapacityProvider({ name: want.name, autoScalingGroupProvider: wanted }, ctx);
    provider = "created";
  } else {
    const current = existing.capacityProvider.autoScalingGroupProvider;
    if (current?.autoScalingGroupArn !== wanted.autoScalingGroupArn) {
      throw new Error(
        `capacity provider ${want.name} names ${current?.autoScalingGroupArn}, not the declared ${wanted.autoScalingGroupArn} (a provider's group cannot change: delete it, and the next sweep creates it anew)`,
      );
    }
    // By value, not by text: a store need not give a map's keys back in the order written (DynamoDB).
    if (!isDeepStrictEqual(current, wanted)) {
      const { autoScalingGroupArn: _, ...settings } = wanted;
      await UpdateCapacityProvider({ name: want.name, autoScalingGroupProvider: settings }, ctx);
      provider = "updated";
    }
  }
  const cluster = (await ctx.store.getCluster(want.cluster))?.cluster;
  const active = cluster?.status === "ACTIVE";
  const listed = active && (cluster.capacityProviders?.includes(want.name) ?? false);
  // Listed and owned: as declared. Listed but not owned (a record from before providers kept
  // their cluster) is put again, which writes the owner.
  if (listed && (await ctx.store.getCapacityProvider(want.name))?.cluster === want.cluster) {
    return { name: want.name, provider, associated: false };
  }
  if (!active) await CreateCluster({ clusterName: want.cluster }, ctx);
  const strategy = active ? (cluster.defaultCapacityProviderStrategy ?? []) : [];
  const others = active ? (cluster.capacityProviders ?? []).filter((name) => name !== want.name) : [];
  await PutClusterCapacityProviders(
    {
      cluster: want.cluster,
      capacityProviders: [...others, want.name],
      defaultCapacityProviderStrategy: strategy.length > 0 ? strategy : [{ capacityProvider: want.name, weight: 1 }],
    },
    ctx,
  );
  return { name: want.name, provider, associated: true };
}
