import type { Service, StabilityStatus, TaskSet } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { TaskRecord } from "../../../../core/model/records.ts";
import type { Decision } from "../../../../core/services/decide.ts";
import { nextTaskSets } from "../../../../core/services/taskSets.ts";

const then = new Date(1000);
const now = new Date(2000);
const taskSet = (id: string, status = "ACTIVE", stabilityStatus: StabilityStatus = "STABILIZING"): TaskSet => ({
  id,
  status,
  stabilityStatus,
  stabilityStatusAt: then,
});
const decision = (steadySets: string[]): Decision => ({
  start: 0,
  stop: [],
  rolloutState: "COMPLETED",
  rollback: false,
  retire: [],
  steady: false,
  desiredCount: 2,
  throttled: false,
  steadySets,
});
const taskOf = (startedBy: string) => ({ task: { startedBy } }) as TaskRecord;

describe("an EXTERNAL service's task sets after a round", () => {
  it("become STEADY_STATE when their plan is steady, STABILIZING when not", () => {
    const service: Service = { taskSets: [taskSet("a"), taskSet("b", "PRIMARY", "STEADY_STATE")] };
    const next = nextTaskSets(service, decision(["a"]), [], now);
    expect(next.taskSets).toEqual([
      { id: "a", status: "ACTIVE", stabilityStatus: "STEADY_STATE", stabilityStatusAt: now },
      { id: "b", status: "PRIMARY", stabilityStatus: "STABILIZING", stabilityStatusAt: now },
    ]);
  });

  it("keep a DRAINING task set while a task of it is left, and drop it after", () => {
    const service: Service = { taskSets: [taskSet("a", "DRAINING"), taskSet("b", "ACTIVE", "STEADY_STATE")] };
    expect(nextTaskSets(service, decision(["b"]), [taskOf("a")], now).taskSets?.map((ts) => ts.id)).toEqual(["a", "b"]);
    expect(nextTaskSets(service, decision(["b"]), [taskOf("b")], now).taskSets?.map((ts) => ts.id)).toEqual(["b"]);
  });

  it("leave the service as it was when nothing changed", () => {
    const service: Service = { taskSets: [taskSet("a", "ACTIVE", "STEADY_STATE")] };
    expect(nextTaskSets(service, decision(["a"]), [], now)).toBe(service);
  });
});
