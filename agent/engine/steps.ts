import type { FailureLog } from "../failureLog.ts";
import { type ContainerRuntime, isRuntimeError, type ObservedContainer } from "../runtime/types.ts";
import { containerSpec, UnsupportedTaskError } from "./containerSpec.ts";
import { applyObserved, definitionOf, type ManagedContainer, type ManagedTask } from "./managedTask.ts";
import { LABELS } from "./naming.ts";
import type { StepAction } from "./nextStep.ts";
import { laterContainer } from "./status.ts";
import type { EngineConfig, SecretResolver } from "./types.ts";

/**
 * The table from a step (decided by nextStep) to what it does on the runtime. A StepFailure means
 * the container can never get there: the engine stops the task with the error as its reason (ECS's
 * wording). Any other error is taken as transient (Docker unreachable) and the step is retried.
 */
export class StepFailure extends Error {}

export interface StepContext {
  runtime: ContainerRuntime;
  config: EngineConfig;
  resolveSecret?: SecretResolver;
  now: () => Date;
  /** The runtime's pull, shared by the tasks that pull one image at the same time (sharedPulls.ts). */
  pullImage(image: string): Promise<void>;
  /** Where failures that a step survives (a pull served from the cache) are logged. */
  failures: FailureLog;
  /** Persist the state file; resolves once it is on disk. */
  save(): Promise<void>;
}

type StepFn = (ctx: StepContext, task: ManagedTask, container: ManagedContainer) => Promise<void>;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Image pull per ECS_IMAGE_PULL_BEHAVIOR. */
const pull: StepFn = async (ctx, task, container) => {
  const image = definitionOf(task, container.name).image ?? "";
  const behavior = ctx.config.imagePullBehavior;
  const present = await ctx.runtime.imagePresent(image);
  // default and always pull every time; once and prefer-cached only when the image is missing.
  if (!present || behavior === "default" || behavior === "always") {
    task.pullStartedAt ??= ctx.now().toISOString();
    const site = `pulling ${image}`;
    try {
      await ctx.pullImage(image);
      ctx.failures.succeeded(site);
    } catch (error) {
      // Only "default" may fall back to a cached copy when the registry fails.
      if (!(present && behavior === "default")) throw new StepFailure(`CannotPullContainerError: ${message(error)}`);
      ctx.failures.failed(site, error, "using the cached copy");
    } finally {
      task.pullStoppedAt = ctx.now().toISOString();
    }
  }
  container.known = laterContainer(container.known, "PULLED");
};

/** secrets[].valueFrom through the injected resolver; values live in memory only, never in the state file. */
async function resolveSecrets(ctx: StepContext, task: ManagedTask, container: ManagedContainer) {
  const secrets = definitionOf(task, container.name).secrets ?? [];
  const values: Record<string, string> = {};
  for (const secret of secrets) {
    try {
      if (!ctx.resolveSecret) throw new Error("no secret resolver is configured on this agent");
      values[secret.name ?? ""] = await ctx.resolveSecret(secret.valueFrom ?? "");
    } catch (error) {
      throw new StepFailure(`ResourceInitializationError: unable to pull secrets or registry auth: ${message(error)}`);
    }
  }
  return values;
}

const create: StepFn = async (ctx, task, container) => {
  const { task: ecsTask, taskDefinition } = task.desired;
  const secrets = await resolveSecrets(ctx, task, container);
  let spec: ReturnType<typeof containerSpec>;
  try {
    spec = containerSpec(ecsTask, taskDefinition, definitionOf(task, container.name), {
      cluster: ctx.config.cluster,
      secrets,
    });
  } catch (error) {
    if (error instanceof UnsupportedTaskError) throw new StepFailure(error.message);
    throw error;
  }
  // Intent first: the name and labels are on disk before Docker hears of the container.
  await ctx.save();
  try {
    container.runtimeId = await ctx.runtime.createContainer(spec);
    container.known = laterContainer(container.known, "CREATED");
  } catch (error) {
    if (isRuntimeError(error, "conflict")) return adopt(ctx, task, container);
    throw new StepFailure(`CannotCreateContainerError: ${message(error)}`);
  }
};

/** A create that collided with our own name: the container exists from an earlier attempt, so take it over. */
async function adopt(ctx: StepContext, task: ManagedTask, container: ManagedContainer) {
  const existing: ObservedContainer | undefined = await ctx.runtime.inspectContainer(container.dockerName);
  if (!existing || existing.labels[LABELS.taskArn] !== task.taskArn) {
    throw new StepFailure(`CannotCreateContainerError: the name ${container.dockerName} belongs to another container`);
  }
  applyObserved(container, existing);
}

const start: StepFn = async (ctx, _task, container) => {
  const id = container.runtimeId ?? container.dockerName;
  try {
    await ctx.runtime.startContainer(id);
  } catch (error) {
    throw new StepFailure(`CannotStartContainerError: ${message(error)}`);
  }
  // Inspect at once: the bound host ports are only known now, and the process may already have exited.
  const observed = await ctx.runtime.inspectContainer(id);
  if (observed) applyObserved(container, observed);
  else container.known = laterContainer(container.known, "RUNNING");
};

/** The stop signal, then SIGKILL after the container's stopTimeout or ECS_CONTAINER_STOP_TIMEOUT. */
const stop: StepFn = async (ctx, task, container) => {
  if (container.runtimeId && container.known !== "NONE" && container.known !== "PULLED") {
    const timeout = definitionOf(task, container.name).stopTimeout ?? ctx.config.stopTimeoutSeconds;
    await ctx.runtime.stopContainer(container.runtimeId, timeout);
    const observed = await ctx.runtime.inspectContainer(container.runtimeId);
    if (observed) applyObserved(container, observed);
  }
  container.known = "STOPPED";
};

export const STEPS: Record<StepAction, StepFn> = { pull, create, start, stop };
