import type { ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import type { ServiceAutoScaling, StepRun } from "../model/autoScaling.ts";
import type { MetricAlarm } from "../model/metricAlarm.ts";
import { adjustedCapacity, STEP_COOLDOWN_SECONDS, stepFor } from "../model/stepScaling.ts";
import type { EvaluatedAlarm } from "./alarms.ts";
import type { ScalingDecision } from "./targetTracking.ts";

interface StepProposal {
  policy: ScalingPolicy;
  count: number;
  from: number;
  cause: string;
}

/**
 * Step scaling, pure: a step policy runs while an alarm whose actions for its current state
 * name the policy's ARN is in that state, at most once an alarm period (CloudWatch invokes Auto
 * Scaling actions again each period while an alarm stays in ALARM): the alarm's datapoints, aggregated as the policy's
 * MetricAggregationType says (Average by default), less the threshold, pick the step, and the
 * step's adjustment gives the count. Cooldown, as Application Auto Scaling documents it: after
 * a policy scales out, it scales out again within its Cooldown only when that asks for more
 * than the first scale-out gave (counted from the count before it); after it scales in, it does
 * not scale in again within its Cooldown. No scale-in while a deployment rolls or when dynamic
 * scale-in is suspended; no scale-out when dynamic scale-out is. Several policies at once: any
 * scale-out wins, the largest; else the mildest scale-in. Within the target's capacities.
 */
export function decideStepScaling(
  scaling: ServiceAutoScaling,
  desiredCount: number,
  alarms: EvaluatedAlarm[],
  now: number,
  deploying = false,
): { decision?: ScalingDecision; runs: Record<string, StepRun> } {
  const runs = { ...scaling.stepRuns };
  const { MinCapacity: min = 0, MaxCapacity: max = 0, SuspendedState: suspended } = scaling.target;
  const clamp = (n: number) => Math.min(max, Math.max(min, n));
  const proposals: StepProposal[] = [];
  for (const policy of scaling.policies) {
    const config = policy.StepScalingPolicyConfiguration;
    if (policy.PolicyType !== "StepScaling" || !config) continue;
    const last = runs[policy.PolicyName as string];
    const cooling = last !== undefined && now - last.atMs < (config.Cooldown ?? STEP_COOLDOWN_SECONDS) * 1000;
    for (const { record, values } of alarms) {
      const alarm = record.alarm;
      if (!alarm.ActionsEnabled || values.length === 0 || !actionsOf(alarm).includes(policy.PolicyARN as string)) {
        continue;
      }
      // CloudWatch runs an alarm's actions as it enters a state, then once a period while it stays
      // there; rounds come far more often (every task's state change nudges one).
      if (last !== undefined && now - last.atMs < alarm.Period * 1000) continue;
      const value = aggregate(values, config.MetricAggregationType);
      const step = stepFor(config.StepAdjustments ?? [], value - alarm.Threshold);
      if (!step) continue;
      const out = adjustedCapacity(config, step, desiredCount) > desiredCount;
      if (out) {
        if (suspended?.DynamicScalingOutSuspended) continue;
        // A scale-out within the cooldown of this policy's last one counts from where that one started.
        const from = cooling && last.direction === "out" ? last.from : desiredCount;
        const count = clamp(adjustedCapacity(config, step, from));
        if (count > desiredCount) proposals.push({ policy, count, from, cause: causeOf(alarm, value, policy) });
      } else {
        if (deploying || suspended?.DynamicScalingInSuspended || cooling) continue;
        const count = clamp(adjustedCapacity(config, step, desiredCount));
        if (count < desiredCount) {
          proposals.push({ policy, count, from: desiredCount, cause: causeOf(alarm, value, policy) });
        }
      }
    }
  }
  const outs = proposals.filter((p) => p.count > desiredCount).sort((a, b) => b.count - a.count);
  const chosen = outs[0] ?? proposals.sort((a, b) => b.count - a.count)[0];
  if (!chosen) return { runs };
  const direction = chosen.count > desiredCount ? "out" : "in";
  runs[chosen.policy.PolicyName as string] = { atMs: now, from: chosen.from, direction };
  return { decision: { desiredCount: chosen.count, direction, cause: chosen.cause }, runs };
}

const causeOf = (alarm: MetricAlarm, value: number, policy: ScalingPolicy) =>
  `monitor alarm ${alarm.AlarmName} in state ${alarm.StateValue} (${alarm.MetricName} ${value.toFixed(1)} against a threshold of ${alarm.Threshold}) triggered policy ${policy.PolicyName}`;

/** The actions an alarm runs in its current state. */
function actionsOf(alarm: MetricAlarm): string[] {
  if (alarm.StateValue === "ALARM") return alarm.AlarmActions;
  if (alarm.StateValue === "OK") return alarm.OKActions;
  return alarm.InsufficientDataActions;
}

function aggregate(values: number[], type: string | undefined): number {
  if (type === "Minimum") return Math.min(...values);
  if (type === "Maximum") return Math.max(...values);
  return values.reduce((a, b) => a + b, 0) / values.length;
}
