import { describe, expect, it } from "vitest";
import { deploymentBounds, SETTLE_MS } from "../../../../core/services/bounds.ts";
import { planReplica, type ReplicaView, type ServiceTaskView } from "../../../../core/services/replica.ts";

const tasks = (deploymentId: string, n: number, healthy = true, evicted = false): ServiceTaskView[] =>
  Array.from({ length: n }, (_, i) => ({
    arn: `${deploymentId}-${healthy ? "h" : "p"}${i}`,
    deploymentId,
    healthy,
    evicted,
  }));

const view = (over: Partial<ReplicaView>): ReplicaView => ({
  desiredCount: 3,
  deployments: [{ id: "new", rolloutState: "IN_PROGRESS", failedTasks: 0 }],
  tasks: [],
  consecutiveFailures: 0,
  now: 1_000_000,
  ...over,
});

const rolling = (over: Partial<ReplicaView>) =>
  view({
    deployments: [
      { id: "new", rolloutState: "IN_PROGRESS", failedTasks: 0 },
      { id: "old", rolloutState: "COMPLETED", failedTasks: 0 },
    ],
    ...over,
  });

describe("REPLICA scheduling", () => {
  it("starts the desired count on a new service", () => {
    expect(planReplica(view({}))).toMatchObject({ start: 3, stop: [], steady: false });
  });

  it("replaces a task that stopped", () => {
    expect(planReplica(view({ tasks: tasks("new", 2) }))).toMatchObject({ start: 1, stop: [] });
  });

  it("is steady with the desired count healthy", () => {
    expect(planReplica(view({ tasks: tasks("new", 3) }))).toMatchObject({
      start: 0,
      stop: [],
      steady: true,
      rolloutState: "COMPLETED",
    });
  });

  it("scales in, stopping tasks that are not healthy first", () => {
    const plan = planReplica(view({ desiredCount: 2, tasks: [...tasks("new", 2), ...tasks("new", 1, false)] }));
    expect(plan).toMatchObject({ start: 0, stop: ["new-p0"] });
  });

  it("stops an old task only for a new one healthy for the settle time", () => {
    const now = 1_000_000;
    const fresh = tasks("new", 3).map((t) => ({ ...t, startedAt: now - SETTLE_MS + 1 }));
    const plan = (news: ServiceTaskView[]) => planReplica(rolling({ now, tasks: [...tasks("old", 3), ...news] }));
    expect(plan(fresh)).toMatchObject({ start: 0, stop: [], rolloutState: "IN_PROGRESS" });
    expect(plan(fresh.map((t) => ({ ...t, startedAt: now - SETTLE_MS }))).stop).toEqual(["old-h2", "old-h1", "old-h0"]);
  });

  it("scales to zero", () => {
    expect(planReplica(view({ desiredCount: 0, tasks: tasks("new", 2) })).stop).toHaveLength(2);
  });

  /**
   * Simulates a rollout round by round (new tasks become healthy one round after they start, stopped
   * tasks are gone the next round) and checks the bounds at every observed moment.
   */
  function rollout(desired: number, min: number, max: number) {
    let live: ServiceTaskView[] = tasks("old", desired);
    let n = 0;
    const observed: { healthy: number; running: number }[] = [];
    for (let round = 0; round < 20; round++) {
      const plan = planReplica(
        rolling({ desiredCount: desired, minimumHealthyPercent: min, maximumPercent: max, tasks: live }),
      );
      live = live.filter((t) => !plan.stop.includes(t.arn)).map((t) => ({ ...t, healthy: true }));
      for (let i = 0; i < plan.start; i++)
        live.push({ arn: `new-${n++}`, deploymentId: "new", healthy: false, evicted: false });
      observed.push({ healthy: live.filter((t) => t.healthy).length, running: live.length });
      if (plan.rolloutState === "COMPLETED") return { rounds: round + 1, observed, live };
    }
    throw new Error("the rollout never completed");
  }

  it.each([
    [3, 100, 200],
    [3, 50, 200],
    [4, 50, 100],
    [3, 0, 100],
    [6, 100, 150],
    [5, 60, 140],
  ])("rolls %i tasks at %i%%..%i%% without crossing the bounds", (desired, min, max) => {
    const { observed, live } = rollout(desired, min, max);
    const { minHealthy, maxRunning } = deploymentBounds(desired, min, max);
    for (const moment of observed) {
      expect(moment.running).toBeLessThanOrEqual(maxRunning);
    }
    // The floor holds for healthy tasks at every moment after the stops of a round.
    for (const moment of observed) expect(moment.healthy).toBeGreaterThanOrEqual(Math.min(minHealthy, desired));
    expect(live.every((t) => t.deploymentId === "new")).toBe(true);
    expect(live).toHaveLength(desired);
  });

  it("replaces tasks on a draining instance before stopping them (100% minimum)", () => {
    const draining = tasks("new", 1, true, true);
    const first = planReplica(view({ tasks: [...tasks("new", 2), ...draining] }));
    expect(first).toMatchObject({ start: 1, stop: [] });
    const second = planReplica(
      view({ tasks: [...tasks("new", 2), ...draining, { ...tasks("new", 1)[0], arn: "repl" }] }),
    );
    expect(second.stop).toEqual([draining[0].arn]);
  });

  it("fails the deployment when the circuit breaker trips, and asks for a rollback when enabled", () => {
    const failing = rolling({
      deployments: [
        { id: "new", rolloutState: "IN_PROGRESS", failedTasks: 10 },
        { id: "old", rolloutState: "COMPLETED", failedTasks: 0 },
      ],
      circuitBreaker: { enable: true, rollback: true },
      tasks: tasks("old", 3),
    });
    expect(planReplica(failing)).toMatchObject({ rolloutState: "FAILED", rollback: true, start: 0 });
    const noRollback = planReplica({ ...failing, circuitBreaker: { enable: true, rollback: false } });
    expect(noRollback).toMatchObject({ rolloutState: "FAILED", rollback: false, start: 0 });
    const off = planReplica({ ...failing, circuitBreaker: { enable: false, rollback: false } });
    expect(off).toMatchObject({ rolloutState: "IN_PROGRESS", start: 3 });
  });

  it("holds starts back while backing off after failures", () => {
    const plan = planReplica(view({ consecutiveFailures: 2, lastFailureAt: 1_000_000 - 5_000 }));
    expect(plan).toMatchObject({ start: 0, retryAt: 1_000_000 + 15_000 });
    expect(planReplica(view({ consecutiveFailures: 2, lastFailureAt: 1_000_000 - 25_000 })).start).toBe(3);
  });

  it("takes the back-off's first wait from the view", () => {
    // A fourth failure in a row waits 8 × the first wait: 8 s here, of which 5 s have passed.
    const failing = { consecutiveFailures: 4, lastFailureAt: 1_000_000 - 5_000 };
    expect(planReplica(view({ ...failing, backoffBaseMs: 1_000 }))).toMatchObject({ start: 0, retryAt: 1_003_000 });
    expect(planReplica(view({ ...failing, backoffBaseMs: 0 })).start).toBe(3);
  });

  it("scales in in the order given, and never stops a protected task", () => {
    const running = tasks("new", 4);
    const order = ["new-h2", "new-h0", "new-h3", "new-h1"];
    expect(planReplica(view({ desiredCount: 2, tasks: running, scaleInOrder: order })).stop).toEqual([
      "new-h2",
      "new-h0",
    ]);
    const guarded = running.map((t) => ({ ...t, protected: t.arn === "new-h2" }));
    const plan = planReplica(view({ desiredCount: 2, tasks: guarded, scaleInOrder: order }));
    expect(plan.stop).toEqual(["new-h0", "new-h3"]);
    const allGuarded = running.map((t) => ({ ...t, protected: true }));
    expect(planReplica(view({ desiredCount: 2, tasks: allGuarded, scaleInOrder: order }))).toMatchObject({
      stop: [],
      steady: false,
    });
  });

  it("a deployment waits for protected old tasks", () => {
    const old = tasks("old", 3).map((t, i) => ({ ...t, protected: i === 0 }));
    const settledNew = tasks("new", 3).map((t) => ({ ...t, startedAt: 0 }));
    const plan = planReplica(rolling({ tasks: [...old, ...settledNew] }));
    expect(plan.stop.sort()).toEqual(["old-h1", "old-h2"]);
    expect(plan.rolloutState).toBe("IN_PROGRESS");
    expect(plan.retire).toEqual([]);
  });
});
