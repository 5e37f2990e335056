import type { AutoScalingGroupProvider, CapacityProviderStrategyItem, ManagedScaling } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../protocol/errors.ts";

/** Fargate's capacity providers: every account has them, a cluster may name them, Berth cannot run on them. */
export const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"];
export const isFargateProvider = (name: string | undefined) => FARGATE_PROVIDERS.includes(name ?? "");

/** What is wrong with a name for a new capacity provider, in ECS's words (undefined: nothing). */
export function capacityProviderNameProblem(name: string): string | undefined {
  if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name)) {
    return "The capacity provider name can have up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.";
  }
  if (/^(aws|ecs|fargate)/i.test(name))
    return 'The capacity provider name cannot be prefixed with "aws", "ecs", or "fargate".';
  return undefined;
}

/** ECS's defaults for managed scaling, filled in as ECS shows them (targetCapacity 100 %, steps 1 to 10,000, 300 s warm-up). */
const MANAGED_SCALING_DEFAULTS = {
  status: "DISABLED",
  targetCapacity: 100,
  minimumScalingStepSize: 1,
  maximumScalingStepSize: 10_000,
  instanceWarmupPeriod: 300,
} satisfies ManagedScaling;

/** Managed scaling as stored: the given fields over the current ones (or ECS's defaults), checked together. */
export function managedScaling(given: ManagedScaling | undefined, current?: ManagedScaling): ManagedScaling {
  const merged = { ...MANAGED_SCALING_DEFAULTS, ...current, ...definedOnly(given ?? {}) };
  if ((merged.minimumScalingStepSize ?? 1) > (merged.maximumScalingStepSize ?? 10_000)) {
    throw invalidParameter(
      "The minimum scaling step size must be less than or equal to the maximum scaling step size.",
    );
  }
  return merged;
}

/**
 * An Auto Scaling group provider as stored: managed scaling with its defaults, managed termination
 * protection off and managed draining on unless given (as ECS fills them). Termination protection
 * needs managed scaling, as the API reference says.
 */
export function autoScalingGroupProvider(
  given: Partial<AutoScalingGroupProvider>,
  current?: AutoScalingGroupProvider,
): AutoScalingGroupProvider {
  const provider: AutoScalingGroupProvider = {
    autoScalingGroupArn: current?.autoScalingGroupArn ?? given.autoScalingGroupArn,
    managedScaling: managedScaling(given.managedScaling, current?.managedScaling),
    managedTerminationProtection:
      given.managedTerminationProtection ?? current?.managedTerminationProtection ?? "DISABLED",
    managedDraining: given.managedDraining ?? current?.managedDraining ?? "ENABLED",
  };
  if (provider.managedTerminationProtection === "ENABLED" && provider.managedScaling?.status !== "ENABLED") {
    throw invalidParameter(
      "The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, managed scaling must also be enabled.",
    );
  }
  return provider;
}

/**
 * A capacity provider strategy as ECS takes it: each provider once and associated with the
 * cluster, at most one with a base, some weight when there are several, Fargate and Auto Scaling
 * group providers not mixed. Returned with base and weight filled (0), as ECS shows them.
 */
export function checkStrategy(
  strategy: CapacityProviderStrategyItem[],
  clusterProviders: string[],
): CapacityProviderStrategyItem[] {
  const names = strategy.map((item) => item.capacityProvider ?? "");
  if (new Set(names).size !== names.length) {
    throw invalidParameter("The specified capacity provider strategy cannot contain duplicate capacity providers.");
  }
  for (const name of names) {
    if (!clusterProviders.includes(name)) {
      throw invalidParameter(
        "The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.",
      );
    }
  }
  if (strategy.filter((item) => (item.base ?? 0) > 0).length > 1) {
    throw invalidParameter(
      "The specified capacity provider strategy cannot contain more than one capacity provider with a base.",
    );
  }
  if (strategy.length > 1 && !strategy.some((item) => (item.weight ?? 0) > 0)) {
    throw invalidParameter(
      "The specified capacity provider strategy must contain at least one capacity provider with a weight greater than zero.",
    );
  }
  const fargate = names.filter(isFargateProvider).length;
  if (fargate > 0 && fargate < names.length) {
    throw invalidParameter(
      "The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.",
    );
  }
  return strategy.map((item) => ({
    capacityProvider: item.capacityProvider,
    weight: item.weight ?? 0,
    base: item.base ?? 0,
  }));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/**
 * The container instance attribute that names the Auto Scaling group an instance belongs to
 * (its `aws:autoscaling:groupName` tag on AWS): the agent or whoever registers the instance sets
 * it. A capacity provider's tasks are placed on its group's instances through a memberOf
 * constraint on it, so placement reports the instances it passed over as for any constraint.
 */
export const AUTOSCALING_GROUP_ATTRIBUTE = "berth.autoscaling-group";

/** The group's name double-quoted (backslash before `\` and `"`), as the query language reads it: names may hold spaces, brackets, commas. */
export const onAutoScalingGroup = (group: string) => ({
  type: "memberOf" as const,
  expression: `attribute:${AUTOSCALING_GROUP_ATTRIBUTE} == "${group.replace(/[\\"]/g, "\\$&")}"`,
});

/** The group's name in an Auto Scaling group ARN (`…:autoScalingGroupName/NAME`), or the name as given. */
export function autoScalingGroupName(ref: string): string {
  const marker = ":autoScalingGroupName/";
  const at = ref.indexOf(marker);
  return at < 0 ? ref : ref.slice(at + marker.length);
}

/**
 * How many of `count` new tasks each provider of a strategy takes, as ECS splits them: the
 * provider with a base first, until it holds `base` tasks; the rest by weight, each task to the
 * provider furthest below its share (providers of weight 0 take none beyond their base). `held`
 * counts the tasks each provider has already (a service's), so that new tasks even out the split.
 */
export function splitByStrategy(
  strategy: CapacityProviderStrategyItem[],
  count: number,
  held: Record<string, number> = {},
): Map<string, number> {
  const split = new Map<string, number>(strategy.map((item) => [item.capacityProvider ?? "", 0]));
  const has = (name: string) => (held[name] ?? 0) + (split.get(name) ?? 0);
  let left = count;
  for (const item of strategy) {
    const name = item.capacityProvider ?? "";
    const take = Math.min(left, Math.max(0, (item.base ?? 0) - has(name)));
    split.set(name, (split.get(name) ?? 0) + take);
    left -= take;
  }
  const weighted = strategy.filter((item) => (item.weight ?? 0) > 0);
  const beyondBase = (item: CapacityProviderStrategyItem) =>
    Math.max(0, has(item.capacityProvider ?? "") - (item.base ?? 0));
  for (; left > 0 && weighted.length > 0; left--) {
    let next = weighted[0];
    for (const item of weighted) {
      if ((beyondBase(item) + 1) / (item.weight ?? 1) < (beyondBase(next) + 1) / (next.weight ?? 1)) next = item;
    }
    const name = next.capacityProvider ?? "";
    split.set(name, (split.get(name) ?? 0) + 1);
  }
  // A strategy of one provider with no weight still runs its tasks there.
  if (left > 0 && strategy.length === 1)
    split.set(strategy[0].capacityProvider ?? "", (split.get(strategy[0].capacityProvider ?? "") ?? 0) + left);
  return split;
}
