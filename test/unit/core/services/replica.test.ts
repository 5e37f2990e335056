import { describe, expect, it } from "vitest";
import { circuitBreakerThreshold, deploymentBounds, SETTLE_MS, startBackoffMs } from "../../../../core/services/bounds.ts";
import { planDaemon } from "../../../../core/services/daemon.ts";
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

describe("deployment arithmetic", () => {
  it.each([
    [3, 100, 200, 3, 6],
    [3, 50, 150, 2, 4],
    [4, 50, 100, 2, 4],
    [1, 0, 100, 0, 1],
    [10, 33, 125, 4, 12],
  ])("desired %i at %i%%..%i%% keeps %i healthy and runs at most %i", (desired, min, max, floor, ceiling) => {
    expect(deploymentBounds(desired, min, max)).toEqual({ minHealthy: floor, maxRunning: ceiling });
  });

  it.each([
    [1, 10],
    [30, 15],
    [1000, 200],
  ])("trips the circuit breaker for %i desired after %i failures", (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold);
  });

  it("backs off exponentially up to 15 minutes", () => {
    expect([0, 1, 2, 3].map((n) => startBackoffMs(n))).toEqual([0, 10_000, 20_000, 40_000]);
    expect(startBackoffMs(50)).toBe(15 * 60_000);
  });
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
});

describe("DAEMON scheduling", () => {
  const t = (arn: string, deploymentId: string, containerInstanceId: string, healthy = true) => ({
    arn,
    deploymentId,
    containerInstanceId,
    healthy,
  });

  it("starts one task on every eligible instance", () => {
    expect(planDaemon({ primaryId: "d", eligibleInstances: ["a", "b"], tasks: [t("1", "d", "a")] })).toEqual({
      startOn: ["b"],
      stop: [],
      steady: false,
    });
  });

  it("stops tasks on instances that are no longer eligible, and duplicates", () => {
    const plan = planDaemon({
      primaryId: "d",
      eligibleInstances: ["a"],
      tasks: [t("1", "d", "a"), t("2", "d", "a"), t("3", "d", "gone")],
    });
    expect(plan).toEqual({ startOn: [], stop: ["2", "3"], steady: false });
  });

  it("replaces old tasks instance by instance within the healthy minimum", () => {
    const tasksOld = [t("1", "old", "a"), t("2", "old", "b"), t("3", "old", "c"), t("4", "old", "d")];
    const plan = planDaemon({
      primaryId: "new",
      eligibleInstances: ["a", "b", "c", "d"],
      tasks: tasksOld,
      minimumHealthyPercent: 50,
    });
    expect(plan.stop).toEqual(["1", "2"]);
    expect(plan.startOn).toEqual([]);
  });

  it("is steady with one current task per eligible instance", () => {
    expect(planDaemon({ primaryId: "d", eligibleInstances: ["a"], tasks: [t("1", "d", "a")] }).steady).toBe(true);
  });
});
