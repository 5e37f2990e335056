import type { Container, Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { type HealthStatus, reportHealth, taskHealth } from "../../../../core/model/taskHealth.ts";

/** `a:HEALTHY` is a container with a check in that state; `a:-` one without a check. */
const containers = (...specs: string[]): Container[] =>
  specs.map((spec) => {
    const [name, health] = spec.split(":");
    return { name, lastStatus: "RUNNING", healthStatus: health === "-" ? undefined : (health as HealthStatus) };
  });

describe("taskHealth (ECS: essential containers with a check, UNHEALTHY > UNKNOWN > HEALTHY)", () => {
  it.each([
    // The examples of ECS's HealthCheck reference, all containers essential.
    [["a:UNHEALTHY", "b:UNKNOWN"], ["a", "b"], "UNHEALTHY"],
    [["a:UNHEALTHY", "b:HEALTHY"], ["a", "b"], "UNHEALTHY"],
    [["a:HEALTHY", "b:UNKNOWN"], ["a", "b"], "UNKNOWN"],
    [["a:HEALTHY", "b:HEALTHY"], ["a", "b"], "HEALTHY"],
    [["a:UNHEALTHY", "b:UNKNOWN", "c:HEALTHY"], ["a", "b", "c"], "UNHEALTHY"],
    [["a:HEALTHY", "b:UNKNOWN", "c:HEALTHY"], ["a", "b", "c"], "UNKNOWN"],
    [["a:HEALTHY", "b:HEALTHY", "c:HEALTHY"], ["a", "b", "c"], "HEALTHY"],
    // Containers without a check do not count, essential or not.
    [["a:HEALTHY", "b:-"], ["a", "b"], "HEALTHY"],
    [["a:-", "b:-"], ["a", "b"], "UNKNOWN"],
    // Non-essential containers do not count, whatever their health.
    [["a:HEALTHY", "side:UNHEALTHY"], ["a"], "HEALTHY"],
    [["a:-", "side:HEALTHY"], ["a"], "UNKNOWN"],
    [["a:UNKNOWN", "side:HEALTHY"], ["a"], "UNKNOWN"],
  ])("%j with essential %j is %s", (specs, essential, expected) => {
    expect(taskHealth(containers(...specs), essential)).toBe(expected);
  });
});

describe("reportHealth", () => {
  const task = (...specs: string[]): Task => ({
    lastStatus: "RUNNING",
    healthStatus: "UNKNOWN",
    version: 3,
    containers: containers(...specs),
  });

  it("sets the containers' health and derives the task's", () => {
    const next = reportHealth(task("a:UNKNOWN", "b:-"), ["a", "b"], [{ containerName: "a", healthStatus: "HEALTHY" }]);
    expect(next).toMatchObject({ healthStatus: "HEALTHY", version: 4 });
    expect(next?.containers?.map((c) => c.healthStatus)).toEqual(["HEALTHY", undefined]);
  });

  it("changes nothing on a repeat", () => {
    const once = reportHealth(task("a:UNKNOWN"), ["a"], [{ containerName: "a", healthStatus: "UNHEALTHY" }]) as Task;
    expect(reportHealth(once, ["a"], [{ containerName: "a", healthStatus: "UNHEALTHY" }])).toBeUndefined();
  });

  it.each([
    ["a container without a check", task("a:-"), "a"],
    ["an unknown container", task("a:UNKNOWN"), "nope"],
    ["a STOPPED task", { ...task("a:UNKNOWN"), lastStatus: "STOPPED" }, "a"],
    [
      "a STOPPED container",
      {
        ...task(),
        healthStatus: "UNHEALTHY",
        containers: [{ name: "a", lastStatus: "STOPPED", healthStatus: "UNHEALTHY" }],
      },
      "a",
    ],
  ])("ignores a report on %s", (_, t, name) => {
    expect(
      reportHealth(t as Task, ["a"], [{ containerName: name as string, healthStatus: "HEALTHY" }]),
    ).toBeUndefined();
  });

  it("keeps a non-essential container's health without it counting for the task", () => {
    const next = reportHealth(
      task("a:HEALTHY", "side:UNKNOWN"),
      ["a"],
      [{ containerName: "side", healthStatus: "UNHEALTHY" }],
    );
    expect(next?.containers?.[1].healthStatus).toBe("UNHEALTHY");
    expect(next?.healthStatus).toBe("HEALTHY");
  });
});
