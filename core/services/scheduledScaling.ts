import type { ScalingActivity } from "@aws-sdk/client-application-auto-scaling";
import { type ServiceAutoScaling, scalingActivity } from "../model/autoScaling.ts";
import { latestOccurrence, parseSchedule } from "../model/schedule.ts";

/**
 * The scheduled actions due at `now`, run: each sets the target's minimum and maximum capacity
 * (what it names of them), as Application Auto Scaling's do; the capacity range then brings the
 * desired count within them (targetTracking.ts). An action is due when its schedule has an
 * occurrence since it last ran (or was created), within its StartTime and EndTime; a round that
 * finds it due records that it ran, so it runs once per occurrence. Pure.
 */
export function runScheduledActions(
  scaling: ServiceAutoScaling,
  cluster: string,
  service: string,
  now: Date,
): { scaling: ServiceAutoScaling; activities: ScalingActivity[] } {
  if (scaling.target.SuspendedState?.ScheduledScalingSuspended) return { scaling, activities: [] };
  const at = now.getTime();
  let target = scaling.target;
  const runs = { ...scaling.scheduledRuns };
  const activities: ScalingActivity[] = [];
  for (const action of scaling.scheduledActions) {
    const name = action.ScheduledActionName as string;
    const start = action.StartTime?.getTime();
    const end = action.EndTime?.getTime();
    const schedule = parseSchedule(action.Schedule ?? "");
    if (typeof schedule === "string" || (start !== undefined && at < start) || (end !== undefined && at > end))
      continue;
    const created = action.CreationTime?.getTime() ?? 0;
    const after = Math.max(runs[name] ?? created, start ?? 0);
    if (latestOccurrence(schedule, after, at, start ?? created, action.Timezone) === undefined) continue;
    runs[name] = at;
    const min = action.ScalableTargetAction?.MinCapacity ?? target.MinCapacity ?? 0;
    const max = action.ScalableTargetAction?.MaxCapacity ?? target.MaxCapacity ?? 0;
    const description = `Setting min capacity to ${min} and max capacity to ${max}`;
    const cause = `scheduled action name ${name} was triggered`;
    if (min > max) {
      activities.push(
        scalingActivity(cluster, service, now, {
          Description: description,
          Cause: cause,
          StatusCode: "Failed",
          StatusMessage: `Minimum capacity ${min} cannot be greater than maximum capacity ${max}.`,
        }),
      );
      continue;
    }
    target = { ...target, MinCapacity: min, MaxCapacity: max };
    activities.push(
      scalingActivity(cluster, service, now, {
        Description: description,
        Cause: cause,
        StatusCode: "Successful",
        StatusMessage: `Successfully set min capacity to ${min} and max capacity to ${max}`,
      }),
    );
  }
  if (activities.length === 0) return { scaling, activities };
  return { scaling: { ...scaling, target, scheduledRuns: runs }, activities };
}
