import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECSClient } from "@aws-sdk/client-ecs";
import { localOptions } from "../../local/config.ts";
import { type RunningLocal, startLocal } from "../../local/server.ts";

export interface TestBerth extends RunningLocal {
  ecs: ECSClient;
  dataDir: string;
  /** Stop the server; the data dir is kept when `keepData` is set (restart tests). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** A real local-mode server on a free port, with an SDK client signed with its key. */
export async function startBerth(dataDir = mkdtempSync(join(tmpdir(), "berth-test-"))): Promise<TestBerth> {
  const local = await startLocal({ ...localOptions({ port: "0", "data-dir": dataDir, "no-agent": true }, {}) });
  const ecs = new ECSClient({
    endpoint: local.url,
    region: "us-east-1",
    credentials: { accessKeyId: local.credentials.accessKeyId, secretAccessKey: local.credentials.secretAccessKey },
    maxAttempts: 1,
  });
  return {
    ...local,
    ecs,
    dataDir,
    async stop(options) {
      ecs.destroy();
      await local.close();
      if (!options?.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
