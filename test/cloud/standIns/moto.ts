import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { freePort } from "../../support/dynamodbLocal.ts";
import { until } from "../../support/poll.ts";

/**
 * moto's server (`moto_server`, moto 5.2.1 in this machine image's Python; PyPI is not reachable,
 * so nothing installs it): one process playing SQS, EventBridge, SSM, S3 and EC2 for the offline
 * cloud run, in memory, on a free port. Its account is the deployment's (MOTO_ACCOUNT_ID), so
 * the ARNs it makes are the graph's. It checks no signature and enforces no IAM.
 */
export interface Moto {
  endpoint: string;
  stop(): Promise<void>;
}

/** Why moto's server cannot run here, or undefined when it can. */
export function motoMissing(): string | undefined {
  const probe = spawnSync("python3", ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
  if (probe.status !== 0) return "python3 cannot import moto (it comes with the machine image's Python)";
  if (spawnSync("moto_server", ["--help"], { stdio: "ignore" }).status !== 0) return "moto_server is not on PATH";
  return undefined;
}

export async function startMoto(accountId: string): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, MOTO_ACCOUNT_ID: accountId },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    // Werkzeug logs every request on stderr: keep only the tail, for a failed start.
    stderr = (stderr + chunk).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  };
  try {
    await until(
      "moto_server to answer",
      async () => {
        if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
        return fetch(`${endpoint}/moto-api/`).then(
          (r) => r.ok,
          () => false,
        );
      },
      30_000,
      100,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}
