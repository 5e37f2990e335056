import { describe, expect, it } from "vitest";
import {
  type Condition,
  type ContainerView,
  type Dependencies,
  evaluate,
  nextStep,
} from "../../../../agent/engine/index.ts";
import type { DesiredStatus, ManagedContainerStatus } from "../../../../agent/engine/status.ts";

const c = (known: ManagedContainerStatus, extra: Partial<ContainerView> = {}): ContainerView => ({
  name: extra.name ?? "app",
  known,
  started: known === "RUNNING" || (known === "STOPPED" && extra.exitCode !== undefined),
  ...extra,
});
const none: Dependencies = { requires: [], dependents: [] };

describe("nextStep: one container, no dependencies", () => {
  const table: [ManagedContainerStatus, DesiredStatus, string][] = [
    ["NONE", "RUNNING", "pull"],
    ["PULLED", "RUNNING", "create"],
    ["CREATED", "RUNNING", "start"],
    ["RUNNING", "RUNNING", "none"],
    ["STOPPED", "RUNNING", "none"],
    ["NONE", "STOPPED", "stop"],
    ["PULLED", "STOPPED", "stop"],
    ["CREATED", "STOPPED", "stop"],
    ["RUNNING", "STOPPED", "stop"],
    ["STOPPED", "STOPPED", "none"],
  ];
  it.each(table)("known %s, desired %s → %s", (known, desired, action) => {
    expect(nextStep(c(known), desired, none).action).toBe(action);
  });
});

describe("dependency conditions", () => {
  const dep = (known: ManagedContainerStatus, extra: Partial<ContainerView> = {}) => c(known, { name: "db", ...extra });
  const table: [Condition, ContainerView, string][] = [
    ["START", dep("PULLED"), "wait"],
    ["START", dep("CREATED"), "wait"],
    ["START", dep("RUNNING"), "met"],
    ["START", dep("STOPPED", { exitCode: 0 }), "met"],
    ["START", dep("STOPPED"), "never"],
    ["COMPLETE", dep("RUNNING"), "wait"],
    ["COMPLETE", dep("STOPPED", { exitCode: 7 }), "met"],
    ["SUCCESS", dep("RUNNING"), "wait"],
    ["SUCCESS", dep("STOPPED", { exitCode: 0 }), "met"],
    ["SUCCESS", dep("STOPPED", { exitCode: 1 }), "never"],
    ["HEALTHY", dep("RUNNING", { health: "UNKNOWN" }), "wait"],
    ["HEALTHY", dep("RUNNING", { health: "UNHEALTHY" }), "wait"],
    ["HEALTHY", dep("RUNNING", { health: "HEALTHY" }), "met"],
    ["HEALTHY", dep("RUNNING"), "never"],
    ["HEALTHY", dep("STOPPED", { exitCode: 0, health: "UNHEALTHY" }), "never"],
    ["CREATE", dep("PULLED"), "wait"],
    ["CREATE", dep("CREATED"), "met"],
  ];
  it.each(table)("%s on %o → %s", (condition, on, expected) => {
    const verdict = evaluate(condition, on);
    expect(typeof verdict === "object" ? "never" : verdict).toBe(expected);
  });

  it("pulls while a dependency waits, creates once it is met, fails when it never can be", () => {
    const requires = (on: ContainerView) => ({ requires: [{ condition: "SUCCESS" as const, on }], dependents: [] });
    expect(nextStep(c("NONE"), "RUNNING", requires(dep("RUNNING"))).action).toBe("pull");
    expect(nextStep(c("PULLED"), "RUNNING", requires(dep("RUNNING")))).toEqual({
      action: "none",
      waiting: "db SUCCESS",
    });
    expect(nextStep(c("PULLED"), "RUNNING", requires(dep("STOPPED", { exitCode: 0 }))).action).toBe("create");
    const failed = nextStep(c("PULLED"), "RUNNING", requires(dep("STOPPED", { exitCode: 2 })));
    expect(failed).toMatchObject({ action: "fail", reason: expect.stringContaining("db exited with code 2") });
    // Once created, a dependency no longer holds the container back.
    expect(nextStep(c("CREATED"), "RUNNING", requires(dep("RUNNING"))).action).toBe("start");
  });

  it("stops dependents first (reverse dependency order)", () => {
    const deps = (dependent: ContainerView) => ({ requires: [], dependents: [dependent] });
    const web = (known: ManagedContainerStatus) => c(known, { name: "web" });
    expect(nextStep(c("RUNNING"), "STOPPED", deps(web("RUNNING")))).toEqual({ action: "none", waiting: "web to stop" });
    expect(nextStep(c("RUNNING"), "STOPPED", deps(web("STOPPED"))).action).toBe("stop");
  });
});
