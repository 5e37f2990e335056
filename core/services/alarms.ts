import { ALARM_METRICS, evaluateAlarm, withSample } from "../model/metricAlarm.ts";
import type { AlarmRecord } from "../model/records.ts";
import type { ServiceUtilization } from "../model/serviceUtilization.ts";

/** An alarm after this round's evaluation, with the datapoint values it evaluated (oldest first). */
export interface EvaluatedAlarm {
  record: AlarmRecord;
  values: number[];
}

/**
 * The service's metric alarms, evaluated in its round, pure: each takes the round's measurement
 * of its metric as a sample of the current period (none when nothing was measured: a missing
 * datapoint), then CloudWatch's rule decides its state (core/model/metricAlarm.ts). The state
 * and its reason change only on a transition, as CloudWatch's do. Returns every alarm as it is
 * now, and those to write.
 */
export function evaluateAlarms(
  alarms: AlarmRecord[],
  utilization: ServiceUtilization,
  now: Date,
): { current: EvaluatedAlarm[]; changed: AlarmRecord[] } {
  const changed: AlarmRecord[] = [];
  const current = alarms.map((record) => {
    const value = utilization[ALARM_METRICS[record.alarm.MetricName]];
    const datapoints =
      value === undefined ? record.datapoints : withSample(record.alarm, record.datapoints, value, now.getTime());
    const evaluation = evaluateAlarm(record.alarm, datapoints, now.getTime());
    // A state set by SetAlarmState holds for one round (its actions run), as CloudWatch's returns
    // to the actual state at its next evaluation.
    if (record.stateSet) {
      const next = { ...record, datapoints, stateSet: undefined };
      changed.push(next);
      return { record: next, values: evaluation.values };
    }
    const transition = evaluation.state !== record.alarm.StateValue;
    const alarm = transition
      ? {
          ...record.alarm,
          StateValue: evaluation.state,
          StateReason: evaluation.reason,
          StateReasonData: JSON.stringify({
            version: "1.0",
            queryDate: now.toISOString(),
            statistic: record.alarm.Statistic,
            period: record.alarm.Period,
            recentDatapoints: evaluation.values,
            threshold: record.alarm.Threshold,
          }),
          StateUpdatedTimestamp: now,
          StateTransitionedTimestamp: now,
        }
      : record.alarm;
    const next = { ...record, alarm, datapoints };
    if (transition || datapoints !== record.datapoints) changed.push(next);
    return { record: next, values: evaluation.values };
  });
  return { current, changed };
}
