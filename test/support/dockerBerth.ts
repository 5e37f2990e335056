import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECSClient } from "@aws-sdk/client-ecs";
import type Docker from "dockerode";
import { type BerthProcess, spawnBerth } from "./cli.ts";
import { removeContainersLabelled } from "./docker.ts";

/** The label by which an end-to-end suite finds (and removes) its own containers: its task family. */
export const FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";

/** The short timings end-to-end suites run with: frequent heartbeats, a sweep every second, near-zero back-off. */
export const QUICK_TIMINGS = {
  ECS_CONTAINER_STOP_TIMEOUT: "1s",
  BERTH_HEARTBEAT_SECONDS: "1",
  BERTH_AGENT_HEARTBEAT_SECONDS: "2",
  BERTH_SERVICE_SWEEP_SECONDS: "1",
  BERTH_SERVICE_START_BACKOFF_SECONDS: "0.01",
};

export interface DockerBerth {
  berth: BerthProcess;
  ecs: ECSClient;
  /** Stops berth, then removes the suite's containers (those of `family`) and its data dir. */
  stop(): Promise<void>;
}

/** `berth local` with its local agent on this machine's Docker, and an ECS client signed with its key. */
export async function dockerBerth(docker: Docker, family: string, timings = QUICK_TIMINGS): Promise<DockerBerth> {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-e2e-"));
  const berth = await spawnBerth(dataDir, timings, { agent: true });
  const ecs = new ECSClient({
    endpoint: berth.url,
    region: berth.region,
    credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
  });
  return {
    berth,
    ecs,
    async stop() {
      await berth.stop();
      ecs.destroy();
      await removeContainersLabelled(docker, FAMILY_LABEL, family);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
