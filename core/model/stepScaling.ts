import type { StepAdjustment, StepScalingPolicyConfiguration } from "@aws-sdk/client-application-auto-scaling";

/** Application Auto Scaling's default step scaling cooldown (botocore: "If not specified, the default value is 300"). */
export const STEP_COOLDOWN_SECONDS = 300;

/**
 * What is wrong with a step scaling configuration, as Application Auto Scaling checks it (its
 * API reference and the EC2 Auto Scaling step rules it shares): steps whose bounds, relative to
 * the alarm threshold, neither overlap nor leave a gap, at most one open below and one open above
 * (and then there must be one, when a bound crosses zero that way), none open both ways,
 * MinAdjustmentMagnitude only with PercentChangeInCapacity, ExactCapacity never negative.
 * Undefined when it is fine.
 */
export function stepConfigurationProblem(config: StepScalingPolicyConfiguration): string | undefined {
  const { AdjustmentType: type, StepAdjustments: steps = [], MinAdjustmentMagnitude: magnitude } = config;
  if (!type) return "AdjustmentType is required for a step scaling policy configuration.";
  if (steps.length === 0) return "At least one step adjustment is required for a step scaling policy configuration.";
  if (magnitude !== undefined && type !== "PercentChangeInCapacity") {
    return "MinAdjustmentMagnitude may only be specified with the adjustment type PercentChangeInCapacity.";
  }
  if (magnitude !== undefined && magnitude < 1) return "MinAdjustmentMagnitude must be at least 1.";
  if (config.Cooldown !== undefined && config.Cooldown < 0) return "Cooldown must be at least 0.";
  for (const step of steps) {
    const { MetricIntervalLowerBound: lower, MetricIntervalUpperBound: upper } = step;
    if (lower === undefined && upper === undefined) {
      return "A step adjustment cannot have both a null lower bound and a null upper bound.";
    }
    if (lower !== undefined && upper !== undefined && lower >= upper) {
      return `The upper bound (${upper}) of a step adjustment must be greater than its lower bound (${lower}).`;
    }
    if (type === "ExactCapacity" && (step.ScalingAdjustment ?? 0) < 0) {
      return "ScalingAdjustment must be non-negative for the adjustment type ExactCapacity.";
    }
  }
  const sorted = [...steps].sort((a, b) => lowerOf(a) - lowerOf(b));
  const openBelow = steps.filter((s) => s.MetricIntervalLowerBound === undefined).length;
  const openAbove = steps.filter((s) => s.MetricIntervalUpperBound === undefined).length;
  if (openBelow > 1) return "Only one step adjustment can have a null lower bound.";
  if (openAbove > 1) return "Only one step adjustment can have a null upper bound.";
  for (let i = 1; i < sorted.length; i++) {
    const before = upperOf(sorted[i - 1]);
    const here = lowerOf(sorted[i]);
    if (before > here) return "The step adjustments' intervals must not overlap.";
    if (before < here) return "The step adjustments' intervals must not have a gap between them.";
  }
  if (lowerOf(sorted[0]) > Number.NEGATIVE_INFINITY && lowerOf(sorted[0]) < 0) {
    return "A step adjustment with a negative lower bound needs a step adjustment with a null lower bound.";
  }
  const last = sorted[sorted.length - 1];
  if (upperOf(last) < Number.POSITIVE_INFINITY && upperOf(last) > 0) {
    return "A step adjustment with a positive upper bound needs a step adjustment with a null upper bound.";
  }
  return undefined;
}

const lowerOf = (s: StepAdjustment) => s.MetricIntervalLowerBound ?? Number.NEGATIVE_INFINITY;
const upperOf = (s: StepAdjustment) => s.MetricIntervalUpperBound ?? Number.POSITIVE_INFINITY;

/**
 * The step a metric value falls in, by its difference from the alarm threshold: above the
 * threshold the lower bound is inclusive and the upper exclusive; at or below it, the reverse
 * (the API reference's rule). Undefined when no step covers it.
 */
export function stepFor(steps: StepAdjustment[], difference: number): StepAdjustment | undefined {
  return steps.find((s) =>
    difference >= 0
      ? lowerOf(s) <= difference && difference < upperOf(s)
      : lowerOf(s) < difference && difference <= upperOf(s),
  );
}

/**
 * The new capacity a step sets from `current`: an absolute number, a change, or a percent
 * change (rounded toward zero, but never to zero: a fraction is at least one task either way,
 * as Auto Scaling rounds) of at least MinAdjustmentMagnitude tasks.
 */
export function adjustedCapacity(
  config: StepScalingPolicyConfiguration,
  step: StepAdjustment,
  current: number,
): number {
  const adjustment = step.ScalingAdjustment ?? 0;
  switch (config.AdjustmentType) {
    case "ExactCapacity":
      return adjustment;
    case "PercentChangeInCapacity": {
      const raw = (current * adjustment) / 100;
      let change = raw === 0 ? 0 : Math.sign(raw) * Math.max(1, Math.floor(Math.abs(raw)));
      const magnitude = config.MinAdjustmentMagnitude;
      if (magnitude !== undefined && change !== 0 && Math.abs(change) < magnitude)
        change = Math.sign(change) * magnitude;
      return current + change;
    }
    default:
      return current + adjustment;
  }
}
