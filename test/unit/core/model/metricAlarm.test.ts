import { describe, expect, it } from "vitest";
import { type Datapoint, evaluateAlarm, type MetricAlarm, withSample } from "../../../../core/model/metricAlarm.ts";

const alarm = (over: Partial<MetricAlarm> = {}): MetricAlarm =>
  ({
    AlarmName: "high",
    MetricName: "CPUUtilization",
    Namespace: "AWS/ECS",
    Statistic: "Average",
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 70,
    ComparisonOperator: "GreaterThanThreshold",
    StateValue: "INSUFFICIENT_DATA",
    StateReason: "Unchecked: Initial alarm creation",
    ...over,
  }) as MetricAlarm;

/** Samples at these seconds, one a minute from 0. */
const sampled = (a: MetricAlarm, values: [number, number][]) =>
  values.reduce<Datapoint[]>((points, [at, v]) => withSample(a, points, v, at * 1000), []);

describe("a metric alarm's evaluation", () => {
  it("aggregates samples per period by its statistic and keeps only the periods it evaluates", () => {
    const a = alarm({ Statistic: "Maximum", EvaluationPeriods: 2 });
    const points = sampled(a, [
      [0, 10],
      [61, 80],
      [62, 60],
      [125, 90],
    ]);
    expect(points.map((p) => [p.startMs, p.count, p.max])).toEqual([
      [60_000, 2, 80],
      [120_000, 1, 90],
    ]);
    expect(evaluateAlarm(a, points, 130_000).values).toEqual([80, 90]);
    expect(evaluateAlarm({ ...a, Statistic: "Average" }, points, 130_000).values).toEqual([70, 90]);
  });

  it("goes to ALARM when DatapointsToAlarm of EvaluationPeriods breach, the current period counting already", () => {
    const a = alarm({ DatapointsToAlarm: 2 });
    const points = sampled(a, [
      [10, 75],
      [70, 50],
      [130, 90],
    ]);
    const evaluation = evaluateAlarm(a, points, 131_000);
    expect(evaluation.state).toBe("ALARM");
    expect(evaluation.reason).toMatch(
      /^Threshold Crossed: 2 out of the last 3 datapoints \[75 \(.*\), 50 \(.*\), 90 \(.*\)\] were greater than the threshold \(70\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/,
    );
    expect(evaluateAlarm({ ...a, DatapointsToAlarm: 3 }, points, 131_000).state).toBe("OK");
  });

  it("treats missing data as CloudWatch does: left out, breaching, not breaching, or ignored", () => {
    const a = alarm({ EvaluationPeriods: 2 });
    const one = sampled(a, [[130, 90]]);
    // Missing: the one datapoint there is is not the two the alarm needs.
    expect(evaluateAlarm(a, one, 131_000).state).toBe("OK");
    expect(evaluateAlarm({ ...a, TreatMissingData: "breaching" }, one, 131_000).state).toBe("ALARM");
    expect(evaluateAlarm({ ...a, TreatMissingData: "notBreaching" }, one, 131_000).state).toBe("OK");
    // Nothing at all in the window.
    expect(evaluateAlarm(a, one, 400_000).state).toBe("INSUFFICIENT_DATA");
    expect(evaluateAlarm({ ...a, TreatMissingData: "breaching" }, one, 400_000).state).toBe("ALARM");
    const ignoring = { ...a, TreatMissingData: "ignore", StateValue: "ALARM" as const, StateReason: "before" };
    expect(evaluateAlarm(ignoring, one, 400_000)).toMatchObject({ state: "ALARM", reason: "before" });
  });

  it("compares by its operator", () => {
    const points = sampled(alarm(), [[0, 70]]);
    const at = (ComparisonOperator: string) =>
      evaluateAlarm(alarm({ ComparisonOperator, EvaluationPeriods: 1 }), points, 1_000).state;
    expect(at("GreaterThanThreshold")).toBe("OK");
    expect(at("GreaterThanOrEqualToThreshold")).toBe("ALARM");
    expect(at("LessThanThreshold")).toBe("OK");
    expect(at("LessThanOrEqualToThreshold")).toBe("ALARM");
  });
});
