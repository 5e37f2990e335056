/** CloudWatch's MetricAlarm, as DescribeAlarms returns it (the members Berth keeps). */
export interface MetricAlarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  AlarmConfigurationUpdatedTimestamp: Date;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: AlarmState;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: Date;
  StateTransitionedTimestamp: Date;
  MetricName: string;
  Namespace: string;
  Statistic: string;
  Dimensions: { Name: string; Value: string }[];
  Period: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
}

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

/** One period's samples of the alarm's metric, aggregated as they come (every statistic can be read from it). */
export interface Datapoint {
  /** The period's start, epoch ms (a multiple of the period). */
  startMs: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** The ECS service metrics Berth measures itself, and so the only ones its alarms may watch. */
export const ALARM_NAMESPACE = "AWS/ECS";
/** Each metric, by the ServiceUtilization member (serviceUtilization.ts) it is. */
export const ALARM_METRICS: Record<string, "cpu" | "memory"> = {
  CPUUtilization: "cpu",
  MemoryUtilization: "memory",
};
export const ALARM_DIMENSIONS = ["ClusterName", "ServiceName"];

/** The service an alarm's dimensions name. */
export function alarmService(alarm: Pick<MetricAlarm, "Dimensions">): { cluster: string; service: string } {
  const value = (name: string) => alarm.Dimensions.find((d) => d.Name === name)?.Value ?? "";
  return { cluster: value("ClusterName"), service: value("ServiceName") };
}

export const alarmArn = (region: string, accountId: string, name: string) =>
  `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;

/** A datapoint's value by CloudWatch statistic. */
export function statisticOf(point: Datapoint, statistic: string): number {
  switch (statistic) {
    case "Sum":
      return point.sum;
    case "SampleCount":
      return point.count;
    case "Minimum":
      return point.min;
    case "Maximum":
      return point.max;
    default:
      return point.sum / point.count;
  }
}

/** The alarm's datapoints with one more sample in the period `now` falls in, the last EvaluationPeriods kept. */
export function withSample(alarm: MetricAlarm, points: Datapoint[], value: number, now: number): Datapoint[] {
  const periodMs = alarm.Period * 1000;
  const startMs = Math.floor(now / periodMs) * periodMs;
  const oldest = startMs - (alarm.EvaluationPeriods - 1) * periodMs;
  const kept = points.filter((p) => p.startMs >= oldest && p.startMs !== startMs);
  const current = points.find((p) => p.startMs === startMs);
  const next: Datapoint = current
    ? {
        startMs,
        sum: current.sum + value,
        count: current.count + 1,
        min: Math.min(current.min, value),
        max: Math.max(current.max, value),
      }
    : { startMs, sum: value, count: 1, min: value, max: value };
  return [...kept, next].sort((a, b) => a.startMs - b.startMs);
}

const COMPARISONS: Record<string, { test: (v: number, t: number) => boolean; words: string }> = {
  GreaterThanOrEqualToThreshold: { test: (v, t) => v >= t, words: "greater than or equal to" },
  GreaterThanThreshold: { test: (v, t) => v > t, words: "greater than" },
  LessThanThreshold: { test: (v, t) => v < t, words: "less than" },
  LessThanOrEqualToThreshold: { test: (v, t) => v <= t, words: "less than or equal to" },
};
export const COMPARISON_OPERATORS = Object.keys(COMPARISONS);

export interface Evaluation {
  state: AlarmState;
  reason: string;
  /** The values of the datapoints evaluated, oldest first. */
  values: number[];
}

/**
 * CloudWatch's evaluation, pure: over the last EvaluationPeriods periods (the current one with
 * the samples it has so far: Berth does not wait for a period to close), ALARM when at least
 * DatapointsToAlarm datapoints breach; missing periods are left out (TreatMissingData
 * `missing`, the default), count as breaching or not (`breaching`, `notBreaching`), or, all
 * missing, keep the state (`ignore`); no datapoint at all is INSUFFICIENT_DATA; otherwise OK.
 */
export function evaluateAlarm(alarm: MetricAlarm, points: Datapoint[], now: number): Evaluation {
  const periodMs = alarm.Period * 1000;
  const latest = Math.floor(now / periodMs) * periodMs;
  const comparison = COMPARISONS[alarm.ComparisonOperator];
  const needed = alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods;
  const treat = alarm.TreatMissingData ?? "missing";
  const outcomes: { value?: number; breaching: boolean; at: number }[] = [];
  for (let i = alarm.EvaluationPeriods - 1; i >= 0; i--) {
    const at = latest - i * periodMs;
    const point = points.find((p) => p.startMs === at);
    if (point) {
      const value = statisticOf(point, alarm.Statistic);
      outcomes.push({ value, breaching: comparison.test(value, alarm.Threshold), at });
    } else if (treat === "breaching" || treat === "notBreaching") {
      outcomes.push({ breaching: treat === "breaching", at });
    }
  }
  const values = outcomes.flatMap((o) => (o.value === undefined ? [] : [o.value]));
  if (outcomes.length === 0) {
    if (treat === "ignore" && alarm.StateValue !== "INSUFFICIENT_DATA") {
      return { state: alarm.StateValue, reason: alarm.StateReason, values };
    }
    return {
      state: "INSUFFICIENT_DATA",
      reason: `Insufficient Data: ${alarm.EvaluationPeriods} datapoint${alarm.EvaluationPeriods === 1 ? " was" : "s were"} unknown.`,
      values,
    };
  }
  const breaching = outcomes.filter((o) => o.breaching).length;
  const state: AlarmState = breaching >= needed ? "ALARM" : "OK";
  const listed = outcomes
    .map((o) => `${o.value === undefined ? "missing" : round(o.value)} (${new Date(o.at).toISOString()})`)
    .join(", ");
  const counted = state === "ALARM" ? breaching : outcomes.length - breaching;
  const reason =
    state === "ALARM"
      ? `Threshold Crossed: ${counted} out of the last ${outcomes.length} datapoints [${listed}] ${counted === 1 ? "was" : "were"} ${comparison.words} the threshold (${alarm.Threshold}) (minimum ${needed} datapoint${needed === 1 ? "" : "s"} for OK -> ALARM transition).`
      : `Threshold Crossed: ${counted} out of the last ${outcomes.length} datapoints [${listed}] ${counted === 1 ? "was" : "were"} not ${comparison.words} the threshold (${alarm.Threshold}) (minimum ${outcomes.length - needed + 1} datapoint${outcomes.length - needed + 1 === 1 ? "" : "s"} for ALARM -> OK transition).`;
  return { state, reason, values };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
