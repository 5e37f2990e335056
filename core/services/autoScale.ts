import type { ScalingActivity } from "@aws-sdk/client-application-auto-scaling";
import { MAX_ACTIVITIES, scalingActivity } from "../model/autoScaling.ts";
import type { ServiceRecord, TaskRecord, TaskUtilization } from "../model/records.ts";
import { type ServiceUtilization, serviceUtilization } from "../model/serviceUtilization.ts";
import type { EvaluatedAlarm } from "./alarms.ts";
import type { Instances } from "./observe.ts";
import { runScheduledActions } from "./scheduledScaling.ts";
import { decideStepScaling } from "./stepScaling.ts";
import { decideScaling, type ScalingDecision } from "./targetTracking.ts";

/**
 * The service's auto scaling, evaluated in its scheduler round (level-triggered: from the
 * service's tasks and the agents' latest reports, and its alarms as this round evaluated them;
 * nothing remembered but cooldowns and when scheduled actions last ran): scheduled actions due
 * set the capacity range, then the range, the target tracking policies and the step policies
 * whose alarms are in ALARM may call for another desired count (a scale-out wins over a
 * scale-in, the larger over the smaller; the range first), which the service gets as
 * UpdateService would set it, with a scaling activity and a service event, committed by the
 * round with the rest. The round then starts or stops tasks for the new count at once.
 */
export function autoScale(
  record: ServiceRecord,
  utilization: ServiceUtilization,
  alarms: EvaluatedAlarm[],
  now: Date,
): { record: ServiceRecord; message?: string } {
  if (!record.autoScaling || record.service.status !== "ACTIVE" || record.service.schedulingStrategy === "DAEMON") {
    return { record };
  }
  const { cluster, name } = record;
  const scheduled = runScheduledActions(record.autoScaling, cluster, name, now);
  const scaling = scheduled.scaling;
  const activities = [...scheduled.activities];
  const current = record.service.desiredCount ?? 0;
  const deploying = (record.service.deployments?.length ?? 0) > 1;
  const tracking = decideScaling(scaling, current, utilization, now.getTime(), deploying);
  const stepping = decideStepScaling(scaling, current, alarms, now.getTime(), deploying);
  const decision = stronger(tracking, stepping.decision);
  if (decision) {
    activities.push(
      scalingActivity(cluster, name, now, {
        Description: `Setting desired count to ${decision.desiredCount}.`,
        Cause: `At ${now.toISOString()} ${decision.cause}, changing the desired capacity from ${current} to ${decision.desiredCount}.`,
        StatusCode: "Successful",
        StatusMessage: `Successfully set desired count to ${decision.desiredCount}. Change successfully fulfilled by ecs.`,
      }),
    );
  }
  if (activities.length === 0) return { record };
  const desiredCount = decision?.desiredCount ?? current;
  return {
    record: {
      ...record,
      service: { ...record.service, desiredCount },
      autoScaling: {
        ...scaling,
        activities: newestFirst(activities, scaling.activities),
        lastScaleOutMs: decision?.direction === "out" ? now.getTime() : scaling.lastScaleOutMs,
        lastScaleInMs: decision?.direction === "in" ? now.getTime() : scaling.lastScaleInMs,
        stepRuns: decision && decision === stepping.decision ? stepping.runs : scaling.stepRuns,
      },
    },
    message:
      decision &&
      `(service ${name}) was scaled ${decision.direction} from ${current} to ${desiredCount} tasks by Application Auto Scaling: ${decision.cause}.`,
  };
}

/**
 * Of target tracking's and step scaling's decisions, the one to take: a count outside the range
 * (target tracking says so first), else a scale-out over a scale-in, the larger count over the smaller.
 */
function stronger(tracking?: ScalingDecision, step?: ScalingDecision): ScalingDecision | undefined {
  if (!tracking || !step) return tracking ?? step;
  if (tracking.direction !== step.direction) return tracking.direction === "out" ? tracking : step;
  return step.desiredCount > tracking.desiredCount ? step : tracking;
}

/** Activities done this round (in order) before the older ones, newest first, the latest MAX_ACTIVITIES kept. */
const newestFirst = (done: ScalingActivity[], older: ScalingActivity[]) =>
  [...done.reverse(), ...older].slice(0, MAX_ACTIVITIES);

/** The service's utilization this round, from its tasks and the agents' latest reports. */
export const measuredUtilization = (tasks: TaskRecord[], instances: Instances): ServiceUtilization =>
  serviceUtilization(tasks, freshMeasurements(instances));

/** Each task's latest measurement, from agents connected now (an away agent's figures are stale). */
function freshMeasurements(instances: Instances): Map<string, TaskUtilization> {
  const byTask = new Map<string, TaskUtilization>();
  for (const [id, beat] of instances.heartbeats) {
    if (!instances.states.get(id)?.connected) continue;
    for (const t of beat.utilization?.tasks ?? []) byTask.set(t.taskArn, t);
  }
  return byTask;
}
