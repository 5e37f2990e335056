import type { StepScalingPolicyConfiguration } from "@aws-sdk/client-application-auto-scaling";
import { describe, expect, it } from "vitest";
import { adjustedCapacity, stepConfigurationProblem, stepFor } from "../../../../core/model/stepScaling.ts";

const config = (over: Partial<StepScalingPolicyConfiguration>): StepScalingPolicyConfiguration => ({
  AdjustmentType: "ChangeInCapacity",
  StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
  ...over,
});

describe("a step scaling configuration", () => {
  it("accepts steps that cover the breach without gap or overlap", () => {
    const steps = [
      { MetricIntervalUpperBound: -10, ScalingAdjustment: -2 },
      { MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
      { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
    ];
    expect(stepConfigurationProblem(config({ StepAdjustments: steps }))).toBeUndefined();
    expect(stepConfigurationProblem(config({ StepAdjustments: [...steps].reverse() }))).toBeUndefined();
  });

  it.each([
    [{ AdjustmentType: undefined }, "AdjustmentType is required"],
    [{ StepAdjustments: [] }, "At least one step adjustment is required"],
    [{ StepAdjustments: [{ ScalingAdjustment: 1 }] }, "both a null lower bound and a null upper bound"],
    [
      { StepAdjustments: [{ MetricIntervalLowerBound: 5, MetricIntervalUpperBound: 5, ScalingAdjustment: 1 }] },
      "must be greater than its lower bound",
    ],
    [
      {
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 10, ScalingAdjustment: 2 },
        ],
      },
      "must not overlap",
    ],
    [
      {
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
        ],
      },
      "must not have a gap",
    ],
    [
      {
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 10, ScalingAdjustment: 2 },
        ],
      },
      "Only one step adjustment can have a null upper bound",
    ],
    [
      { StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }] },
      "needs a step adjustment with a null upper bound",
    ],
    [
      { StepAdjustments: [{ MetricIntervalLowerBound: -5, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }] },
      "needs a step adjustment with a null lower bound",
    ],
    [{ MinAdjustmentMagnitude: 2 }, "only be specified with the adjustment type PercentChangeInCapacity"],
    [
      { AdjustmentType: "ExactCapacity", StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: -1 }] },
      "non-negative",
    ],
  ])("refuses %j", (over, message) => {
    expect(stepConfigurationProblem(config(over as Partial<StepScalingPolicyConfiguration>))).toContain(message);
  });

  it("picks the step by the breach, lower bound inclusive above the threshold and exclusive below it", () => {
    const steps = [
      { MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
      { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 },
    ];
    expect(stepFor(steps, 0)?.ScalingAdjustment).toBe(1);
    expect(stepFor(steps, 19.9)?.ScalingAdjustment).toBe(1);
    expect(stepFor(steps, 20)?.ScalingAdjustment).toBe(2);
    expect(stepFor(steps, -0.1)?.ScalingAdjustment).toBe(-1);
    const above = [{ MetricIntervalLowerBound: 10, ScalingAdjustment: 1 }];
    expect(stepFor(above, 5)).toBeUndefined();
  });

  it("adjusts by a change, an exact count, or a percent rounded toward zero but at least one task and MinAdjustmentMagnitude", () => {
    const step = (ScalingAdjustment: number) => ({ MetricIntervalLowerBound: 0, ScalingAdjustment });
    expect(adjustedCapacity(config({}), step(2), 3)).toBe(5);
    expect(adjustedCapacity(config({ AdjustmentType: "ExactCapacity" }), step(7), 3)).toBe(7);
    const percent = config({ AdjustmentType: "PercentChangeInCapacity" });
    expect(adjustedCapacity(percent, step(50), 5)).toBe(7); // 2.5 → 2
    expect(adjustedCapacity(percent, step(10), 4)).toBe(5); // 0.4 → 1
    expect(adjustedCapacity(percent, step(-10), 4)).toBe(3); // -0.4 → -1
    expect(adjustedCapacity(percent, step(-60), 10)).toBe(4);
    // The API reference's example: 25 % of 4 is 1, MinAdjustmentMagnitude 2 makes it 2.
    expect(adjustedCapacity({ ...percent, MinAdjustmentMagnitude: 2 }, step(25), 4)).toBe(6);
  });
});
