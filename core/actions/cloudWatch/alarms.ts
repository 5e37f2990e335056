import { authorize } from "../../auth/authorize.ts";
import { clusterArn } from "../../model/arn.ts";
import { type AlarmState, alarmArn, alarmService, type MetricAlarm } from "../../model/metricAlarm.ts";
import type { AlarmRecord } from "../../model/records.ts";
import type { ActionContext } from "../../operations/context.ts";
import { retryOnConflict } from "../../operations/retry.ts";
import { serviceChanged } from "../../operations/serviceQueue.ts";
import { allItems } from "../../store/paging.ts";
import { put } from "../../store/port.ts";
import { nextToken, pageInMemory, pageRequest } from "../pagination.ts";
import { checkAlarm } from "./checkAlarm.ts";
import { alarmNotFound, invalidFormat } from "./errors.ts";
import type { DescribeAlarmsInput, PutMetricAlarmInput } from "./shapes.ts";

/**
 * Creates or replaces a metric alarm on an ECS service's CPU or memory utilization, which the
 * service's scheduler rounds then evaluate (core/services/alarms.ts). As on CloudWatch, an update
 * overwrites the configuration and leaves the state as it is; its datapoints are kept while it
 * watches the same metric of the same service over the same period. Tags are set only when it
 * creates the alarm (TagResource changes them after).
 */
export async function PutMetricAlarm(input: PutMetricAlarmInput, ctx: ActionContext): Promise<Record<string, never>> {
  checkAlarm(input);
  const now = ctx.now();
  const { cluster, service } = alarmService({ Dimensions: input.Dimensions ?? [] });
  await retryOnConflict(async () => {
    const before = await ctx.store.getAlarm(input.AlarmName);
    // Authorization saw the cluster the request names; replacing an alarm that watches another
    // cluster's service changes that cluster's scaling too, so the caller must be allowed there.
    if (before && before.cluster !== cluster && ctx.caller) {
      await authorize(ctx.store, ctx.partition, ctx.caller, "cloudwatch:PutMetricAlarm", input, [
        clusterArn(ctx.partition, before.cluster),
      ]);
    }
    const alarm: MetricAlarm = {
      AlarmName: input.AlarmName,
      AlarmArn: alarmArn(ctx.partition.region, ctx.partition.accountId, input.AlarmName),
      AlarmDescription: input.AlarmDescription,
      AlarmConfigurationUpdatedTimestamp: now,
      ActionsEnabled: input.ActionsEnabled ?? true,
      OKActions: input.OKActions ?? [],
      AlarmActions: input.AlarmActions ?? [],
      InsufficientDataActions: input.InsufficientDataActions ?? [],
      StateValue: before?.alarm.StateValue ?? "INSUFFICIENT_DATA",
      StateReason: before?.alarm.StateReason ?? "Unchecked: Initial alarm creation",
      StateReasonData: before?.alarm.StateReasonData,
      StateUpdatedTimestamp: before?.alarm.StateUpdatedTimestamp ?? now,
      StateTransitionedTimestamp: before?.alarm.StateTransitionedTimestamp ?? now,
      MetricName: input.MetricName as string,
      Namespace: input.Namespace as string,
      Statistic: input.Statistic as string,
      Dimensions: input.Dimensions ?? [],
      Period: input.Period as number,
      Unit: input.Unit,
      EvaluationPeriods: input.EvaluationPeriods as number,
      DatapointsToAlarm: input.DatapointsToAlarm,
      Threshold: input.Threshold as number,
      ComparisonOperator: input.ComparisonOperator as string,
      TreatMissingData: input.TreatMissingData,
    };
    const sameSeries =
      before !== undefined &&
      before.cluster === cluster &&
      before.service === service &&
      before.alarm.MetricName === alarm.MetricName &&
      before.alarm.Period === alarm.Period;
    const tags = before ? before.tags : Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value]));
    const record = {
      name: input.AlarmName,
      cluster,
      service,
      alarm,
      datapoints: sameSeries ? before.datapoints : [],
      tags,
      ...(before ? { version: before.version } : {}),
    };
    await ctx.store.commit([put("alarm", record)]);
  });
  // The service's next round evaluates it, without waiting for the sweep.
  serviceChanged(ctx, cluster, service);
  return {};
}

/** The metric alarms (Berth has no composite ones), by name, filtered as CloudWatch filters them; MaxRecords up to 100. */
export async function DescribeAlarms(input: DescribeAlarmsInput, ctx: ActionContext) {
  const wantsMetricAlarms = !input.AlarmTypes || input.AlarmTypes.includes("MetricAlarm");
  const related = input.ChildrenOfAlarmName !== undefined || input.ParentsOfAlarmName !== undefined;
  const all =
    wantsMetricAlarms && !related
      ? input.AlarmNames
        ? (await Promise.all(input.AlarmNames.map((n) => ctx.store.getAlarm(n)))).filter((r) => r !== undefined)
        : await allItems((page) => ctx.store.listAlarms(page))
      : [];
  const matching = all
    .filter((r) => input.AlarmNamePrefix === undefined || r.name.startsWith(input.AlarmNamePrefix))
    .filter((r) => input.StateValue === undefined || r.alarm.StateValue === input.StateValue)
    .filter(
      (r) =>
        input.ActionPrefix === undefined ||
        [...r.alarm.AlarmActions, ...r.alarm.OKActions, ...r.alarm.InsufficientDataActions].some((a) =>
          a.startsWith(input.ActionPrefix as string),
        ),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = pageInMemory(
    matching,
    (r) => r.name,
    pageRequest({ maxResults: input.MaxRecords, nextToken: input.NextToken }, 50),
  );
  return { MetricAlarms: page.items.map((r) => r.alarm), CompositeAlarms: [], NextToken: nextToken(page) };
}

/** Deletes the alarms named, all or none: one that does not exist is ResourceNotFound, and nothing is deleted. */
export async function DeleteAlarms(
  input: { AlarmNames: string[] },
  ctx: ActionContext,
): Promise<Record<string, never>> {
  const expiresAt = ctx.now().getTime();
  await changeAlarms(ctx, input.AlarmNames, (r) => ({ ...r, expiresAt }));
  return {};
}

/**
 * Sets an alarm's state for testing, as CloudWatch's SetAlarmState does: the service's next
 * round runs the actions of that state (a step policy, for ALARM), then evaluates the alarm
 * again, which brings it back to its actual state.
 */
export async function SetAlarmState(
  input: { AlarmName: string; StateValue: AlarmState; StateReason: string; StateReasonData?: string },
  ctx: ActionContext,
): Promise<Record<string, never>> {
  if (input.StateReasonData !== undefined) {
    try {
      JSON.parse(input.StateReasonData);
    } catch {
      throw invalidFormat("StateReasonData is not valid JSON.");
    }
  }
  const now = ctx.now();
  const record = await changeAlarms(ctx, [input.AlarmName], (r) => ({
    ...r,
    stateSet: true,
    alarm: {
      ...r.alarm,
      StateValue: input.StateValue,
      StateReason: input.StateReason,
      StateReasonData: input.StateReasonData,
      StateUpdatedTimestamp: now,
      StateTransitionedTimestamp: input.StateValue === r.alarm.StateValue ? r.alarm.StateTransitionedTimestamp : now,
    },
  }));
  serviceChanged(ctx, record[0].cluster, record[0].service);
  return {};
}

export async function EnableAlarmActions(input: { AlarmNames: string[] }, ctx: ActionContext) {
  await changeAlarms(ctx, input.AlarmNames, (r) => ({ ...r, alarm: { ...r.alarm, ActionsEnabled: true } }));
  return {};
}

export async function DisableAlarmActions(input: { AlarmNames: string[] }, ctx: ActionContext) {
  await changeAlarms(ctx, input.AlarmNames, (r) => ({ ...r, alarm: { ...r.alarm, ActionsEnabled: false } }));
  return {};
}

/** Changes the alarms named, all or none: one that does not exist is ResourceNotFound. Returns them changed. */
function changeAlarms(ctx: ActionContext, names: string[], change: (record: AlarmRecord) => AlarmRecord) {
  return retryOnConflict(async () => {
    const records = await Promise.all([...new Set(names)].map((n) => ctx.store.getAlarm(n)));
    const missing = [...new Set(names)].filter((_, i) => records[i] === undefined);
    if (missing.length > 0) throw alarmNotFound(`${missing.join(", ")} not found`);
    const changed = (records as AlarmRecord[]).map(change);
    if (changed.length > 0) await ctx.store.commit(changed.map((r) => put("alarm", r)));
    return changed;
  });
}
