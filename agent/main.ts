import { DiscoverPollEndpointCommand } from "@aws-sdk/client-ecs";
import { AgentStateFile } from "./agentStateFile.ts";
import { createClockSkewNotice } from "./clockSkew.ts";
import { type AgentConfig, engineConfig } from "./config.ts";
import { type ControlPlane, isRetryable } from "./controlPlane.ts";
import { createDesiredReader } from "./desired.ts";
import { createDesiredChanges } from "./desiredChanges.ts";
import { createTaskEngine, type TaskEngineDeps } from "./engine/index.ts";
import type { TaskEngine } from "./engine/types.ts";
import { startHeartbeats } from "./heartbeat.ts";
import { joinCluster, switchableControlPlane } from "./join.ts";
import { createLogger, describeError, type Logger } from "./log.ts";
import { createLoop } from "./loop.ts";
import { createDockerRuntime } from "./runtime/docker.ts";
import type { ContainerRuntime } from "./runtime/types.ts";
import { createSsmResolver } from "./secrets.ts";
import { createSubmitter, submitReport } from "./submitter.ts";
import { startWakeups } from "./wakeups.ts";

/** Every part the agent is made of, replaceable in tests. */
export interface AgentDeps {
  runtime?: ContainerRuntime;
  createEngine?: (deps: TaskEngineDeps) => TaskEngine;
  controlPlane?: ControlPlane;
  log?: Logger;
}

export interface RunningAgent {
  containerInstanceArn: string;
  /** Runs a full sync now; resolves when it is done. */
  sync(): Promise<void>;
  /** Resolves once every state change so far has been accepted by the control plane. */
  drained(): Promise<void>;
  /** Stops the agent's loops; the containers keep running, as with the ECS agent. */
  close(): Promise<void>;
}

/**
 * Once heartbeats answer the digest of the tasks placed here, a sync follows any beat whose digest
 * is not the last sync's, and the periodic one (every `syncSeconds` before) only guards against
 * what a digest cannot show.
 */
const SYNC_INTERVAL_WITH_DIGESTS_MS = 15 * 60_000;

/**
 * The agent: registers this host as a container instance, starts the task engine, then keeps
 * the engine's desired state in step with the control plane's (on every wake-up, on every
 * heartbeat whose digest of the tasks placed here is not the last sync's, and every 15 min or
 * `syncSeconds` if longer; every `syncSeconds` against a control plane whose heartbeats answer no
 * digest), forwards the engine's reports through the submission queue, and sends heartbeats.
 */
export async function startAgent(config: AgentConfig, deps: AgentDeps = {}): Promise<RunningAgent> {
  const log = deps.log ?? createLogger(config.logLevel);
  const state = new AgentStateFile(config.dataDir);
  const runtime = deps.runtime ?? createDockerRuntime();
  const host = await runtime.info().catch((error) => {
    throw new Error(`Docker is not reachable (${describeError(error)}): start dockerd, or check /var/run/docker.sock.`);
  });
  const cp = switchableControlPlane(config, deps.controlPlane);
  const saved = state.get();
  let instanceArn = await joinCluster(
    cp,
    config,
    host,
    state,
    log,
    saved.cluster === config.cluster ? saved.containerInstanceArn : undefined,
  );
  state.update({ cluster: config.cluster, containerInstanceArn: instanceArn });
  log.info(
    `registered as ${instanceArn} in cluster ${config.cluster} at ${config.endpoint} (${host.cpus} CPUs, ${host.memoryMiB} MiB, Docker ${host.dockerVersion})`,
  );

  const changes = createDesiredChanges();
  const submitter = createSubmitter(saved.pending, {
    send: (report) => submitReport(cp, config.cluster, report),
    retryable: isRetryable,
    persist: (pending) => state.update({ pending }),
    onSent: (r) => {
      log.debug(`reported ${r.taskArn} ${r.status}`);
      if (r.status === "STOPPED") changes.reportedStopped(r.taskArn);
    },
    onRetry: (r, error, delay, attempt) =>
      log[attempt === 1 ? "warn" : "debug"](
        `reporting ${r.taskArn} ${r.status} failed (${describeError(error)}); retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt}). Reports are kept in ${state.path} until the control plane takes them.`,
      ),
    onDropped: (r, error) =>
      log.error(`the control plane refused the report ${r.taskArn} ${r.status} (${describeError(error)}); dropped it.`),
  });

  const secrets = createSsmResolver(config.region);
  const engine = (deps.createEngine ?? createTaskEngine)({
    runtime,
    config: engineConfig(config),
    report: (report) => submitter.submit(report),
    log,
    resolveSecret: secrets,
  });
  await engine.start();

  const desiredTasks = createDesiredReader(cp, config.cluster);
  const clockSkew = createClockSkewNotice(cp, log);
  clockSkew.check();
  /** Whether heartbeats answer digests at all (an older Berth's do not). */
  let digestsAnswered = false;
  const sync = createLoop(
    "syncing tasks with the control plane",
    () =>
      digestsAnswered ? Math.max(SYNC_INTERVAL_WITH_DIGESTS_MS, config.syncSeconds * 1000) : config.syncSeconds * 1000,
    async () => {
      const readAt = performance.now();
      const { desired, read } = await desiredTasks(instanceArn);
      clockSkew.check();
      log.debug(`sync: ${desired.length} task(s) placed here`);
      await engine.reconcile(desired);
      changes.synced(read, readAt);
    },
    log,
  );

  const discover = async () =>
    (await cp.ecs.send(new DiscoverPollEndpointCommand({ cluster: config.cluster, containerInstance: instanceArn })))
      .endpoint ?? "";
  let wakeups = startWakeups({ config, log, discover, onNudge: () => sync.trigger() });

  const heartbeats = startHeartbeats({
    cp,
    cluster: config.cluster,
    intervalSeconds: config.heartbeatSeconds,
    engine,
    log,
    containerInstanceArn: () => instanceArn,
    // Reports waiting out a backoff go now: the control plane is back.
    onAccepted: () => submitter.retryNow(),
    async onUnknownInstance() {
      instanceArn = await joinCluster(cp, config, host, state, log, instanceArn);
      state.update({ containerInstanceArn: instanceArn });
      log.info(`registered again as ${instanceArn}`);
      // A new registration may come with a new queue.
      wakeups.close();
      wakeups = startWakeups({ config, log, discover, onNudge: () => sync.trigger() });
      await sync.trigger();
    },
    onDesiredDigest(digest, sentAt) {
      digestsAnswered = true;
      if (changes.changed(digest, sentAt)) {
        log.debug("heartbeat: the tasks placed here changed since the last sync");
        void sync.trigger();
      }
    },
  });

  await sync.trigger();
  return {
    get containerInstanceArn() {
      return instanceArn;
    },
    sync: () => sync.trigger(),
    drained: () => submitter.drained(),
    async close() {
      heartbeats.close();
      wakeups.close();
      sync.close();
      await engine.close();
      submitter.close();
      secrets.destroy();
      // An injected control plane is the caller's, unless a bootstrap token replaced it with the agent's own.
      if (!deps.controlPlane || config.bootstrapToken) cp.destroy();
      log.info("stopped; containers keep running and are adopted at the next start");
    },
  };
}
