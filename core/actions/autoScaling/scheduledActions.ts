import type {
  DeleteScheduledActionRequest,
  DeleteScheduledActionResponse,
  DescribeScheduledActionsRequest,
  DescribeScheduledActionsResponse,
  PutScheduledActionRequest,
  PutScheduledActionResponse,
  ScheduledAction,
} from "@aws-sdk/client-application-auto-scaling";
import { scheduledActionArn } from "../../model/autoScaling.ts";
import { knownTimeZone, parseSchedule } from "../../model/schedule.ts";
import type { ActionContext } from "../../operations/context.ts";
import { objectNotFound, validation } from "./errors.ts";
import { pageOf } from "./paging.ts";
import { changeAutoScaling, onlyEcsServices, registered, type ScalableResource, scaledServices } from "./resource.ts";

/** Creates or updates a scheduled action (an update keeps what the request leaves out). */
export async function PutScheduledAction(
  input: PutScheduledActionRequest & ScalableResource & { ScheduledActionName: string },
  ctx: ActionContext,
): Promise<PutScheduledActionResponse> {
  onlyEcsServices(input);
  const schedule = input.Schedule === undefined ? undefined : parseSchedule(input.Schedule);
  if (typeof schedule === "string") throw validation(schedule);
  if (input.Timezone !== undefined && !knownTimeZone(input.Timezone)) {
    throw validation(`Unknown time zone: ${input.Timezone}. Use an IANA time zone name, such as America/New_York.`);
  }
  const capacity = input.ScalableTargetAction;
  if (
    capacity?.MinCapacity !== undefined &&
    capacity.MaxCapacity !== undefined &&
    capacity.MinCapacity > capacity.MaxCapacity
  ) {
    throw validation("Minimum capacity cannot be greater than maximum capacity.");
  }
  return changeAutoScaling(ctx, input.ResourceId, (current) => {
    const scaling = registered(current, input);
    const before = scaling.scheduledActions.find((a) => a.ScheduledActionName === input.ScheduledActionName);
    const Schedule = input.Schedule ?? before?.Schedule;
    if (Schedule === undefined) throw validation("Schedule is required for a new scheduled action.");
    const action: ScheduledAction = {
      ...before,
      ScheduledActionName: input.ScheduledActionName,
      ScheduledActionARN:
        before?.ScheduledActionARN ?? scheduledActionArn(ctx.partition, input.ResourceId, input.ScheduledActionName),
      ServiceNamespace: input.ServiceNamespace,
      ResourceId: input.ResourceId,
      ScalableDimension: input.ScalableDimension,
      Schedule,
      Timezone: input.Timezone ?? before?.Timezone ?? "UTC",
      StartTime: input.StartTime ?? before?.StartTime,
      EndTime: input.EndTime ?? before?.EndTime,
      ScalableTargetAction: input.ScalableTargetAction ?? before?.ScalableTargetAction,
      CreationTime: before?.CreationTime ?? ctx.now(),
    };
    const scheduledActions = [
      ...scaling.scheduledActions.filter((a) => a.ScheduledActionName !== input.ScheduledActionName),
      action,
    ];
    return { autoScaling: { ...scaling, scheduledActions }, result: {} };
  });
}

export async function DeleteScheduledAction(
  input: DeleteScheduledActionRequest & ScalableResource & { ScheduledActionName: string },
  ctx: ActionContext,
): Promise<DeleteScheduledActionResponse> {
  onlyEcsServices(input);
  return changeAutoScaling(ctx, input.ResourceId, (current) => {
    const scaling = registered(current, input);
    const name = input.ScheduledActionName;
    if (!scaling.scheduledActions.some((a) => a.ScheduledActionName === name)) {
      throw objectNotFound(
        `No scheduled action found for service namespace: ${input.ServiceNamespace}, resource ID: ${input.ResourceId}, scalable dimension: ${input.ScalableDimension}, scheduled action name: ${name}`,
      );
    }
    const scheduledActions = scaling.scheduledActions.filter((a) => a.ScheduledActionName !== name);
    return { autoScaling: { ...scaling, scheduledActions }, result: {} };
  });
}

export async function DescribeScheduledActions(
  input: DescribeScheduledActionsRequest,
  ctx: ActionContext,
): Promise<DescribeScheduledActionsResponse> {
  onlyEcsServices(input);
  const services = await scaledServices(ctx, input.ResourceId === undefined ? undefined : [input.ResourceId]);
  const names = input.ScheduledActionNames;
  const actions = services
    .flatMap((s) => s.scheduledActions)
    .filter((a) => !names || names.includes(a.ScheduledActionName as string));
  const page = pageOf(actions, (a) => `${a.ResourceId}\u0000${a.ScheduledActionName}`, input);
  return { ScheduledActions: page.items, NextToken: page.NextToken };
}
