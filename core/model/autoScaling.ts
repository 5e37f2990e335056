import type {
  ScalableTarget,
  ScalingActivity,
  ScalingPolicy,
  ScheduledAction,
} from "@aws-sdk/client-application-auto-scaling";
import type { Partition } from "./config.ts";
import { newUuid } from "./ids.ts";

/**
 * Application Auto Scaling for one ECS service (`ecs:service:DesiredCount`), kept in the service's
 * own record: its scalable target, policies, scheduled actions and latest activities, as the API
 * shapes them, and the scaler's memory between rounds. One record, so a scaling decision and the
 * desiredCount it sets commit together, on both stores, with nothing new in either.
 */
export interface ServiceAutoScaling {
  target: ScalableTarget;
  policies: ScalingPolicy[];
  scheduledActions: ScheduledAction[];
  /** Newest first, at most MAX_ACTIVITIES. */
  activities: ScalingActivity[];
  /** When the service last scaled out and in (epoch ms), for the policies' cooldowns. */
  lastScaleOutMs?: number;
  lastScaleInMs?: number;
  /** The target's tags (TagResource, or RegisterScalableTarget's when it created the target). */
  tags?: Record<string, string>;
  /** Each step scaling policy's last scaling, by name, for its cooldown. */
  stepRuns?: Record<string, StepRun>;
  /** When each scheduled action last ran (epoch ms), by name. */
  scheduledRuns?: Record<string, number>;
}

/** When a step policy last scaled (epoch ms), which way, and from what count. */
export interface StepRun {
  atMs: number;
  direction: "out" | "in";
  from: number;
}

export const ECS_NAMESPACE = "ecs";
export const ECS_DESIRED_COUNT = "ecs:service:DesiredCount";
/** How many activities a service keeps (Application Auto Scaling keeps six weeks' worth). */
export const MAX_ACTIVITIES = 50;

/** Application Auto Scaling's resource id of an ECS service. */
export const serviceResourceId = (cluster: string, service: string) => `service/${cluster}/${service}`;

/** The service-linked role Application Auto Scaling uses for ECS, as DescribeScalableTargets reports it. */
export const ecsScalingRole = (p: Partition) =>
  `arn:aws:iam::${p.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;

export const scalableTargetArn = (p: Partition) =>
  `arn:aws:application-autoscaling:${p.region}:${p.accountId}:scalable-target/${newUuid().replaceAll("-", "").slice(0, 28)}`;

export const scalingPolicyArn = (p: Partition, resourceId: string, name: string) =>
  `arn:aws:autoscaling:${p.region}:${p.accountId}:scalingPolicy:${newUuid()}:resource/ecs/${resourceId}:policyName/${name}`;

export const scheduledActionArn = (p: Partition, resourceId: string, name: string) =>
  `arn:aws:autoscaling:${p.region}:${p.accountId}:scheduledAction:${newUuid()}:resource/ecs/${resourceId}:scheduledActionName/${name}`;

/** A scaling activity of a service, done at `now` (Berth's activities complete as they are recorded). */
export function scalingActivity(
  cluster: string,
  service: string,
  now: Date,
  what: Pick<ScalingActivity, "Description" | "Cause" | "StatusCode" | "StatusMessage">,
): ScalingActivity {
  return {
    ActivityId: newUuid(),
    ServiceNamespace: ECS_NAMESPACE,
    ResourceId: serviceResourceId(cluster, service),
    ScalableDimension: ECS_DESIRED_COUNT,
    StartTime: now,
    EndTime: now,
    ...what,
  };
}
