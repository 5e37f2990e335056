import { describe, expect, it } from "vitest";
import {
  AUTOSCALING_GROUP_ATTRIBUTE,
  autoScalingGroupName,
  checkStrategy,
  onAutoScalingGroup,
  splitByStrategy,
} from "../../../../core/model/capacityProvider.ts";
import { compileQuery } from "../../../../core/placement/query.ts";
import type { Candidate } from "../../../../core/placement/types.ts";

const split = (...args: Parameters<typeof splitByStrategy>) => Object.fromEntries(splitByStrategy(...args));

describe("splitByStrategy", () => {
  it("fills the base first, then splits the rest by weight", () => {
    const strategy = [
      { capacityProvider: "a", base: 2, weight: 1 },
      { capacityProvider: "b", weight: 3 },
    ];
    expect(split(strategy, 10)).toEqual({ a: 4, b: 6 });
    expect(split(strategy, 1)).toEqual({ a: 1, b: 0 });
    expect(split(strategy, 3)).toEqual({ a: 2, b: 1 });
  });

  it("counts the tasks each provider holds already, as a service's new tasks even out the split", () => {
    const strategy = [
      { capacityProvider: "a", base: 1, weight: 1 },
      { capacityProvider: "b", weight: 1 },
    ];
    expect(split(strategy, 2, { a: 1, b: 0 })).toEqual({ a: 1, b: 1 });
    expect(split(strategy, 1, { a: 3, b: 0 })).toEqual({ a: 0, b: 1 });
  });

  it("gives a provider of weight 0 no task beyond its base, and a lone provider every task", () => {
    expect(
      split(
        [
          { capacityProvider: "a", base: 1, weight: 0 },
          { capacityProvider: "b", weight: 1 },
        ],
        4,
      ),
    ).toEqual({ a: 1, b: 3 });
    expect(split([{ capacityProvider: "a" }], 3)).toEqual({ a: 3 });
  });
});

describe("checkStrategy", () => {
  it("fills base and weight with 0, as ECS shows them", () => {
    expect(checkStrategy([{ capacityProvider: "a" }], ["a"])).toEqual([{ capacityProvider: "a", base: 0, weight: 0 }]);
  });

  it("refuses two bases, no weight among several, duplicates and a Fargate mix", () => {
    const cluster = ["a", "b", "FARGATE"];
    expect(() =>
      checkStrategy(
        [
          { capacityProvider: "a", base: 1, weight: 1 },
          { capacityProvider: "b", base: 1 },
        ],
        cluster,
      ),
    ).toThrow(/more than one capacity provider with a base/);
    expect(() => checkStrategy([{ capacityProvider: "a" }, { capacityProvider: "b" }], cluster)).toThrow(/weight/);
    expect(() => checkStrategy([{ capacityProvider: "a" }, { capacityProvider: "a" }], cluster)).toThrow(/duplicate/);
    expect(() =>
      checkStrategy(
        [
          { capacityProvider: "a", weight: 1 },
          { capacityProvider: "FARGATE", weight: 1 },
        ],
        cluster,
      ),
    ).toThrow(/mix/);
  });
});

it("reads the group's name from an Auto Scaling group ARN, or takes a name as given", () => {
  expect(
    autoScalingGroupName(
      "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid-1:autoScalingGroupName/berth-hosts",
    ),
  ).toBe("berth-hosts");
  expect(autoScalingGroupName("berth-hosts")).toBe("berth-hosts");
});

it("places on a group whose name has spaces, brackets, commas, quotes or backslashes, and only on it", () => {
  const on = (group: string) =>
    ({
      record: { instance: { attributes: [{ name: AUTOSCALING_GROUP_ATTRIBUTE, value: group }] } },
      tasks: [],
    }) as unknown as Candidate;
  for (const group of ["hosts", "web hosts", "pool [a], b", 'say "hi"', "back\\slash", "a == b or c"]) {
    const member = compileQuery(onAutoScalingGroup(group).expression);
    expect(member(on(group))).toBe(true);
    expect(member(on(`${group}x`))).toBe(false);
  }
});
