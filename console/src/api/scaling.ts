import type { Api } from "./client.ts";

// What Application Auto Scaling answers, as the wire has it (JSON 1.1: times in epoch seconds),
// only the fields the service page shows.

export interface ScalableTarget {
  MinCapacity: number;
  MaxCapacity: number;
  SuspendedState?: {
    DynamicScalingInSuspended?: boolean;
    DynamicScalingOutSuspended?: boolean;
    ScheduledScalingSuspended?: boolean;
  };
}

export interface ScalingPolicy {
  PolicyName: string;
  PolicyType: string;
  TargetTrackingScalingPolicyConfiguration?: {
    TargetValue: number;
    PredefinedMetricSpecification?: { PredefinedMetricType: string };
    CustomizedMetricSpecification?: { MetricName?: string };
    ScaleOutCooldown?: number;
    ScaleInCooldown?: number;
    DisableScaleIn?: boolean;
  };
  StepScalingPolicyConfiguration?: { Cooldown?: number };
  /** A step policy's alarms (those whose actions name it). */
  Alarms?: { AlarmName: string }[];
}

export interface ScheduledAction {
  ScheduledActionName: string;
  Schedule: string;
  Timezone?: string;
  ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number };
}

export interface ScalingActivity {
  ActivityId: string;
  Description: string;
  Cause: string;
  StatusCode: string;
  StatusMessage?: string;
  StartTime: number;
}

export interface ServiceScaling {
  target: ScalableTarget;
  policies: ScalingPolicy[];
  scheduledActions: ScheduledAction[];
  activities: ScalingActivity[];
}

/** How many of the latest scaling activities the page shows. */
export const ACTIVITIES_SHOWN = 5;

/**
 * A service's scalable target, its policies, scheduled actions and latest activities; undefined
 * when it has no target (then one call, not four, every poll).
 */
export async function loadScaling(api: Api, cluster: string, service: string): Promise<ServiceScaling | undefined> {
  const of = { ServiceNamespace: "ecs", ResourceId: `service/${cluster}/${service}` };
  const targets = await api.autoScaling<{ ScalableTargets?: ScalableTarget[] }>("DescribeScalableTargets", {
    ServiceNamespace: "ecs",
    ResourceIds: [of.ResourceId],
  });
  const target = targets.ScalableTargets?.[0];
  if (!target) return undefined;
  // One page of each: a service has a handful of policies and actions (AWS allows 50 and 200).
  const [policies, scheduled, activities] = await Promise.all([
    api.autoScaling<{ ScalingPolicies?: ScalingPolicy[] }>("DescribeScalingPolicies", { ...of, MaxResults: 50 }),
    api.autoScaling<{ ScheduledActions?: ScheduledAction[] }>("DescribeScheduledActions", { ...of, MaxResults: 50 }),
    api.autoScaling<{ ScalingActivities?: ScalingActivity[] }>("DescribeScalingActivities", {
      ...of,
      MaxResults: ACTIVITIES_SHOWN,
    }),
  ]);
  return {
    target,
    policies: policies.ScalingPolicies ?? [],
    scheduledActions: scheduled.ScheduledActions ?? [],
    activities: activities.ScalingActivities ?? [],
  };
}
