import type { ContainerRuntime, ObservedContainer, RuntimeEvent } from "../runtime/types.ts";
import { taskScopedVolumes } from "./containerSpec.ts";
import {
  applyObserved,
  dependenciesOf,
  effectiveDesired,
  type ManagedContainer,
  type ManagedTask,
  view,
} from "./managedTask.ts";
import { dockerName, ecsLabels, LABELS } from "./naming.ts";
import { nextStep } from "./nextStep.ts";
import { buildReport, reportSignature, taskStatus } from "./report.ts";
import { type EngineState, loadState, stateWriter } from "./stateFile.ts";
import { STEPS, type StepContext, StepFailure } from "./steps.ts";
import type { DesiredTask, EngineConfig, ReportSink, SecretResolver, TaskEngine, TaskUtilization } from "./types.ts";

export interface TaskEngineDeps {
  runtime: ContainerRuntime;
  config: EngineConfig;
  report: ReportSink;
  resolveSecret?: SecretResolver;
  now?: () => Date;
}

/** A transient failure (Docker unreachable) is retried after this long rather than in a tight loop. */
const RETRY_MS = 2_000;
/** Stopped tasks are looked for at least once a minute, and at most once a second however short the cleanup wait. */
const CLEANUP_SWEEP_MAX_MS = 60_000;
const CLEANUP_SWEEP_MIN_MS = 1_000;

/**
 * The task engine. Each task has its own driver (a serial loop, as the ECS agent has one task
 * manager per task), so a 30-second stop of one task never delays another task's start. Drivers
 * are woken by reconcile() (desired state), by Docker events (a container died) and by retries;
 * being woken while running only makes the loop go round once more.
 *
 * Tasks in the state file that the control plane no longer lists are left as they are: the
 * control plane lists every task placed here until it is known STOPPED, so a missing task is a
 * control-plane gap (or a restore from backup), and stopping running work on a guess is worse.
 */
export function createTaskEngine(deps: TaskEngineDeps): TaskEngine {
  const { runtime, config } = deps;
  const now = deps.now ?? (() => new Date());
  let state: EngineState = { version: 1, tasks: {} };
  let writer = stateWriter(config.dataDir, state);
  const drivers = new Map<string, { dirty: boolean; running?: Promise<void> }>();
  /** Labelled containers found in Docker that no managed task knows (state file lost): taken over when their task is desired. */
  const orphans = new Map<string, ObservedContainer>();
  let serial: Promise<unknown> = Promise.resolve();
  let watcher: { close(): void } | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let closed = false;

  const ctx: StepContext = { runtime, config, resolveSecret: deps.resolveSecret, now, save: () => writer.save() };

  /** reconcile(), cleanup and re-syncs take turns; drivers run outside this queue. */
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = serial.then(fn, fn);
    serial = next.catch(() => undefined);
    return next;
  };

  /** Recompute the task's known status and send a report if anything a report shows has changed. */
  const emit = (task: ManagedTask) => {
    task.known = taskStatus(task);
    if (task.known === "STOPPED") task.executionStoppedAt ??= now().toISOString();
    const report = buildReport(task);
    const signature = reportSignature(report);
    if (signature === task.reported) return;
    task.reported = signature;
    try {
      deps.report(report);
    } catch {
      // The sink must not throw; if it does, the engine's state is still right.
    }
  };

  function newManagedTask(desired: DesiredTask): ManagedTask {
    const { task, taskDefinition } = desired;
    const containers: ManagedContainer[] = (taskDefinition.containerDefinitions ?? []).map((def) => {
      const name = def.name ?? "";
      const container: ManagedContainer = {
        name,
        dockerName: dockerName(task, taskDefinition, name),
        labels: ecsLabels(task, taskDefinition, name, config.cluster),
        essential: def.essential ?? true,
        known: "NONE",
        started: false,
      };
      const orphan = orphans.get(container.dockerName);
      if (orphan) applyObserved(container, orphan);
      orphans.delete(container.dockerName);
      return container;
    });
    return { taskArn: task.taskArn ?? "", desired, desiredStatus: "RUNNING", known: "NONE", containers };
  }

  /** Take one step for every container that has one, until no container has a step to take. */
  async function drive(task: ManagedTask) {
    for (;;) {
      if (task.desiredStatus === "RUNNING" && !task.stopReason) {
        const exited = task.containers.find((c) => c.essential && c.known === "STOPPED");
        if (exited) task.stopReason = "Essential container in task exited";
      }
      const desired = effectiveDesired(task);
      const planned = task.containers.map((c) => ({
        c,
        step: nextStep(view(task, c), desired, dependenciesOf(task, c)),
      }));
      const failed = planned.find((p) => p.step.action === "fail");
      if (failed?.step.action === "fail") {
        failed.c.reason ??= failed.step.reason;
        task.stopReason ??= failed.step.reason;
        continue;
      }
      const work = planned.flatMap(({ c, step }) => (step.action in STEPS ? [{ c, action: step.action }] : []));
      if (work.length === 0) break;
      const transient = await Promise.all(work.map(({ c, action }) => runStep(task, c, action as keyof typeof STEPS)));
      await writer.save();
      emit(task);
      if (transient.some(Boolean)) {
        setTimeout(() => void kick(task.taskArn), RETRY_MS).unref();
        break;
      }
    }
    emit(task);
    await writer.save();
  }

  /** Runs one step; returns true when it failed for a reason that may pass (to retry later). */
  async function runStep(task: ManagedTask, c: ManagedContainer, action: keyof typeof STEPS): Promise<boolean> {
    if (action !== "stop" && task.known === "NONE") {
      task.known = "PENDING";
      emit(task);
    }
    try {
      await STEPS[action](ctx, task, c);
      return false;
    } catch (error) {
      if (!(error instanceof StepFailure)) return true;
      c.reason ??= error.message;
      task.stopReason ??= error.message;
      return false;
    }
  }

  function kick(taskArn: string): Promise<void> {
    const task = state.tasks[taskArn];
    if (!task || closed) return Promise.resolve();
    const d = drivers.get(taskArn) ?? { dirty: false };
    drivers.set(taskArn, d);
    d.dirty = true;
    d.running ??= (async () => {
      try {
        while (d.dirty && !closed) {
          d.dirty = false;
          await drive(task);
        }
      } catch {
        setTimeout(() => void kick(taskArn), RETRY_MS).unref();
      } finally {
        d.running = undefined;
      }
    })();
    return d.running;
  }

  /** Re-read every labelled container (at start and after an event gap) and fold what changed into the managed tasks. */
  async function syncFromDocker() {
    const observed = await runtime.listContainers({ key: LABELS.cluster, value: config.cluster });
    const seen = new Set<string>();
    for (const o of observed) {
      const task = state.tasks[o.labels[LABELS.taskArn]];
      const container = task?.containers.find((c) => c.name === o.labels[LABELS.containerName]);
      if (!container) {
        orphans.set(o.name, o);
        continue;
      }
      seen.add(o.id);
      applyObserved(container, o);
    }
    for (const task of Object.values(state.tasks)) {
      for (const c of task.containers) {
        // Recorded as existing, yet Docker has no such container: it was removed behind our back.
        if (c.runtimeId && !seen.has(c.runtimeId) && (c.known === "CREATED" || c.known === "RUNNING")) {
          c.known = "STOPPED";
          c.reason ??= "DockerStateError: the container no longer exists";
        }
      }
      emit(task);
      void kick(task.taskArn);
    }
    await writer.save();
  }

  async function onEvent(event: RuntimeEvent) {
    if (closed) return;
    if (event.type === "resync") {
      await exclusive(syncFromDocker).catch(() => undefined);
      return;
    }
    const task = state.tasks[event.labels[LABELS.taskArn]];
    const container = task?.containers.find((c) => c.name === event.labels[LABELS.containerName]);
    if (!task || !container) return;
    const observed = await runtime.inspectContainer(event.containerId).catch(() => undefined);
    if (observed && applyObserved(container, observed)) emit(task);
    void kick(task.taskArn);
  }

  /** Remove the containers and volumes of tasks STOPPED longer than the cleanup wait, and forget those tasks. */
  async function cleanup() {
    const cutoff = now().getTime() - config.cleanupWaitMs;
    for (const task of Object.values(state.tasks)) {
      const stoppedAt = task.executionStoppedAt ? Date.parse(task.executionStoppedAt) : Number.NaN;
      if (task.known !== "STOPPED" || drivers.get(task.taskArn)?.running || !(stoppedAt <= cutoff)) continue;
      // One task that cannot be cleaned up yet (a volume still in use, Docker busy) is tried
      // again at the next sweep; it does not hold up the others.
      try {
        for (const c of task.containers) if (c.runtimeId) await runtime.removeContainer(c.runtimeId);
        for (const volume of taskScopedVolumes(task.desired.task, task.desired.taskDefinition)) {
          await runtime.removeVolume(volume);
        }
      } catch {
        continue;
      }
      delete state.tasks[task.taskArn];
      drivers.delete(task.taskArn);
    }
    await writer.save();
  }

  return {
    async start() {
      closed = false;
      state = await loadState(config.dataDir);
      writer = stateWriter(config.dataDir, state);
      // Watch first, so nothing that happens while the listing runs is missed.
      watcher = runtime.watch((event) => void onEvent(event));
      await exclusive(syncFromDocker);
      sweeper = setInterval(
        () => void exclusive(cleanup).catch(() => undefined),
        Math.max(CLEANUP_SWEEP_MIN_MS, Math.min(config.cleanupWaitMs, CLEANUP_SWEEP_MAX_MS)),
      );
      sweeper.unref();
    },

    async reconcile(desired) {
      const arns = await exclusive(async () => {
        await cleanup().catch(() => undefined);
        for (const d of desired) {
          const arn = d.task.taskArn ?? "";
          const task = state.tasks[arn] ?? newManagedTask(d);
          state.tasks[arn] = task;
          task.desired = d;
          // Forward only: once asked to stop, a task is not started again by a stale listing.
          if (d.task.desiredStatus === "STOPPED") task.desiredStatus = "STOPPED";
        }
        await writer.save();
        return desired.map((d) => d.task.taskArn ?? "");
      });
      await Promise.all(arns.map(kick));
    },

    async utilization() {
      const out: TaskUtilization[] = [];
      for (const task of Object.values(state.tasks)) {
        const running = task.containers.filter((c) => c.known === "RUNNING" && c.runtimeId);
        if (running.length === 0) continue;
        const stats = await Promise.all(running.map((c) => runtime.stats(c.runtimeId ?? "").catch(() => undefined)));
        const sum = (key: "cpuPercent" | "memoryMiB") => stats.reduce((n, s) => n + (s?.[key] ?? 0), 0);
        out.push({ taskArn: task.taskArn, cpuPercent: sum("cpuPercent"), memoryMiB: sum("memoryMiB") });
      }
      return out;
    },

    async close() {
      closed = true;
      watcher?.close();
      clearInterval(sweeper);
      await exclusive(() => writer.save());
    },
  };
}
