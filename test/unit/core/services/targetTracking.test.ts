import type { MetricType, ScalingPolicy } from "@aws-sdk/client-application-auto-scaling";
import { describe, expect, it } from "vitest";
import type { ServiceAutoScaling } from "../../../../core/model/autoScaling.ts";
import { decideScaling } from "../../../../core/services/targetTracking.ts";

const policy = (
  name: string,
  metric: MetricType,
  target: number,
  over: Record<string, unknown> = {},
): ScalingPolicy => ({
  PolicyARN: `arn:${name}`,
  PolicyName: name,
  ServiceNamespace: "ecs",
  ResourceId: "service/c/web",
  ScalableDimension: "ecs:service:DesiredCount",
  PolicyType: "TargetTrackingScaling",
  CreationTime: new Date(0),
  TargetTrackingScalingPolicyConfiguration: {
    TargetValue: target,
    PredefinedMetricSpecification: { PredefinedMetricType: metric },
    ScaleOutCooldown: 60,
    ScaleInCooldown: 120,
    ...over,
  },
});
const CPU = "ECSServiceAverageCPUUtilization";
const MEMORY = "ECSServiceAverageMemoryUtilization";

const scaling = (
  policies: ScalingPolicy[],
  over: Partial<ServiceAutoScaling> = {},
  min = 1,
  max = 10,
): ServiceAutoScaling => ({
  target: {
    ServiceNamespace: "ecs",
    ResourceId: "service/c/web",
    ScalableDimension: "ecs:service:DesiredCount",
    MinCapacity: min,
    MaxCapacity: max,
    RoleARN: "role",
    CreationTime: new Date(0),
  },
  policies,
  scheduledActions: [],
  activities: [],
  ...over,
});

const NOW = 1_000_000;

describe("target tracking", () => {
  it("proposes the count that brings the metric to its target, rounded up", () => {
    expect(decideScaling(scaling([policy("p", CPU, 50)]), 2, { cpu: 90, measured: 2 }, NOW)).toMatchObject({
      desiredCount: 4,
      direction: "out",
    });
    // Exactly on target: nothing to do.
    expect(decideScaling(scaling([policy("p", CPU, 50)]), 2, { cpu: 50, measured: 2 }, NOW)).toBeUndefined();
    expect(decideScaling(scaling([policy("p", CPU, 50)]), 4, { cpu: 20, measured: 4 }, NOW)).toMatchObject({
      desiredCount: 2,
      direction: "in",
    });
  });

  it("stays within the capacity range, and brings a count outside it back in", () => {
    expect(decideScaling(scaling([policy("p", CPU, 10)]), 2, { cpu: 100, measured: 2 }, NOW)).toMatchObject({
      desiredCount: 10,
    });
    expect(decideScaling(scaling([policy("p", CPU, 50)], {}, 2, 10), 2, { cpu: 1, measured: 2 }, NOW)).toBeUndefined();
    expect(decideScaling(scaling([], {}, 3, 5), 1, { measured: 0 }, NOW)).toMatchObject({
      desiredCount: 3,
      direction: "out",
    });
    expect(decideScaling(scaling([], {}, 3, 5), 7, { measured: 0 }, NOW)).toMatchObject({
      desiredCount: 5,
      direction: "in",
    });
  });

  it("scales out when any policy wants more, in only when all want less", () => {
    const both = scaling([policy("cpu", CPU, 50), policy("mem", MEMORY, 50)]);
    expect(decideScaling(both, 2, { cpu: 10, memory: 100, measured: 2 }, NOW)).toMatchObject({ desiredCount: 4 });
    expect(decideScaling(both, 4, { cpu: 10, memory: 40, measured: 4 }, NOW)).toBeUndefined();
    expect(decideScaling(both, 4, { cpu: 10, memory: 20, measured: 4 }, NOW)).toMatchObject({ desiredCount: 2 });
  });

  it("scales in only once the metric is 10 % below target, and not while a deployment rolls", () => {
    const p = scaling([policy("p", CPU, 50)], {}, 1, 50);
    // 20 tasks at 46 %: 18.4 tasks' worth, but within 10 % of the target.
    expect(decideScaling(p, 20, { cpu: 46, measured: 20 }, NOW)).toBeUndefined();
    expect(decideScaling(p, 20, { cpu: 44, measured: 20 }, NOW)).toMatchObject({ desiredCount: 18, direction: "in" });
    expect(decideScaling(p, 4, { cpu: 10, measured: 4 }, NOW, true)).toBeUndefined();
    // A deployment holds back scale-in only.
    expect(decideScaling(p, 4, { cpu: 100, measured: 4 }, NOW, true)).toMatchObject({ desiredCount: 8 });
  });

  it("never scales in with DisableScaleIn, nor while tasks of the desired count are still unmeasured", () => {
    const noIn = scaling([policy("p", CPU, 50, { DisableScaleIn: true })]);
    expect(decideScaling(noIn, 4, { cpu: 5, measured: 4 }, NOW)).toBeUndefined();
    expect(decideScaling(scaling([policy("p", CPU, 50)]), 4, { cpu: 5, measured: 3 }, NOW)).toBeUndefined();
  });

  it("keeps the cooldowns: none out within ScaleOutCooldown of the last, none in within ScaleInCooldown of either", () => {
    const p = [policy("p", CPU, 50)];
    const busy = { cpu: 100, measured: 2 };
    const idle = { cpu: 10, measured: 4 };
    expect(decideScaling(scaling(p, { lastScaleOutMs: NOW - 59_000 }), 2, busy, NOW)).toBeUndefined();
    expect(decideScaling(scaling(p, { lastScaleOutMs: NOW - 60_000 }), 2, busy, NOW)).toMatchObject({
      desiredCount: 4,
    });
    expect(decideScaling(scaling(p, { lastScaleOutMs: NOW - 119_000 }), 4, idle, NOW)).toBeUndefined();
    expect(decideScaling(scaling(p, { lastScaleInMs: NOW - 119_000 }), 4, idle, NOW)).toBeUndefined();
    expect(decideScaling(scaling(p, { lastScaleInMs: NOW - 120_000 }), 4, idle, NOW)).toMatchObject({
      desiredCount: 1,
    });
    // A scale-in's cooldown does not hold back a scale-out.
    expect(decideScaling(scaling(p, { lastScaleInMs: NOW }), 2, busy, NOW)).toMatchObject({ desiredCount: 4 });
  });

  it("does nothing while dynamic scaling is suspended in that direction, or without a measurement", () => {
    const p = [policy("p", CPU, 50)];
    const suspended = scaling(p);
    suspended.target.SuspendedState = { DynamicScalingOutSuspended: true };
    expect(decideScaling(suspended, 2, { cpu: 100, measured: 2 }, NOW)).toBeUndefined();
    expect(decideScaling(scaling(p), 2, { measured: 0 }, NOW)).toBeUndefined();
  });
});
