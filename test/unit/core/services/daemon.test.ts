import { describe, expect, it } from "vitest";
import { planDaemon } from "../../../../core/services/daemon.ts";

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

  it("holds back starts on an instance whose tasks keep crashing, per instance, until the back-off ends", () => {
    const crashes = new Map([["a", { consecutiveFailures: 2, lastFailureAt: 10_000 }]]);
    const view = { primaryId: "d", eligibleInstances: ["a", "b"], tasks: [], crashes, backoffBaseMs: 1000 };
    // Two crashes in a row: 2 s after the last one.
    expect(planDaemon({ ...view, now: 11_999 })).toEqual({
      startOn: ["b"],
      stop: [],
      steady: false,
      held: ["a"],
      retryAt: 12_000,
    });
    expect(planDaemon({ ...view, now: 12_000 })).toEqual({ startOn: ["a", "b"], stop: [], steady: false });
  });

  it("leaves a protected task of an old deployment until its protection ends", () => {
    const plan = planDaemon({
      primaryId: "new",
      eligibleInstances: ["a", "b"],
      tasks: [{ ...t("1", "old", "a"), protected: true }, t("2", "old", "b")],
    });
    expect(plan).toMatchObject({ stop: ["2"], startOn: [] });
  });
});
