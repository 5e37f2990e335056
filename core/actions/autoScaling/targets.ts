import type {
  DeregisterScalableTargetRequest,
  DeregisterScalableTargetResponse,
  DescribeScalableTargetsRequest,
  DescribeScalableTargetsResponse,
  RegisterScalableTargetRequest,
  RegisterScalableTargetResponse,
} from "@aws-sdk/client-application-auto-scaling";
import { ecsScalingRole, scalableTargetArn } from "../../model/autoScaling.ts";
import type { ActionContext } from "../../operations/context.ts";
import { validation } from "./errors.ts";
import { pageOf } from "./paging.ts";
import { changeAutoScaling, onlyEcsServices, registered, type ScalableResource, scaledServices } from "./resource.ts";

/**
 * Registers a service's desired count as a scalable target, or updates the one registered (only
 * what the request names changes). A new target needs both capacities; min may not exceed max.
 */
export async function RegisterScalableTarget(
  input: RegisterScalableTargetRequest & ScalableResource,
  ctx: ActionContext,
): Promise<RegisterScalableTargetResponse> {
  onlyEcsServices(input);
  return changeAutoScaling(ctx, input.ResourceId, (current) => {
    if (!current && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
      throw validation("MinCapacity and MaxCapacity are required for registering a new scalable target.");
    }
    const before = current?.target;
    const MinCapacity = input.MinCapacity ?? (before?.MinCapacity as number);
    const MaxCapacity = input.MaxCapacity ?? (before?.MaxCapacity as number);
    if (MinCapacity > MaxCapacity) {
      throw validation(`Minimum capacity cannot be greater than maximum capacity (${MinCapacity} > ${MaxCapacity}).`);
    }
    const target = {
      ServiceNamespace: input.ServiceNamespace,
      ResourceId: input.ResourceId,
      ScalableDimension: input.ScalableDimension,
      MinCapacity,
      MaxCapacity,
      RoleARN: before?.RoleARN ?? input.RoleARN ?? ecsScalingRole(ctx.partition),
      CreationTime: before?.CreationTime ?? ctx.now(),
      ScalableTargetARN: before?.ScalableTargetARN ?? scalableTargetArn(ctx.partition),
      SuspendedState: { ...before?.SuspendedState, ...input.SuspendedState },
    };
    const autoScaling = current
      ? { ...current, target }
      : { target, policies: [], scheduledActions: [], activities: [], tags: input.Tags };
    return { autoScaling, result: { ScalableTargetARN: target.ScalableTargetARN } };
  });
}

/** Deregisters the target, and with it its policies and scheduled actions (as AWS does). */
export async function DeregisterScalableTarget(
  input: DeregisterScalableTargetRequest & ScalableResource,
  ctx: ActionContext,
): Promise<DeregisterScalableTargetResponse> {
  onlyEcsServices(input);
  return changeAutoScaling(ctx, input.ResourceId, (current) => {
    registered(current, input);
    return { autoScaling: undefined, result: {} };
  });
}

export async function DescribeScalableTargets(
  input: DescribeScalableTargetsRequest,
  ctx: ActionContext,
): Promise<DescribeScalableTargetsResponse> {
  onlyEcsServices(input);
  const targets = (await scaledServices(ctx, input.ResourceIds)).map((s) => s.target);
  const page = pageOf(targets, (t) => t.ResourceId as string, input);
  return { ScalableTargets: page.items, NextToken: page.NextToken };
}
