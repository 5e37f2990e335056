import { capacityProviderNameProblem } from "../core/model/capacityProvider.ts";

/**
 * The deploy-time settings of the hosts' Auto Scaling group (agentGroup.ts), from the deployer's
 * environment; pure, so that a wrong value fails the deploy with its name before anything is
 * created. BERTH_AGENT_GROUP_MAX_SIZE turns the group on; without it no group is declared
 * (hosts are launched from the template by other means, as before).
 *
 *   BERTH_AGENT_GROUP_MAX_SIZE                the group's maximum size (≥ 1): on
 *   BERTH_AGENT_GROUP_MIN_SIZE                its minimum size (0)
 *   BERTH_AGENT_GROUP_SUBNETS                 subnet ids, comma-separated (the region's default VPC's zones)
 *   BERTH_CAPACITY_PROVIDER                   the Berth capacity provider's name (berth-hosts)
 *   BERTH_CAPACITY_PROVIDER_TARGET_CAPACITY   managed scaling's target capacity, 1–100 (100)
 */
export interface AgentGroupSettings {
  minSize: number;
  maxSize: number;
  subnets: string[];
  providerName: string;
  targetCapacity: number;
}

export function agentGroupSettings(env: Record<string, string | undefined>): AgentGroupSettings | undefined {
  if (!env.BERTH_AGENT_GROUP_MAX_SIZE) return undefined;
  const maxSize = whole(env, "BERTH_AGENT_GROUP_MAX_SIZE", 1);
  const minSize = whole(env, "BERTH_AGENT_GROUP_MIN_SIZE", 0, "0");
  if (minSize > maxSize) {
    throw new Error(`BERTH_AGENT_GROUP_MIN_SIZE (${minSize}) must not exceed BERTH_AGENT_GROUP_MAX_SIZE (${maxSize}).`);
  }
  const providerName = env.BERTH_CAPACITY_PROVIDER ?? "berth-hosts";
  // CreateCapacityProvider's own rule, so that the sweep's first call does not refuse it.
  const nameProblem = capacityProviderNameProblem(providerName);
  if (nameProblem) throw new Error(`BERTH_CAPACITY_PROVIDER '${providerName}': ${nameProblem}`);
  const targetCapacity = whole(env, "BERTH_CAPACITY_PROVIDER_TARGET_CAPACITY", 1, "100");
  if (targetCapacity > 100)
    throw new Error(`BERTH_CAPACITY_PROVIDER_TARGET_CAPACITY must be 1 to 100, not ${targetCapacity}.`);
  const subnets = (env.BERTH_AGENT_GROUP_SUBNETS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = subnets.find((s) => !/^subnet-[0-9a-f]+$/.test(s));
  if (bad) throw new Error(`BERTH_AGENT_GROUP_SUBNETS must list subnet ids (subnet-…), not '${bad}'.`);
  return { minSize, maxSize, subnets, providerName, targetCapacity };
}

function whole(env: Record<string, string | undefined>, name: string, least: number, fallback?: string): number {
  const text = env[name] ?? fallback ?? "";
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < least) {
    throw new Error(`${name} must be a whole number of at least ${least}, not '${text}'.`);
  }
  return value;
}
