import type { ScalingActivity } from "@aws-sdk/client-application-auto-scaling";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE, serviceResourceId, withActivity } from "../model/autoScaling.ts";
import { newUuid } from "../model/ids.ts";
import type { ServiceRecord, TaskRecord, TaskUtilization } from "../model/records.ts";
import { serviceUtilization } from "../model/serviceUtilization.ts";
import type { Instances } from "./observe.ts";
import { decideScaling } from "./targetTracking.ts";

/**
 * The service's auto scaling, evaluated in its scheduler round (level-triggered: from the
 * service's tasks and the agents' latest reports, nothing remembered but the cooldowns): when
 * a policy or the target's capacity range calls for another desired count, the service gets it,
 * as UpdateService would set it, with a scaling activity and a service event, committed by the
 * round with the rest. The round then starts or stops tasks for the new count at once.
 */
export function autoScale(
  record: ServiceRecord,
  tasks: TaskRecord[],
  instances: Instances,
  now: Date,
): { record: ServiceRecord; message?: string } {
  const scaling = record.autoScaling;
  if (!scaling || record.service.status !== "ACTIVE" || record.service.schedulingStrategy === "DAEMON") {
    return { record };
  }
  const current = record.service.desiredCount ?? 0;
  const utilization = serviceUtilization(tasks, freshMeasurements(instances));
  const decision = decideScaling(scaling, current, utilization, now.getTime());
  if (!decision) return { record };
  const { desiredCount, direction, cause } = decision;
  const name = record.name;
  const activity: ScalingActivity = {
    ActivityId: newUuid(),
    ServiceNamespace: ECS_NAMESPACE,
    ResourceId: serviceResourceId(record.cluster, name),
    ScalableDimension: ECS_DESIRED_COUNT,
    Description: `Setting desired count to ${desiredCount}.`,
    Cause: `At ${now.toISOString()} ${cause}, changing the desired capacity from ${current} to ${desiredCount}.`,
    StartTime: now,
    EndTime: now,
    StatusCode: "Successful",
    StatusMessage: `Successfully set desired count to ${desiredCount}. Change successfully fulfilled by ecs.`,
  };
  return {
    record: {
      ...record,
      service: { ...record.service, desiredCount },
      autoScaling: {
        ...scaling,
        activities: withActivity(scaling.activities, activity),
        lastScaleOutMs: direction === "out" ? now.getTime() : scaling.lastScaleOutMs,
        lastScaleInMs: direction === "in" ? now.getTime() : scaling.lastScaleInMs,
      },
    },
    message: `(service ${name}) was scaled ${direction} from ${current} to ${desiredCount} tasks by Application Auto Scaling: ${cause}.`,
  };
}

/** Each task's latest measurement, from agents connected now (an away agent's figures are stale). */
function freshMeasurements(instances: Instances): Map<string, TaskUtilization> {
  const byTask = new Map<string, TaskUtilization>();
  for (const [id, beat] of instances.heartbeats) {
    if (!instances.states.get(id)?.connected) continue;
    for (const t of beat.utilization?.tasks ?? []) byTask.set(t.taskArn, t);
  }
  return byTask;
}
