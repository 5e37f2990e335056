import type {
  DeleteScalingPolicyRequest,
  DeleteScalingPolicyResponse,
  DescribeScalingPoliciesRequest,
  DescribeScalingPoliciesResponse,
  PutScalingPolicyRequest,
  PutScalingPolicyResponse,
  ScalingPolicy,
} from "@aws-sdk/client-application-auto-scaling";
import { scalingPolicyArn } from "../../model/autoScaling.ts";
import { SCALING_METRICS } from "../../model/serviceUtilization.ts";
import type { ActionContext } from "../../operations/context.ts";
import { objectNotFound, validation } from "./errors.ts";
import { pageOf } from "./paging.ts";
import { changeAutoScaling, onlyEcsServices, registered, type ScalableResource, scaledServices } from "./resource.ts";

/**
 * Creates or replaces a target tracking policy on a registered target. Berth tracks the two
 * predefined ECS metrics it measures itself; step scaling, predictive scaling and customized
 * metrics are refused (docs/not-built-yet.md).
 */
export async function PutScalingPolicy(
  input: PutScalingPolicyRequest & ScalableResource & { PolicyName: string },
  ctx: ActionContext,
): Promise<PutScalingPolicyResponse> {
  onlyEcsServices(input);
  checkPolicy(input);
  return changeAutoScaling(ctx, input.ResourceId, (current) => {
    const scaling = registered(current, input);
    const before = scaling.policies.find((p) => p.PolicyName === input.PolicyName);
    const policy: ScalingPolicy = {
      PolicyARN: before?.PolicyARN ?? scalingPolicyArn(ctx.partition, input.ResourceId, input.PolicyName),
      PolicyName: input.PolicyName,
      ServiceNamespace: input.ServiceNamespace,
      ResourceId: input.ResourceId,
      ScalableDimension: input.ScalableDimension,
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: input.TargetTrackingScalingPolicyConfiguration,
      // Berth evaluates its metrics itself: there are no CloudWatch alarms behind the policy.
      Alarms: [],
      CreationTime: before?.CreationTime ?? ctx.now(),
    };
    const policies = [...scaling.policies.filter((p) => p.PolicyName !== input.PolicyName), policy];
    return {
      autoScaling: { ...scaling, policies },
      result: { PolicyARN: policy.PolicyARN as string, Alarms: [] },
    };
  });
}

function checkPolicy(input: PutScalingPolicyRequest): void {
  const type = input.PolicyType ?? "StepScaling";
  if (type !== "TargetTrackingScaling") {
    throw validation(`Berth supports only TargetTrackingScaling policies for ECS services, not ${type}.`);
  }
  const config = input.TargetTrackingScalingPolicyConfiguration;
  if (!config)
    throw validation("TargetTrackingScalingPolicyConfiguration is required for TargetTrackingScaling policies.");
  if (input.StepScalingPolicyConfiguration) {
    throw validation("StepScalingPolicyConfiguration is not allowed for TargetTrackingScaling policies.");
  }
  const metric = config.PredefinedMetricSpecification?.PredefinedMetricType;
  if (!metric || !SCALING_METRICS.includes(metric)) {
    throw validation(`Berth tracks only the predefined metrics ${SCALING_METRICS.join(" and ")} for ECS services.`);
  }
  if (config.TargetValue === undefined || config.TargetValue <= 0 || config.TargetValue > 100) {
    throw validation("TargetValue must be greater than 0 and at most 100 for a utilization metric.");
  }
}

export async function DeleteScalingPolicy(
  input: DeleteScalingPolicyRequest & ScalableResource & { PolicyName: string },
  ctx: ActionContext,
): Promise<DeleteScalingPolicyResponse> {
  onlyEcsServices(input);
  return changeAutoScaling(ctx, input.ResourceId, (current) => {
    const scaling = registered(current, input);
    if (!scaling.policies.some((p) => p.PolicyName === input.PolicyName)) {
      throw objectNotFound(
        `No scaling policy found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, policy name: ${input.PolicyName}`,
      );
    }
    return {
      autoScaling: { ...scaling, policies: scaling.policies.filter((p) => p.PolicyName !== input.PolicyName) },
      result: {},
    };
  });
}

export async function DescribeScalingPolicies(
  input: DescribeScalingPoliciesRequest,
  ctx: ActionContext,
): Promise<DescribeScalingPoliciesResponse> {
  onlyEcsServices(input);
  const services = await scaledServices(ctx, input.ResourceId === undefined ? undefined : [input.ResourceId]);
  const policies = services
    .flatMap((s) => s.policies)
    .filter((p) => !input.PolicyNames || input.PolicyNames.includes(p.PolicyName as string));
  const page = pageOf(policies, (p) => `${p.ResourceId}\u0000${p.PolicyName}`, input);
  return { ScalingPolicies: page.items, NextToken: page.NextToken };
}
