import type { HealthStatus } from "../runtime/types.ts";
import { containerRank, type DesiredStatus, type ManagedContainerStatus } from "./status.ts";

/**
 * The engine's one decision, as a pure function (the ECS agent's `nextState`): given what is known
 * of a container, what its task wants, and the containers it is tied to, which single step to take.
 * Everything that touches Docker lives in the step table (steps.ts); this file only decides.
 */

export type StepAction = "pull" | "create" | "start" | "stop";

export type Step =
  | { action: StepAction }
  /** Nothing to do now; `waiting` says on what, when something blocks. */
  | { action: "none"; waiting?: string }
  /** The container can never reach RUNNING (a dependency that cannot be satisfied): stop the task. */
  | { action: "fail"; reason: string };

/** What nextStep needs to know of a container. */
export interface ContainerView {
  name: string;
  known: ManagedContainerStatus;
  /** The container has run at some point (so a STOPPED one exited, rather than never started). */
  started: boolean;
  exitCode?: number;
  /** undefined: the container has no health check. */
  health?: HealthStatus;
}

/**
 * dependsOn conditions, plus CREATE for volumesFrom (the source must exist for its volumes to be
 * mounted). Links are START: a link needs the target's network endpoint, so the target must run.
 */
export type Condition = "START" | "COMPLETE" | "SUCCESS" | "HEALTHY" | "CREATE";

export interface Dependencies {
  /** What this container waits for before it is created. */
  requires: { condition: Condition; on: ContainerView }[];
  /** Containers that wait for this one: on shutdown they stop first (reverse dependency order). */
  dependents: ContainerView[];
}

type Verdict = "met" | "wait" | { never: string };

const exited = (c: ContainerView) => c.known === "STOPPED" && c.started;
const neverStarted = (c: ContainerView) => c.known === "STOPPED" && !c.started;

/** One dependency condition against the dependency's current state. */
export function evaluate(condition: Condition, on: ContainerView): Verdict {
  if (neverStarted(on)) return { never: `dependency ${on.name} stopped before it started` };
  switch (condition) {
    case "CREATE":
      return containerRank(on.known) >= containerRank("CREATED") ? "met" : "wait";
    case "START":
      return on.started || on.known === "RUNNING" ? "met" : "wait";
    case "COMPLETE":
      return exited(on) ? "met" : "wait";
    case "SUCCESS":
      if (!exited(on)) return "wait";
      return on.exitCode === 0 ? "met" : { never: `dependency ${on.name} exited with code ${on.exitCode}` };
    case "HEALTHY":
      if (on.health === undefined) return { never: `dependency ${on.name} has no health check` };
      if (on.health === "HEALTHY") return "met";
      return on.known === "STOPPED" ? { never: `dependency ${on.name} stopped before it was healthy` } : "wait";
  }
}

export function nextStep(container: ContainerView, desired: DesiredStatus, dependencies: Dependencies): Step {
  const { known } = container;
  if (known === "STOPPED") return { action: "none" };

  if (desired === "STOPPED") {
    // Stop dependents before what they depend on; a container that never ran has nothing to wait for.
    const running = dependencies.dependents.filter((d) => d.known !== "STOPPED").map((d) => d.name);
    if (known === "RUNNING" && running.length > 0) return { action: "none", waiting: `${running.join(", ")} to stop` };
    return { action: "stop" };
  }

  if (known === "RUNNING") return { action: "none" };
  // Once created, a container's dependencies were met: they no longer hold it back.
  if (known === "CREATED") return { action: "start" };

  const blocking: string[] = [];
  for (const { condition, on } of dependencies.requires) {
    const verdict = evaluate(condition, on);
    if (typeof verdict === "object") {
      return { action: "fail", reason: `${container.name} can never start (${condition}): ${verdict.never}` };
    }
    if (verdict === "wait") blocking.push(`${on.name} ${condition}`);
  }
  // Images are pulled up front, even while dependencies wait (ECS_PULL_DEPENDENT_CONTAINERS_UPFRONT).
  if (known === "NONE") return { action: "pull" };
  if (blocking.length > 0) return { action: "none", waiting: blocking.join(", ") };
  return { action: "create" };
}
