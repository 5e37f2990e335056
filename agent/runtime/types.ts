import type { NetworkBinding } from "@aws-sdk/client-ecs";
import type { ContainerCreateOptions } from "dockerode";

/**
 * What the task engine needs from a container runtime, and nothing more. Docker (dockerode) is the
 * real implementation; an in-memory fake drives the engine's unit tests. Every method is idempotent
 * where Docker allows it (stopping a stopped container, removing a removed one: no error), so the
 * engine may retry a step after a crash without special cases.
 */
export interface ContainerRuntime {
  imagePresent(image: string): Promise<boolean>;
  /** Throws a RuntimeError ("image-not-found" | "unreachable" | "failed") when the pull fails. */
  pullImage(image: string): Promise<void>;
  /** Returns the new container's id. Throws RuntimeError "conflict" when the name is taken. */
  createContainer(spec: CreateSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** The container's stop signal (SIGTERM or the image's STOPSIGNAL), then SIGKILL after `timeoutSeconds`. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Removes a named Docker volume; one that does not exist is no error. */
  removeVolume(name: string): Promise<void>;
  /** undefined when no such container exists. */
  inspectContainer(idOrName: string): Promise<ObservedContainer | undefined>;
  /** Every container (running or not) that carries the label `key` (with `value`, when given). */
  listContainers(label: { key: string; value?: string }): Promise<ObservedContainer[]>;
  /** Lifecycle events of containers labelled TASK_ARN_LABEL. The runtime reconnects by itself and sends "resync" after a gap. */
  watch(onEvent: (event: RuntimeEvent) => void): { close(): void };
  stats(id: string): Promise<{ cpuPercent: number; memoryMiB: number }>;
  info(): Promise<RuntimeInfo>;
}

/** Docker's create body, with the container's name. */
export interface CreateSpec extends ContainerCreateOptions {
  name: string;
  Image: string;
}

/** The label every Berth (and ECS) container carries: events and listings are filtered on it. */
export const TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn";

export type HealthStatus = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

/** What inspect tells about one container, in the engine's terms. */
export interface ObservedContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  state: "created" | "running" | "exited";
  /** Set once the container has exited. */
  exitCode?: number;
  /** The container ran at some point (Docker's StartedAt is set). */
  started: boolean;
  oomKilled: boolean;
  /** Only for containers with a health check. */
  health?: HealthStatus;
  networkBindings: NetworkBinding[];
  imageDigest?: string;
  /** Docker's State.Error, e.g. why a start failed. */
  error?: string;
}

export type RuntimeEvent =
  | { type: "die" | "start" | "health" | "oom"; containerId: string; labels: Record<string, string> }
  /** The event stream broke, or could not be reopened: events are being lost until the next resync. */
  | { type: "interrupted"; error: unknown }
  /** The stream is back after an interruption (dockerd restart): events may have been lost, re-read everything. */
  | { type: "resync" };

export interface RuntimeInfo {
  cpus: number;
  memoryMiB: number;
  dockerVersion: string;
}

export type RuntimeErrorCode = "conflict" | "not-found" | "image-not-found" | "unreachable" | "failed";

/** One error type for every runtime, classified so the engine decides without parsing messages. */
export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RuntimeError";
  }
}

export const isRuntimeError = (error: unknown, code: RuntimeErrorCode): error is RuntimeError =>
  error instanceof RuntimeError && error.code === code;
