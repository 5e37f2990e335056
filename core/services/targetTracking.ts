import type { ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type { ServiceAutoScaling } from "../model/autoScaling.ts";
import type { ServiceUtilization } from "../model/serviceUtilization.ts";

/** Application Auto Scaling's default cooldowns for ECS services. */
const DEFAULT_COOLDOWN_SECONDS = 300;
/** Scale-in waits for the metric to fall this far below its target (AWS: "typically more than 10 %"). */
const SCALE_IN_BELOW = 0.9;

export interface ScalingDecision {
  desiredCount: number;
  direction: "out" | "in";
  /** Why, in words for the activity's Cause and the service event. */
  cause: string;
}

interface Proposal {
  policy: ScalingPolicy;
  count: number;
  metric: string;
  value: number;
  target: number;
}

/**
 * Target tracking, pure: each policy proposes the count that would bring its metric to its
 * target (count × value / target, rounded up, over the tasks measured); the service scales out
 * to the largest proposal when any policy wants more, and in only when every policy wants less
 * (a policy with DisableScaleIn never does; the others once their metric is 10 % below target),
 * every desired task was measured (tasks still starting would make the average look low), and
 * no deployment is rolling (Application Auto Scaling turns scale-in off during ECS deployments). Cooldowns: no scale-out within a policy's
 * ScaleOutCooldown of the last one; no scale-in within its ScaleInCooldown of the last scaling
 * either way. The result stays within the target's capacities, and a count outside them is
 * brought back in, whatever the metrics say.
 */
export function decideScaling(
  scaling: ServiceAutoScaling,
  desiredCount: number,
  utilization: ServiceUtilization,
  now: number,
  deploying = false,
): ScalingDecision | undefined {
  const { MinCapacity: min = 0, MaxCapacity: max = 0, SuspendedState: suspended } = scaling.target;
  if (desiredCount < min || desiredCount > max) {
    const count = Math.min(max, Math.max(min, desiredCount));
    return {
      desiredCount: count,
      direction: count > desiredCount ? "out" : "in",
      cause: `desired count ${desiredCount} was outside the scalable target's capacity range [${min}, ${max}]`,
    };
  }
  const proposals = scaling.policies.flatMap((policy) => proposal(policy, utilization));
  if (proposals.length === 0) return undefined;
  const clamp = (n: number) => Math.min(max, Math.max(min, n));
  const since = (ms: number | undefined) => (ms === undefined ? Number.POSITIVE_INFINITY : (now - ms) / 1000);

  const out = proposals.filter((p) => p.count > desiredCount).sort((a, b) => b.count - a.count)[0];
  if (out) {
    const cooldown = out.policy.TargetTrackingScalingPolicyConfiguration?.ScaleOutCooldown ?? DEFAULT_COOLDOWN_SECONDS;
    const count = clamp(out.count);
    if (suspended?.DynamicScalingOutSuspended || since(scaling.lastScaleOutMs) < cooldown || count === desiredCount) {
      return undefined;
    }
    return { desiredCount: count, direction: "out", cause: causeOf(out) };
  }
  const everyIn =
    !deploying &&
    utilization.measured >= desiredCount &&
    proposals.every(
      (p) =>
        p.count < desiredCount &&
        p.value < SCALE_IN_BELOW * p.target &&
        !p.policy.TargetTrackingScalingPolicyConfiguration?.DisableScaleIn,
    );
  if (!everyIn || suspended?.DynamicScalingInSuspended) return undefined;
  const mildest = proposals.sort((a, b) => b.count - a.count)[0];
  const cooldown = mildest.policy.TargetTrackingScalingPolicyConfiguration?.ScaleInCooldown ?? DEFAULT_COOLDOWN_SECONDS;
  const last = Math.max(scaling.lastScaleInMs ?? 0, scaling.lastScaleOutMs ?? 0) || undefined;
  const count = clamp(mildest.count);
  if (since(last) < cooldown || count === desiredCount) return undefined;
  return { desiredCount: count, direction: "in", cause: causeOf(mildest) };
}

function proposal(policy: ScalingPolicy, utilization: ServiceUtilization): Proposal[] {
  const config = policy.TargetTrackingScalingPolicyConfiguration;
  const metric = config?.PredefinedMetricSpecification?.PredefinedMetricType ?? "";
  const value =
    metric === "ECSServiceAverageCPUUtilization"
      ? utilization.cpu
      : metric === "ECSServiceAverageMemoryUtilization"
        ? utilization.memory
        : undefined;
  const target = config?.TargetValue;
  if (value === undefined || !target || utilization.measured === 0) return [];
  // A hair under the next integer is that integer: 2 tasks × 50 % / 50 % is 2, not 3.
  const count = Math.ceil((utilization.measured * value) / target - 1e-9);
  return [{ policy, count, metric, value, target }];
}

const causeOf = (p: Proposal) =>
  `${p.metric} at ${p.value.toFixed(1)} % against a target of ${p.target} % triggered policy ${p.policy.PolicyName}`;
