import { describe, expect, it } from "vitest";
import { checkAlarm } from "../../../../core/actions/cloudWatch/checkAlarm.ts";
import type { PutMetricAlarmInput } from "../../../../core/actions/cloudWatch/shapes.ts";

const alarm = (over: Partial<PutMetricAlarmInput>): PutMetricAlarmInput => ({
  AlarmName: "cpu-high",
  Namespace: "AWS/ECS",
  MetricName: "CPUUtilization",
  Dimensions: [
    { Name: "ClusterName", Value: "web" },
    { Name: "ServiceName", Value: "app" },
  ],
  Statistic: "Average",
  Period: 60,
  EvaluationPeriods: 3,
  ComparisonOperator: "GreaterThanThreshold",
  Threshold: 70,
  ...over,
});

describe("checkAlarm's evaluation range", () => {
  it("takes a day of one-minute periods and a week of hourly ones", () => {
    expect(() => checkAlarm(alarm({ Period: 60, EvaluationPeriods: 1440 }))).not.toThrow();
    expect(() => checkAlarm(alarm({ Period: 3600, EvaluationPeriods: 168 }))).not.toThrow();
  });

  it("refuses more than a day with a period under an hour, as CloudWatch does", () => {
    expect(() => checkAlarm(alarm({ Period: 60, EvaluationPeriods: 1441 }))).toThrow(
      "cannot be longer than 86400 seconds for a period of less than one hour",
    );
    expect(() => checkAlarm(alarm({ Period: 60, EvaluationPeriods: 10080 }))).toThrow("86400");
  });

  it("refuses more than a week with longer periods", () => {
    expect(() => checkAlarm(alarm({ Period: 3600, EvaluationPeriods: 169 }))).toThrow("604800 seconds.");
  });

  it("refuses more datapoints than an alarm's record keeps (high-resolution periods over a day of minutes)", () => {
    expect(() => checkAlarm(alarm({ Period: 10, EvaluationPeriods: 8640 }))).toThrow(
      "Berth keeps at most 1440 datapoints an alarm",
    );
    expect(() => checkAlarm(alarm({ Period: 30, EvaluationPeriods: 1440 }))).not.toThrow();
  });
});
