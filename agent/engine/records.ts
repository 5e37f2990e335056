import type { ContainerDefinition, NetworkBinding } from "@aws-sdk/client-ecs";
import type { HealthStatus, ObservedContainer } from "../runtime/types.ts";
import type { ContainerView, Dependencies } from "./nextStep.ts";
import { type ContainerStatus, type DesiredStatus, laterContainer, type TaskStatus } from "./status.ts";
import type { DesiredTask } from "./types.ts";

/**
 * What the engine remembers of each task: written to the state file, so it is plain JSON (dates as
 * ISO strings). Intent (the Docker name and labels) is recorded here before any container exists.
 */
export interface ContainerRecord {
  name: string;
  dockerName: string;
  labels: Record<string, string>;
  essential: boolean;
  runtimeId?: string;
  known: ContainerStatus;
  started: boolean;
  exitCode?: number;
  reason?: string;
  health?: HealthStatus;
  networkBindings?: NetworkBinding[];
}

export interface TaskRecord {
  taskArn: string;
  desired: DesiredTask;
  desiredStatus: DesiredStatus;
  known: TaskStatus;
  /** Set when the engine itself decided the task must stop (essential exit, a failed step). */
  stopReason?: string;
  containers: ContainerRecord[];
  pullStartedAt?: string;
  pullStoppedAt?: string;
  executionStoppedAt?: string;
  /** The last report sent, serialised: a report is sent only when it differs. */
  reported?: string;
}

export interface EngineState {
  version: 1;
  tasks: Record<string, TaskRecord>;
}

/** The definition of a recorded container (the record keeps the whole DesiredTask for this). */
export const definitionOf = (task: TaskRecord, name: string): ContainerDefinition =>
  task.desired.taskDefinition.containerDefinitions?.find((c) => c.name === name) ?? {};

/** What the control plane wants, merged with what the engine decided on its own (a stop). */
export const effectiveDesired = (task: TaskRecord): DesiredStatus => (task.stopReason ? "STOPPED" : task.desiredStatus);

/**
 * Fold what Docker shows into the record, forward only: an observation never un-stops a container.
 * Returns whether anything changed.
 */
export function applyObserved(record: ContainerRecord, observed: ObservedContainer): boolean {
  const before = JSON.stringify(record);
  const seen: ContainerStatus =
    observed.state === "running" ? "RUNNING" : observed.state === "exited" ? "STOPPED" : "CREATED";
  record.runtimeId = observed.id;
  record.known = laterContainer(record.known, seen);
  record.started ||= observed.started;
  if (record.known === "RUNNING" || record.known === "STOPPED") {
    if (observed.networkBindings.length) record.networkBindings = observed.networkBindings;
    if (observed.health) record.health = observed.health;
  }
  if (record.known === "STOPPED") {
    record.exitCode ??= observed.exitCode;
    // ECS's wording for a container the kernel killed for its memory limit.
    if (observed.oomKilled) record.reason ??= "OutOfMemoryError: Container killed due to memory usage";
    else if (observed.error && !observed.started) record.reason ??= `CannotStartContainerError: ${observed.error}`;
  }
  return JSON.stringify(record) !== before;
}

export function view(task: TaskRecord, record: ContainerRecord): ContainerView {
  const hasHealthCheck = !!definitionOf(task, record.name).healthCheck;
  return {
    name: record.name,
    known: record.known,
    started: record.started,
    exitCode: record.exitCode,
    health: hasHealthCheck ? (record.health ?? "UNKNOWN") : undefined,
  };
}

/** A container's ties to the others: dependsOn, links (START) and volumesFrom (CREATE), both ways. */
export function dependenciesOf(task: TaskRecord, record: ContainerRecord): Dependencies {
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
    requires: requiresOf(record.name).map((r) => ({
      condition: r.condition as Dependencies["requires"][number]["condition"],
      on: view(task, byName.get(r.on) as ContainerRecord),
    })),
    dependents: task.containers
      .filter((c) => requiresOf(c.name).some((r) => r.on === record.name))
      .map((c) => view(task, c)),
  };
}
