import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/berth.mjs", import.meta.url));

export interface BerthProcess {
  child: ChildProcess;
  /** The endpoint the CLI printed (with the real port when started with --port 0). */
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** Sends a signal and waits for the process to end; resolves to its exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * `berth local --port 0 --data-dir DIR --no-agent` as a child process, the way a user starts it,
 * with BERTH_* and ECS_* variables of the calling environment left out unless given in `env`.
 * With `agent: true`, without --no-agent: the local agent runs tasks on Docker. Resolves once the
 * CLI has printed its endpoint and credentials.
 */
export async function spawnBerth(
  dataDir: string,
  env: Record<string, string> = {},
  options: { agent?: boolean } = {},
): Promise<BerthProcess> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BERTH|ECS)_/.test(k)));
  const args = [BIN, "local", "--port", "0", "--data-dir", dataDir, ...(options.agent ? [] : ["--no-agent"])];
  const child = spawn(process.execPath, args, {
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);

  const ready =
    /listening on (http:\/\/\S+)[\s\S]*AWS_ACCESS_KEY_ID=(\S+)\s+export AWS_SECRET_ACCESS_KEY=(\S+)\s+export AWS_DEFAULT_REGION=(\S+)/;
  const deadline = Date.now() + 30_000;
  let match = ready.exec(output);
  while (!match) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`berth exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`berth did not print its endpoint within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
    match = ready.exec(output);
  }
  const [, url, accessKeyId, secretAccessKey, region] = match;
  return {
    child,
    url,
    accessKeyId,
    secretAccessKey,
    region,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
