import { SubmitTaskStateChangeCommand } from "@aws-sdk/client-ecs";
import { abortableSleep, jitteredBackoff } from "./backoff.ts";
import type { ControlPlane } from "./controlPlane.ts";
import type { ContainerStateReport, TaskStateReport } from "./engine/types.ts";

/**
 * The queue between the engine's state reports and SubmitTaskStateChange. Reports are sent one at
 * a time in the order they came, so each task's changes arrive in order; while the control plane
 * is unreachable the head is retried with capped, jittered exponential backoff and everything
 * behind it waits. A report for a task that already has one waiting (not yet in flight) is merged
 * into it: the control plane only needs the latest status of each container, so an outage
 * leaves at most one report per task. Every change of the queue is persisted before it counts.
 * Once the control plane answers again (a heartbeat went through), `retryNow` cuts the head's
 * backoff short: after an outage the reports land within a heartbeat, not up to 30 s later.
 */
export interface SubmitterDeps {
  send(report: TaskStateReport): Promise<void>;
  /** Whether a failure of `send` is worth retrying (else the report is dropped and logged). */
  retryable(error: unknown): boolean;
  persist(pending: TaskStateReport[]): void;
  onDropped?(report: TaskStateReport, error: unknown): void;
  onRetry?(report: TaskStateReport, error: unknown, delayMs: number, attempt: number): void;
  onSent?(report: TaskStateReport): void;
  /** For tests: the delay before retry number `attempt` (from 1). */
  backoff?(attempt: number): number;
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

export interface Submitter {
  submit(report: TaskStateReport): void;
  pending(): TaskStateReport[];
  /** Sends the head now if it is waiting out a backoff (the control plane is back). */
  retryNow(): void;
  /** Resolves once the queue is empty (or the submitter is closed). */
  drained(): Promise<void>;
  close(): void;
}

export function createSubmitter(initial: TaskStateReport[], deps: SubmitterDeps): Submitter {
  const queue = [...initial];
  const abort = new AbortController();
  const backoff = deps.backoff ?? jitteredBackoff;
  const sleep = deps.sleep ?? abortableSleep;
  let inFlight: TaskStateReport | undefined;
  /** Ends the head's backoff early, while it waits one out. */
  let backingOff: AbortController | undefined;
  let running = false;
  let waiters: (() => void)[] = [];

  const wakeWaiters = () => {
    for (const resolve of waiters) resolve();
    waiters = [];
  };

  async function run() {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0 && !abort.signal.aborted) {
        inFlight = queue[0];
        await deliver(inFlight);
        // Once closed, the queue belongs to the state file as last written, for the next start
        // (which may already be running and writing it): never shift or persist after that.
        if (abort.signal.aborted) break;
        queue.shift();
        inFlight = undefined;
        deps.persist([...queue]);
      }
    } finally {
      inFlight = undefined;
      running = false;
      if (queue.length === 0 || abort.signal.aborted) wakeWaiters();
    }
  }

  async function deliver(report: TaskStateReport) {
    for (let attempt = 1; !abort.signal.aborted; attempt++) {
      try {
        await deps.send(report);
        deps.onSent?.(report);
        return;
      } catch (error) {
        if (!deps.retryable(error)) {
          deps.onDropped?.(report, error);
          return;
        }
        const delay = backoff(attempt);
        deps.onRetry?.(report, error, delay, attempt);
        backingOff = new AbortController();
        await sleep(delay, AbortSignal.any([abort.signal, backingOff.signal]));
        backingOff = undefined;
      }
    }
  }

  if (queue.length > 0) void run();

  return {
    submit(report) {
      if (abort.signal.aborted) return;
      // The waiting report of this task, if any: never the head while it is being sent.
      const index = queue.findIndex((r) => r.taskArn === report.taskArn && r !== inFlight);
      if (index >= 0) queue[index] = mergeReports(queue[index], report);
      else queue.push(report);
      deps.persist([...queue]);
      void run();
    },
    pending: () => [...queue],
    retryNow: () => backingOff?.abort(),
    drained: () =>
      queue.length === 0 || abort.signal.aborted ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)),
    close() {
      abort.abort();
      wakeWaiters();
    },
  };
}

/**
 * One report that says what `older` then `newer` said: the newer task status and reason, each
 * container's latest fields (a container only in `older` kept), the first pull start and the
 * latest stop times.
 */
export function mergeReports(older: TaskStateReport, newer: TaskStateReport): TaskStateReport {
  const containers = new Map<string, ContainerStateReport>();
  for (const c of older.containers) containers.set(c.containerName, c);
  for (const c of newer.containers) containers.set(c.containerName, { ...containers.get(c.containerName), ...c });
  return {
    ...older,
    ...newer,
    reason: newer.reason ?? older.reason,
    containers: [...containers.values()],
    pullStartedAt: older.pullStartedAt ?? newer.pullStartedAt,
    pullStoppedAt: newer.pullStoppedAt ?? older.pullStoppedAt,
    executionStoppedAt: newer.executionStoppedAt ?? older.executionStoppedAt,
  };
}

/**
 * One report as SubmitTaskStateChange, with its containers, then, when its containers carry
 * health, as Berth's SubmitTaskHealthChange (the ECS call has no health field). Both are
 * idempotent, so a retry of the whole report after either failed is harmless, and health always
 * lands after the state it was observed in.
 */
export async function submitReport(cp: ControlPlane, cluster: string, report: TaskStateReport): Promise<void> {
  await submitState(cp, cluster, report);
  const health = report.containers.flatMap(({ containerName, healthStatus }) =>
    healthStatus ? [{ containerName, healthStatus }] : [],
  );
  if (health.length > 0) {
    await cp.berth("SubmitTaskHealthChange", { cluster, task: report.taskArn, containers: health });
  }
}

async function submitState(cp: ControlPlane, cluster: string, report: TaskStateReport): Promise<void> {
  await cp.ecs.send(
    new SubmitTaskStateChangeCommand({
      cluster,
      task: report.taskArn,
      status: report.status,
      reason: report.reason,
      containers: report.containers.map((c) => ({
        containerName: c.containerName,
        runtimeId: c.runtimeId,
        status: c.status,
        exitCode: c.exitCode,
        reason: c.reason,
        networkBindings: c.networkBindings,
        imageDigest: c.imageDigest,
      })),
      pullStartedAt: report.pullStartedAt,
      pullStoppedAt: report.pullStoppedAt,
      executionStoppedAt: report.executionStoppedAt,
    }),
  );
}
