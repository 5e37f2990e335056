import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { testStoreEnv } from "./testStore.ts";

const BIN = fileURLToPath(new URL("../../bin/berth.mjs", import.meta.url));

/** A `berth` command running as a child process. */
export interface CliProcess {
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** Sends a signal and waits for the process to end; resolves to its exit code or signal. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface BerthProcess extends CliProcess {
  /** The endpoint the CLI printed (with the real port when started with --port 0). */
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/**
 * `berth ARGS` as a child process, with BERTH_* and ECS_* variables of the calling environment
 * left out unless given in `env`; resolves with what `ready` matched in its output once it printed
 * that, and fails with the output if it exits first or takes longer than 30 s.
 */
const spawnCli = (args: string[], env: Record<string, string>, ready: RegExp) =>
  spawnNodeScript([BIN, ...args], env, ready, `berth ${args[0]}`);

/** `node ARGV` as a child process, as spawnCli (above) runs `berth`: `what` names it in errors. */
export const spawnNodeScript = (argv: string[], env: Record<string, string>, ready: RegExp, what: string) =>
  spawnUntilReady([process.execPath, ...argv], env, ready, what);

export interface SpawnOptions {
  /** How long it may take to print `ready` (30 s unless told). */
  readyWithinMs?: number;
  /**
   * In a process group of its own, which stop() signals as a whole: for a command whose work is
   * done by processes it starts (a machine and everything running on it).
   */
  group?: boolean;
}

/**
 * COMMAND as a child process, with BERTH_* and ECS_* variables of the calling environment left
 * out unless given in `env`; resolves with what `ready` matched in its output once it printed
 * that, and fails with the output if it exits first or takes too long.
 */
export async function spawnUntilReady(
  [command, ...args]: string[],
  env: Record<string, string>,
  ready: RegExp,
  what: string,
  options: SpawnOptions = {},
): Promise<CliProcess & { match: RegExpExecArray }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BERTH|ECS)_/.test(k)));
  const child = spawn(command, args, {
    env: { ...inherited, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.group,
  });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const exited = once(child, "exit").then(([code, signal]) => (code ?? signal) as number | string);
  const signal = (name: NodeJS.Signals) =>
    options.group && child.pid !== undefined ? process.kill(-child.pid, name) : child.kill(name);

  const within = options.readyWithinMs ?? 30_000;
  const deadline = Date.now() + within;
  let match = ready.exec(output);
  while (!match) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      signal("SIGKILL");
      throw new Error(`${what} was not ready within ${within / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
    match = ready.exec(output);
  }
  return {
    child,
    match,
    output: () => output,
    async stop(name = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) signal(name);
      return exited;
    },
  };
}

/**
 * `berth local --port 0 --data-dir DIR --no-agent` as a child process, the way a user starts it.
 * With `agent: true`, without --no-agent: the local agent runs tasks on Docker. On the test
 * project's store (`testStoreEnv`: DynamoDB Local in the `dynamodb` project). Resolves once the
 * CLI has printed its endpoint and credentials.
 */
export async function spawnBerth(
  dataDir: string,
  env: Record<string, string> = {},
  options: { agent?: boolean } = {},
): Promise<BerthProcess> {
  const args = ["local", "--port", "0", "--data-dir", dataDir, ...(options.agent ? [] : ["--no-agent"])];
  const ready =
    /listening on (http:\/\/\S+)[\s\S]*AWS_ACCESS_KEY_ID=(\S+)\s+export AWS_SECRET_ACCESS_KEY=(\S+)\s+export AWS_DEFAULT_REGION=(\S+)/;
  const settings = { ...testStoreEnv(dataDir), ...env };
  const { match, ...cli } = await spawnCli(args, settings, ready);
  // A suite of the `dynamodb` project must not pass by running on SQLite after all.
  if (
    settings.BERTH_STORE === "dynamodb" &&
    !cli.output().includes(`store:       DynamoDB table ${settings.BERTH_TABLE}`)
  ) {
    await cli.stop();
    throw new Error(`berth local did not start on DynamoDB table ${settings.BERTH_TABLE}:\n${cli.output()}`);
  }
  const [, url, accessKeyId, secretAccessKey, region] = match;
  return { ...cli, url, accessKeyId, secretAccessKey, region };
}

export interface AgentProcess extends CliProcess {
  containerInstanceArn: string;
}

/**
 * `berth agent` as a child process, as on a host: against `controlPlane`'s endpoint with its key,
 * no config file, its state in `dataDir`, plus the agent settings in `env` (ECS_CLUSTER, …).
 * Resolves once it printed the container instance it registered as. With `bundle`: that script
 * (infra/agentBundle.ts's build, what hosts run) instead of the CLI, with the same settings, run
 * with its Node flags (infra/userData.ts's, as hosts run it).
 */
export async function spawnAgent(
  controlPlane: { url: string; accessKeyId: string; secretAccessKey: string; region?: string },
  dataDir: string,
  env: Record<string, string> = {},
  bundle?: { file: string; nodeFlags?: string[] },
): Promise<AgentProcess> {
  const settings = {
    BERTH_ENDPOINT: controlPlane.url,
    BERTH_ACCESS_KEY_ID: controlPlane.accessKeyId,
    BERTH_SECRET_ACCESS_KEY: controlPlane.secretAccessKey,
    BERTH_REGION: controlPlane.region ?? "us-east-1",
    ECS_CONFIG_FILE: "/dev/null",
    ECS_DATADIR: dataDir,
    ...env,
  };
  const registered = /registered as (\S+)/;
  const { match, ...cli } = bundle
    ? await spawnNodeScript([...(bundle.nodeFlags ?? []), bundle.file], settings, registered, "the agent bundle")
    : await spawnCli(["agent"], settings, registered);
  return { ...cli, containerInstanceArn: match[1] };
}
