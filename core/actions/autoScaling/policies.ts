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
import type { AlarmRecord } from "../../model/records.ts";
import { SCALING_METRICS } from "../../model/serviceUtilization.ts";
import { stepConfigurationProblem } from "../../model/stepScaling.ts";
import type { ActionContext } from "../../operations/context.ts";
import { objectNotFound, validation } from "./errors.ts";
import { pageOf } from "./paging.ts";
import {
  changeAutoScaling,
  onlyEcsServices,
  registered,
  type ScalableResource,
  scaledServices,
  serviceOf,
} from "./resource.ts";

/**
 * Creates or replaces a target tracking or step scaling policy on a registered target. Berth
 * tracks the two predefined ECS metrics it measures itself; a step policy runs when an alarm
 * Berth evaluates names it (core/services/stepScaling.ts). Predictive scaling and customized
 * metrics are refused (docs/not-built-yet.md).
 */
export async function PutScalingPolicy(
  input: PutScalingPolicyRequest & ScalableResource & { PolicyName: string },
  ctx: ActionContext,
): Promise<PutScalingPolicyResponse> {
  onlyEcsServices(input);
  const type = policyType(input);
  return changeAutoScaling(ctx, input.ResourceId, (current) => {
    const scaling = registered(current, input);
    const before = scaling.policies.find((p) => p.PolicyName === input.PolicyName);
    const configuration =
      type === "StepScaling"
        ? { StepScalingPolicyConfiguration: stepConfiguration(input, before) }
        : { TargetTrackingScalingPolicyConfiguration: input.TargetTrackingScalingPolicyConfiguration };
    const policy: ScalingPolicy = {
      PolicyARN: before?.PolicyARN ?? scalingPolicyArn(ctx.partition, input.ResourceId, input.PolicyName),
      PolicyName: input.PolicyName,
      ServiceNamespace: input.ServiceNamespace,
      ResourceId: input.ResourceId,
      ScalableDimension: input.ScalableDimension,
      PolicyType: type,
      ...configuration,
      // Target tracking: Berth evaluates its metrics itself, with no alarms behind the policy.
      // Step scaling: the alarms that name it (DescribeScalingPolicies lists them).
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

/** The policy's type, once its configuration is checked; AWS's default type is StepScaling. */
function policyType(input: PutScalingPolicyRequest): "TargetTrackingScaling" | "StepScaling" {
  const type = input.PolicyType ?? "StepScaling";
  if (type === "StepScaling") {
    if (input.TargetTrackingScalingPolicyConfiguration) {
      throw validation("TargetTrackingScalingPolicyConfiguration is not allowed for StepScaling policies.");
    }
    return type;
  }
  if (type !== "TargetTrackingScaling") {
    throw validation(
      `Berth supports only TargetTrackingScaling and StepScaling policies for ECS services, not ${type}.`,
    );
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
  return type;
}

/**
 * A step policy's configuration: what the request names over what the policy had (AWS requires
 * AdjustmentType and StepAdjustments only of a new configuration), checked whole.
 */
function stepConfiguration(input: PutScalingPolicyRequest, before: ScalingPolicy | undefined) {
  const given = input.StepScalingPolicyConfiguration;
  if (!given) throw validation("StepScalingPolicyConfiguration is required for StepScaling policies.");
  const config = { ...before?.StepScalingPolicyConfiguration, ...given };
  const problem = stepConfigurationProblem(config);
  if (problem) throw validation(problem);
  return config;
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
  return { ScalingPolicies: await withAlarms(ctx, page.items), NextToken: page.NextToken };
}

/** Step policies with the alarms that name them (those on their own service's metrics), as AWS lists them. */
async function withAlarms(ctx: ActionContext, policies: ScalingPolicy[]): Promise<ScalingPolicy[]> {
  const alarmsOf = new Map<string, Promise<AlarmRecord[]>>();
  return Promise.all(
    policies.map(async (policy) => {
      if (policy.PolicyType !== "StepScaling") return policy;
      const id = policy.ResourceId as string;
      if (!alarmsOf.has(id)) {
        const { cluster, name } = serviceOf(id);
        alarmsOf.set(id, ctx.store.listServiceAlarms(cluster, name));
      }
      const alarms = ((await alarmsOf.get(id)) ?? []).filter((r) =>
        [...r.alarm.AlarmActions, ...r.alarm.OKActions, ...r.alarm.InsufficientDataActions].includes(
          policy.PolicyARN as string,
        ),
      );
      return { ...policy, Alarms: alarms.map((r) => ({ AlarmName: r.name, AlarmARN: r.alarm.AlarmArn })) };
    }),
  );
}
