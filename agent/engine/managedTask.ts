import type { ContainerDefinition, NetworkBinding } from "@aws-sdk/client-ecs";
import type { HealthStatus, ObservedContainer } from "../runtime/types.ts";
import type { ContainerView, Dependencies } from "./nextStep.ts";
import { type DesiredStatus, laterContainer, type ManagedContainerStatus, type ManagedTaskStatus } from "./status.ts";
import type { DesiredTask } from "./types.ts";

/**
 * A managed task (the ECS agent's name; core's TaskRecord is the control plane's view): what the
 * engine remembers of a task and its containers. Written to the state file, so it is plain JSON
 * (dates as ISO strings). Intent (the Docker name and labels) is recorded here before any container exists.
 */
export interface ManagedContainer {
  name: string;
  dockerName: string;
  labels: Record<string, string>;
  essential: boolean;
  runtimeId?: string;
  known: ManagedContainerStatus;
  started: boolean;
  exitCode?: number;
  reason?: string;
  health?: HealthStatus;
  networkBindings?: NetworkBinding[];
}

export interface ManagedTask {
  taskArn: string;
  desired: DesiredTask;
  desiredStatus: DesiredStatus;
  known: ManagedTaskStatus;
  /** Set when the engine itself decided the task must stop (essential exit, a failed step). */
  stopReason?: string;
  containers: ManagedContainer[];
  pullStartedAt?: string;
  pullStoppedAt?: string;
  executionStoppedAt?: string;
  /** The last report sent, serialised: a report is sent only when it differs. */
  reported?: string;
}

/** The definition of a recorded container (the managed task keeps the whole DesiredTask for this). */
export const definitionOf = (task: ManagedTask, name: string): ContainerDefinition =>
  task.desired.taskDefinition.containerDefinitions?.find((c) => c.name === name) ?? {};

/** What the control plane wants, merged with what the engine decided on its own (a stop). */
export const effectiveDesired = (task: ManagedTask): DesiredStatus =>
  task.stopReason ? "STOPPED" : task.desiredStatus;

/**
 * Fold what Docker shows into the container, forward only: an observation never un-stops a container.
 * Returns whether anything changed.
 */
export function applyObserved(container: ManagedContainer, observed: ObservedContainer): boolean {
  const before = JSON.stringify(container);
  const seen: ManagedContainerStatus =
    observed.state === "running" ? "RUNNING" : observed.state === "exited" ? "STOPPED" : "CREATED";
  container.runtimeId = observed.id;
  container.known = laterContainer(container.known, seen);
  container.started ||= observed.started;
  if (container.known === "RUNNING" || container.known === "STOPPED") {
    if (observed.networkBindings.length) container.networkBindings = observed.networkBindings;
    if (observed.health) container.health = observed.health;
  }
  if (container.known === "STOPPED") {
    container.exitCode ??= observed.exitCode;
    // ECS's wording for a container the kernel killed for its memory limit.
    if (observed.oomKilled) container.reason ??= "OutOfMemoryError: Container killed due to memory usage";
    else if (observed.error && !observed.started) container.reason ??= `CannotStartContainerError: ${observed.error}`;
  }
  return JSON.stringify(container) !== before;
}

export function view(task: ManagedTask, container: ManagedContainer): ContainerView {
  const hasHealthCheck = !!definitionOf(task, container.name).healthCheck;
  return {
    name: container.name,
    known: container.known,
    started: container.started,
    exitCode: container.exitCode,
    health: hasHealthCheck ? (container.health ?? "UNKNOWN") : undefined,
  };
}

/** A container's ties to the others: dependsOn, links (START) and volumesFrom (CREATE), both ways. */
export function dependenciesOf(task: ManagedTask, container: ManagedContainer): Dependencies {
  const byName = new Map(task.containers.map((c) => [c.name, c]));
  const requiresOf = (name: string) => {
    const def = definitionOf(task, name);
    return [
      ...(def.dependsOn ?? []).map((d) => ({ condition: d.condition ?? "START", on: d.containerName ?? "" })),
      ...(def.links ?? []).map((l) => ({ condition: "START", on: l.split(":")[0] })),
      ...(def.volumesFrom ?? []).map((v) => ({ condition: "CREATE", on: v.sourceContainer ?? "" })),
    ].filter((r) => byName.has(r.on));
  };
  return {
    requires: requiresOf(container.name).map((r) => ({
      condition: r.condition as Dependencies["requires"][number]["condition"],
      on: view(task, byName.get(r.on) as ManagedContainer),
    })),
    dependents: task.containers
      .filter((c) => requiresOf(c.name).some((r) => r.on === container.name))
      .map((c) => view(task, c)),
  };
}
