import type { ScalingPolicy, StepScalingPolicyConfiguration } from "@aws-sdk/client-application-auto-scaling";
import { describe, expect, it } from "vitest";
import type { ServiceAutoScaling } from "../../../../core/model/autoScaling.ts";
import type { MetricAlarm } from "../../../../core/model/metricAlarm.ts";
import type { EvaluatedAlarm } from "../../../../core/services/alarms.ts";
import { decideStepScaling } from "../../../../core/services/stepScaling.ts";

const policy = (name: string, config: StepScalingPolicyConfiguration): ScalingPolicy => ({
  PolicyARN: `arn:policy/${name}`,
  PolicyName: name,
  PolicyType: "StepScaling",
  StepScalingPolicyConfiguration: config,
  ServiceNamespace: "ecs",
  ResourceId: "service/c/web",
  ScalableDimension: "ecs:service:DesiredCount",
  CreationTime: new Date(0),
});
const OUT = policy("out", {
  AdjustmentType: "ChangeInCapacity",
  Cooldown: 60,
  StepAdjustments: [
    { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
    { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
  ],
});
const IN = policy("in", {
  AdjustmentType: "ChangeInCapacity",
  Cooldown: 60,
  StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
});
const scaling = (over: Partial<ServiceAutoScaling> = {}): ServiceAutoScaling => ({
  target: { MinCapacity: 1, MaxCapacity: 10 } as ServiceAutoScaling["target"],
  policies: [OUT, IN],
  scheduledActions: [],
  activities: [],
  ...over,
});
const alarm = (
  name: string,
  state: MetricAlarm["StateValue"],
  actions: string[],
  values: number[],
  threshold = 70,
  period = 10,
) =>
  ({
    record: {
      alarm: {
        AlarmName: name,
        Period: period,
        StateValue: state,
        ActionsEnabled: true,
        AlarmActions: actions,
        OKActions: [],
        InsufficientDataActions: [],
        Threshold: threshold,
        MetricName: "CPUUtilization",
      },
    },
    values,
  }) as unknown as EvaluatedAlarm;

describe("step scaling", () => {
  it("runs the policies an alarm in ALARM names, by the step its breach falls in", () => {
    const high = alarm("high", "ALARM", ["arn:policy/out"], [80, 100]);
    expect(decideStepScaling(scaling(), 2, [high], 0).decision).toMatchObject({ desiredCount: 4, direction: "out" });
    const mild = alarm("high", "ALARM", ["arn:policy/out"], [75]);
    expect(decideStepScaling(scaling(), 2, [mild], 0).decision?.desiredCount).toBe(3);
    // Not in ALARM, or actions disabled: nothing.
    expect(
      decideStepScaling(scaling(), 2, [alarm("high", "OK", ["arn:policy/out"], [80])], 0).decision,
    ).toBeUndefined();
    const disabled = alarm("high", "ALARM", ["arn:policy/out"], [80]);
    disabled.record.alarm.ActionsEnabled = false;
    expect(decideStepScaling(scaling(), 2, [disabled], 0).decision).toBeUndefined();
  });

  it("within a scale-out's cooldown, scales out again only for more than the first one gave, counted from before it", () => {
    const high = (v: number) => alarm("high", "ALARM", ["arn:policy/out"], [v]);
    const first = decideStepScaling(scaling(), 2, [high(75)], 0);
    expect(first.decision?.desiredCount).toBe(3);
    const after = scaling({ stepRuns: first.runs });
    expect(decideStepScaling(after, 3, [high(75)], 30_000).decision).toBeUndefined();
    // A larger breach: the second step from the 2 before the first scale-out.
    expect(decideStepScaling(after, 3, [high(95)], 30_000).decision?.desiredCount).toBe(4);
    expect(decideStepScaling(after, 3, [high(75)], 61_000).decision?.desiredCount).toBe(4);
  });

  it("scales in one cooldown apart, not while deploying, and a scale-out wins over a scale-in", () => {
    const low = alarm("low", "ALARM", ["arn:policy/in"], [10], 20);
    const first = decideStepScaling(scaling(), 3, [low], 0);
    expect(first.decision).toMatchObject({ desiredCount: 2, direction: "in" });
    expect(decideStepScaling(scaling({ stepRuns: first.runs }), 2, [low], 30_000).decision).toBeUndefined();
    expect(decideStepScaling(scaling({ stepRuns: first.runs }), 2, [low], 61_000).decision?.desiredCount).toBe(1);
    expect(decideStepScaling(scaling(), 3, [low], 0, true).decision).toBeUndefined();
    const high = alarm("high", "ALARM", ["arn:policy/out"], [75]);
    expect(decideStepScaling(scaling(), 3, [low, high], 0).decision?.desiredCount).toBe(4);
    // Never below the minimum.
    expect(decideStepScaling(scaling(), 1, [low], 0).decision).toBeUndefined();
  });

  it("runs a policy at most once an alarm period while the alarm stays in ALARM, whatever its cooldown", () => {
    const noCooldown = policy("fast", {
      AdjustmentType: "ChangeInCapacity",
      Cooldown: 0,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 2 }],
    });
    const high = alarm("high", "ALARM", ["arn:policy/fast"], [90], 70, 60);
    const first = decideStepScaling(scaling({ policies: [noCooldown] }), 2, [high], 0);
    expect(first.decision?.desiredCount).toBe(4);
    // Rounds 2 s apart (each new task's state change nudges one): no run until the next period.
    const after = scaling({ policies: [noCooldown], stepRuns: first.runs });
    for (const at of [2_000, 30_000, 59_999]) expect(decideStepScaling(after, 4, [high], at).decision).toBeUndefined();
    expect(decideStepScaling(after, 4, [high], 60_000).decision?.desiredCount).toBe(6);
  });
});
