import { describe, expect, it } from "vitest";
import { type ScaleInInstance, type ScaleInTask, scaleInOrder } from "../../../../core/services/scaleIn.ts";

const task = (arn: string, instanceId: string, over: Partial<ScaleInTask> = {}): ScaleInTask => ({
  arn,
  instanceId,
  healthy: true,
  cpu: 0,
  memory: 100,
  ...over,
});

const instance = (az: string | undefined, freeMemory = 1000): ScaleInInstance => ({
  attributes: az === undefined ? {} : { "ecs.availability-zone": az },
  free: { cpu: 1000, memory: freeMemory },
});

const AZ_SPREAD = [{ type: "spread" as const, field: "attribute:ecs.availability-zone" }];

describe("scale-in order", () => {
  it("spread: stops from the zone with the most tasks, keeping the zones balanced", () => {
    const instances = new Map([
      ["i1", instance("a")],
      ["i2", instance("b")],
      ["i3", instance("c")],
    ]);
    const tasks = [
      task("a1", "i1"),
      task("a2", "i1"),
      task("a3", "i1"),
      task("b1", "i2"),
      task("b2", "i2"),
      task("c1", "i3"),
    ];
    const order = scaleInOrder(tasks, AZ_SPREAD, instances);
    // a has 3: one of it first; then a and b tie at 2; and so on, down to one per zone last.
    expect(order[0]).toMatch(/^a/);
    const lastThree = order
      .slice(3)
      .map((arn) => arn[0])
      .sort();
    expect(lastThree).toEqual(["a", "b", "c"]);
  });

  it("spread: instances without the attribute share one bucket", () => {
    const instances = new Map([
      ["i1", instance(undefined)],
      ["i2", instance(undefined)],
      ["i3", instance("a")],
    ]);
    const order = scaleInOrder([task("x", "i1"), task("y", "i2"), task("z", "i3")], AZ_SPREAD, instances);
    expect(order[0]).not.toBe("z");
  });

  it("spread by instance, then tasks not yet healthy first whatever the spread", () => {
    const instances = new Map([
      ["i1", instance("a")],
      ["i2", instance("a")],
    ]);
    const byHost = [{ type: "spread" as const, field: "instanceId" }];
    const tasks = [task("1", "i1"), task("2", "i1"), task("3", "i2", { healthy: false })];
    expect(scaleInOrder(tasks, byHost, instances)[0]).toBe("3");
    expect(scaleInOrder(tasks.slice(0, 2).concat(task("3", "i2")), byHost, instances)[0]).toMatch(/^[12]$/);
  });

  it("binpack: stops where the most of the resource is left once the task is gone, emptying instances", () => {
    const instances = new Map([
      ["full", instance("a", 0)],
      ["half", instance("a", 200)],
    ]);
    const tasks = [task("f1", "full"), task("f2", "full"), task("f3", "full"), task("h1", "half"), task("h2", "half")];
    const order = scaleInOrder(tasks, [{ type: "binpack", field: "memory" }], instances);
    // half: 300 after one leaves, 400 after both; full: 100. Both of half's go before any of full's.
    expect(order.slice(0, 2).sort()).toEqual(["h1", "h2"]);
  });

  it("spread then binpack: binpack chooses among the tasks of the fullest zone", () => {
    const instances = new Map([
      ["a-full", instance("a", 0)],
      ["a-empty", instance("a", 900)],
      ["b", instance("b", 900)],
    ]);
    const tasks = [task("af", "a-full"), task("ae", "a-empty"), task("b1", "b")];
    const order = scaleInOrder(tasks, [...AZ_SPREAD, { type: "binpack", field: "memory" }], instances);
    expect(order[0]).toBe("ae");
  });

  it("among tasks no strategy tells apart, the youngest goes first", () => {
    const instances = new Map([["i", instance("a")]]);
    const tasks = [
      task("old", "i", { startedAt: 1 }),
      task("young", "i", { startedAt: 5 }),
      task("mid", "i", { startedAt: 3 }),
    ];
    expect(scaleInOrder(tasks, [{ type: "random" }], instances)).toEqual(["young", "mid", "old"]);
  });
});
