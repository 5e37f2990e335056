import { ALARM_DIMENSIONS, ALARM_METRICS, ALARM_NAMESPACE, COMPARISON_OPERATORS } from "../../model/metricAlarm.ts";
import { invalidCombination, invalidValue, missingParameter } from "./errors.ts";
import type { PutMetricAlarmInput } from "./shapes.ts";

const STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
const MISSING_DATA = ["breaching", "notBreaching", "ignore", "missing"];
/** CloudWatch: an alarm's evaluation range may not be longer than a week, nor a day with a period under an hour. */
const MAX_EVALUATION_SECONDS = 7 * 24 * 3600;
const MAX_SHORT_PERIOD_EVALUATION_SECONDS = 24 * 3600;
/**
 * Berth's own: the datapoints an alarm keeps, stored on its record (a DynamoDB item of at most
 * 400 KB): a day of one-minute periods. Only high-resolution alarms (10–30 s periods) over more
 * than a day's worth of minutes go beyond it, which Berth's one-minute measurements cannot fill anyway.
 */
const MAX_KEPT_DATAPOINTS = 1440;

/**
 * What PutMetricAlarm accepts, beyond the model's checks: CloudWatch's own rules for a
 * single-metric alarm (a statistic, a period of 10, 20, 30 or a multiple of 60 seconds,
 * DatapointsToAlarm within EvaluationPeriods, a week at most, a day with a period under an hour), and Berth's limit: it evaluates
 * alarms only on the ECS service metrics it measures (CPUUtilization, MemoryUtilization in
 * AWS/ECS, by ClusterName and ServiceName), with a static threshold. Throws what CloudWatch would.
 */
export function checkAlarm(input: PutMetricAlarmInput): void {
  if (input.Metrics !== undefined) {
    throw invalidValue("Berth evaluates single-metric alarms only: metric math (Metrics) is not supported.");
  }
  if (input.ThresholdMetricId !== undefined || input.EvaluationCriteria !== undefined) {
    throw invalidValue("Berth evaluates alarms with a static Threshold only.");
  }
  const required = [
    "MetricName",
    "Namespace",
    "Period",
    "EvaluationPeriods",
    "ComparisonOperator",
    "Threshold",
  ] as const;
  for (const name of required) {
    if (input[name] === undefined) throw missingParameter(`The parameter ${name} is required.`);
  }
  const metric = `${input.Namespace}/${input.MetricName}`;
  const dimensions = (input.Dimensions ?? []).map((d) => d.Name).sort();
  if (
    input.Namespace !== ALARM_NAMESPACE ||
    !Object.hasOwn(ALARM_METRICS, input.MetricName as string) ||
    dimensions.join() !== [...ALARM_DIMENSIONS].sort().join()
  ) {
    throw invalidValue(
      `Berth evaluates alarms only on the ECS service metrics ${Object.keys(ALARM_METRICS)
        .map((m) => `${ALARM_NAMESPACE}/${m}`)
        .join(
          " and ",
        )} with exactly the dimensions ${ALARM_DIMENSIONS.join(" and ")}, not ${metric} with [${dimensions.join(", ")}].`,
    );
  }
  if (input.Statistic === undefined && input.ExtendedStatistic === undefined) {
    throw missingParameter("The parameter Statistic or ExtendedStatistic is required.");
  }
  if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined) {
    throw invalidCombination("The parameters Statistic and ExtendedStatistic are mutually exclusive.");
  }
  if (input.ExtendedStatistic !== undefined) {
    throw invalidValue("Berth does not evaluate percentile statistics (ExtendedStatistic); use Statistic.");
  }
  if (!STATISTICS.includes(input.Statistic as string)) {
    throw invalidValue(`The value ${input.Statistic} for parameter Statistic is not supported.`);
  }
  if (!COMPARISON_OPERATORS.includes(input.ComparisonOperator as string)) {
    throw invalidValue(
      `Berth evaluates alarms with a static threshold: ComparisonOperator must be one of ${COMPARISON_OPERATORS.join(", ")}.`,
    );
  }
  const period = input.Period as number;
  if (![10, 20, 30].includes(period) && period % 60 !== 0) {
    throw invalidValue("The parameter Period must be 10, 20, 30 or a multiple of 60.");
  }
  const periods = input.EvaluationPeriods as number;
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > periods) {
    throw invalidValue("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
  }
  const longest = period < 3600 ? MAX_SHORT_PERIOD_EVALUATION_SECONDS : MAX_EVALUATION_SECONDS;
  if (period * periods > longest) {
    throw invalidValue(
      `The evaluation interval (Period × EvaluationPeriods) cannot be longer than ${longest} seconds${period < 3600 ? " for a period of less than one hour" : ""}.`,
    );
  }
  if (periods > MAX_KEPT_DATAPOINTS) {
    throw invalidValue(
      `Berth keeps at most ${MAX_KEPT_DATAPOINTS} datapoints an alarm: EvaluationPeriods must be at most ${MAX_KEPT_DATAPOINTS}.`,
    );
  }
  if (input.TreatMissingData !== undefined && !MISSING_DATA.includes(input.TreatMissingData)) {
    throw invalidValue(`TreatMissingData must be one of ${MISSING_DATA.join(", ")}.`);
  }
  if (input.Unit !== undefined && input.Unit !== "Percent") {
    throw invalidValue(`The metric ${metric} is in Percent, not ${input.Unit}.`);
  }
}
