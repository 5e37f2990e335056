import {
  type MetricType,
  PutScalingPolicyCommand,
  type TargetTrackingScalingPolicyConfiguration,
} from "@aws-sdk/client-application-auto-scaling";

/** An ECS service's Application Auto Scaling resource (`service/<cluster>/<service>`, its desired count). */
export const serviceResource = (cluster: string, service: string) =>
  ({
    ServiceNamespace: "ecs",
    ResourceId: `service/${cluster}/${service}`,
    ScalableDimension: "ecs:service:DesiredCount",
  }) as const;

/** PutScalingPolicy of a target tracking policy on one of the predefined ECS service metrics. */
export const targetTracking = (
  resource: ReturnType<typeof serviceResource>,
  PolicyName: string,
  metric: MetricType,
  TargetValue: number,
  more: Omit<TargetTrackingScalingPolicyConfiguration, "TargetValue"> = {},
) =>
  new PutScalingPolicyCommand({
    ...resource,
    PolicyName,
    PolicyType: "TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue,
      PredefinedMetricSpecification: { PredefinedMetricType: metric },
      ...more,
    },
  });
