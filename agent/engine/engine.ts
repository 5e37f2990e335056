import { createFailureLog } from "../failureLog.ts";
import type { Logger } from "../log.ts";
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
import { sharedPulls } from "./sharedPulls.ts";
import { withStartSlots } from "./startSlots.ts";
import { type EngineState, loadState, stateWriter } from "./stateFile.ts";
import { STEPS, type StepContext, StepFailure } from "./steps.ts";
import type { DesiredTask, EngineConfig, ReportSink, SecretResolver, TaskEngine, TaskUtilization } from "./types.ts";

export interface TaskEngineDeps {
  runtime: ContainerRuntime;
  config: EngineConfig;
  report: ReportSink;
  /** The agent's log: each failure the engine survives is logged once per episode (failureLog.ts). */
  log: Logger;
  resolveSecret?: SecretResolver;
  now?: () => Date;
}

/** A transient failure (Docker unreachable) is retried after this long rather than in a tight loop. */
const RETRY_MS = 2_000;
/** Stopped tasks are looked for at least once a minute, and at most once a second however short the cleanup wait. */
const CLEANUP_SWEEP_MAX_MS = 60_000;
const CLEANUP_SWEEP_MIN_MS = 1_000;

/** Sites of failures the engine survives that are not a task's own (those name the task). */
const SITES = {
  report: "handing a task state report to the agent",
  events: "following Docker's events",
  resync: "re-reading Docker's containers after a gap in its events",
  inspect: "inspecting a container after a Docker event",
  sweep: "the cleanup sweep",
  stats: "reading container stats",
};

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
  const failures = createFailureLog(deps.log, now);
  const sweepMs = Math.max(CLEANUP_SWEEP_MIN_MS, Math.min(config.cleanupWaitMs, CLEANUP_SWEEP_MAX_MS));
  const atNextSweep = `trying again at the next cleanup sweep (every ${sweepMs / 1000} s)`;
  let state: EngineState = { version: 1, tasks: {} };
  let writer = stateWriter(config.dataDir, state);
  const drivers = new Map<string, { dirty: boolean; running?: Promise<void> }>();
  /** Labelled containers in Docker that no managed task knows (state file lost): adopted when their task is desired. */
  const orphans = new Map<string, ObservedContainer>();
  let serial: Promise<unknown> = Promise.resolve();
  let watcher: { close(): void } | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let closed = false;

  const ctx: StepContext = {
    runtime: withStartSlots(runtime),
    config,
    resolveSecret: deps.resolveSecret,
    pullImage: sharedPulls((image) => runtime.pullImage(image)),
    now,
    failures,
    save: () => writer.save(),
  };

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
      failures.succeeded(SITES.report);
    } catch (error) {
      // The sink must not throw; if it does, the engine's state is still right.
      failures.failed(SITES.report, error, "that report is dropped; the engine's own state is unaffected");
    }
  };

  const hasOrphanOf = (taskArn: string) => [...orphans.values()].some((o) => o.labels[LABELS.taskArn] === taskArn);

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
    const site = `container ${c.name} of task ${task.taskArn}`;
    try {
      await STEPS[action](ctx, task, c);
      failures.succeeded(site);
      return false;
    } catch (error) {
      if (!(error instanceof StepFailure)) {
        failures.failed(site, error, `retrying the ${action} every ${RETRY_MS / 1000} s`);
        return true;
      }
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
    const site = `driving task ${taskArn}`;
    d.running ??= (async () => {
      try {
        while (d.dirty && !closed) {
          d.dirty = false;
          await drive(task);
        }
        failures.succeeded(site);
      } catch (error) {
        failures.failed(site, error, `retrying every ${RETRY_MS / 1000} s`);
        setTimeout(() => void kick(taskArn), RETRY_MS).unref();
      } finally {
        d.running = undefined;
      }
    })();
    return d.running;
  }

  /** Re-read every labelled container (at start and after an event gap); fold what changed into the managed tasks. */
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
    if (event.type === "interrupted") {
      failures.failed(SITES.events, event.error, "reconnecting; every container is re-read once it is back");
      return;
    }
    if (event.type === "resync") {
      failures.succeeded(SITES.events);
      const gapUnseen = "what changed during the gap is seen only after the next one";
      await exclusive(() => failures.attempt(SITES.resync, syncFromDocker, gapUnseen));
      return;
    }
    const task = state.tasks[event.labels[LABELS.taskArn]];
    const container = task?.containers.find((c) => c.name === event.labels[LABELS.containerName]);
    if (!task || !container) return;
    const observed = await failures.attempt(
      SITES.inspect,
      () => runtime.inspectContainer(event.containerId),
      "the task goes on with what was known before the event",
    );
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
      const removed = await failures.attempt(
        `cleaning up task ${task.taskArn}`,
        async () => {
          for (const c of task.containers) if (c.runtimeId) await runtime.removeContainer(c.runtimeId);
          for (const volume of taskScopedVolumes(task.desired.task, task.desired.taskDefinition)) {
            await runtime.removeVolume(volume);
          }
          return true;
        },
        atNextSweep,
      );
      if (!removed) continue;
      delete state.tasks[task.taskArn];
      drivers.delete(task.taskArn);
      // Its sites (a container's step, its driver) can fail no more: their episodes go with it.
      failures.forget(task.taskArn);
    }
    await writer.save();
  }

  /** A cleanup whose failure (the state file not written) waits for the next sweep. */
  const sweep = () => failures.attempt(SITES.sweep, cleanup, atNextSweep);

  return {
    async start() {
      closed = false;
      state = await loadState(config.dataDir);
      writer = stateWriter(config.dataDir, state);
      // Watch first, so nothing that happens while the listing runs is missed.
      watcher = runtime.watch((event) => void onEvent(event));
      await exclusive(syncFromDocker);
      sweeper = setInterval(() => void exclusive(sweep), sweepMs);
      sweeper.unref();
    },

    async reconcile(desired) {
      const arns = await exclusive(async () => {
        await sweep();
        const taken: string[] = [];
        for (const d of desired) {
          const arn = d.task.taskArn ?? "";
          // The control plane counts a task STOPPED at once when it is stopped before its agent
          // reported it; if this agent took it up meanwhile, its containers are stopped here too.
          // One it never took up (nor has containers of) is not started.
          if (d.task.lastStatus === "STOPPED" && !state.tasks[arn] && !hasOrphanOf(arn)) continue;
          taken.push(arn);
          const task = state.tasks[arn] ?? newManagedTask(d);
          state.tasks[arn] = task;
          task.desired = d;
          // Forward only: once asked to stop, a task is not started again by a stale listing.
          if (d.task.desiredStatus === "STOPPED") task.desiredStatus = "STOPPED";
        }
        await writer.save();
        return taken;
      });
      await Promise.all(arns.map(kick));
    },

    async utilization() {
      let failed: { error: unknown } | undefined;
      const statsOf = (id: string) =>
        runtime.stats(id).catch((error) => {
          failed ??= { error };
          return undefined;
        });
      const out: TaskUtilization[] = [];
      for (const task of Object.values(state.tasks)) {
        const running = task.containers.filter((c) => c.known === "RUNNING" && c.runtimeId);
        if (running.length === 0) continue;
        const stats = await Promise.all(running.map((c) => statsOf(c.runtimeId ?? "")));
        const sum = (key: "cpuPercent" | "memoryMiB") => stats.reduce((n, s) => n + (s?.[key] ?? 0), 0);
        out.push({ taskArn: task.taskArn, cpuPercent: sum("cpuPercent"), memoryMiB: sum("memoryMiB") });
      }
      // One episode for every container's stats: one container failing for good must not log at each heartbeat.
      if (failed) failures.failed(SITES.stats, failed.error, "the heartbeat counts those containers as idle");
      else failures.succeeded(SITES.stats);
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
