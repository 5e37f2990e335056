import type { ControlPlane } from "./controlPlane.ts";
import type { TaskEngine } from "./engine/types.ts";
import { createHostSampler } from "./hostMetrics.ts";
import { isRevoked } from "./join.ts";
import { describeError, type Logger } from "./log.ts";

/**
 * Heartbeats: every few seconds the agent tells the control plane it is alive, with the host's
 * CPU and memory use and each task's from Docker stats; the control plane marks the instance
 * disconnected (and places nothing on it) after missed beats. It answers the interval it
 * expects; the agent beats at that interval or its own BERTH_HEARTBEAT_SECONDS, whichever is
 * shorter. It also answers the digest of the tasks placed here (core/model/desiredDigest.ts),
 * handed to `onDesiredDigest`: the agent syncs when it is not the one its last sync read. An
 * instance the control plane no longer knows (deregistered, or a wiped store) is registered again.
 */
export interface HeartbeatDeps {
  cp: ControlPlane;
  cluster: string;
  intervalSeconds: number;
  engine: Pick<TaskEngine, "utilization">;
  log: Logger;
  containerInstanceArn(): string;
  onUnknownInstance(): Promise<void>;
  /** `sentAt`: when the beat was sent (performance.now()). */
  onDesiredDigest(digest: string, sentAt: number): void;
  /** A beat went through: the control plane is reachable. */
  onAccepted?(): void;
}

interface HeartbeatResponse {
  heartbeatIntervalSeconds?: number;
  /** Absent from an older Berth. */
  desiredTasksDigest?: string;
}

export function startHeartbeats(deps: HeartbeatDeps): { beat(): Promise<void>; close(): void } {
  const sample = createHostSampler();
  let interval = deps.intervalSeconds;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let unsupportedLogged = false;

  async function beat() {
    try {
      const tasks = await deps.engine.utilization().catch((error) => {
        deps.log.debug(`task utilization unavailable (${describeError(error)})`);
        return [];
      });
      const sentAt = performance.now();
      const response = await deps.cp.berth<HeartbeatResponse>("Heartbeat", {
        cluster: deps.cluster,
        containerInstance: deps.containerInstanceArn(),
        utilization: { ...sample(), tasks },
      });
      const expected = response.heartbeatIntervalSeconds;
      if (expected && expected > 0) interval = Math.min(deps.intervalSeconds, expected);
      if (typeof response.desiredTasksDigest === "string") deps.onDesiredDigest(response.desiredTasksDigest, sentAt);
      deps.onAccepted?.();
    } catch (error) {
      // A beat still under way when the agent was closed fails with the control plane gone: no news.
      if (closed) return;
      const name = (error as Error).name;
      // Unknown, or (with credentials of its own) deregistered and so refused: join again.
      if (name === "InvalidParameterException" || isRevoked(error)) {
        deps.log.warn(
          `the control plane does not know ${deps.containerInstanceArn()} (${describeError(error)}); registering again.`,
        );
        await deps
          .onUnknownInstance()
          .catch((e) =>
            deps.log.error(`registering again failed (${describeError(e)}); retrying at the next heartbeat.`),
          );
      } else if (name === "UnknownOperationException") {
        if (!unsupportedLogged)
          deps.log.info("the control plane does not take heartbeats (an older Berth); carrying on without.");
        unsupportedLogged = true;
      } else {
        deps.log.warn(
          `heartbeat failed (${describeError(error)}); is the control plane at BERTH_ENDPOINT reachable? Retrying in ${interval} s.`,
        );
      }
    }
  }

  const schedule = () => {
    if (!closed) timer = setTimeout(() => void beat().finally(schedule), interval * 1000);
  };
  schedule();
  return {
    beat,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
