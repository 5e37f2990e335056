import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";

/**
 * AWS's DynamoDB Local (the jar shipped in the npm package amplify-dynamodb-simulator), run with
 * Java on a free port, in memory, for tests and benchmarks. `-sharedDb` makes every key and
 * region see the same tables, so the test's client and the server under test agree.
 */
export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** How a client reaches DynamoDB Local: any region, any key (a dummy one, so no AWS setup is needed). */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

const emulator = () =>
  join(dirname(createRequire(import.meta.url).resolve("amplify-dynamodb-simulator/package.json")), "emulator");

/** Why DynamoDB Local cannot run here, or undefined when it can. */
export function dynamoDbLocalMissing(): string | undefined {
  let jar: string;
  try {
    jar = join(emulator(), "DynamoDBLocal.jar");
  } catch {
    return "the npm package amplify-dynamodb-simulator is not installed";
  }
  if (!existsSync(jar)) return `${jar} is missing`;
  if (spawnSync("java", ["-version"], { stdio: "ignore" }).status !== 0) {
    return "java is not on PATH (Debian: apt-get install default-jre-headless)";
  }
  return undefined;
}

/**
 * For a test file: whether to run the DynamoDB cases. Without Java they are skipped with the
 * reason printed, except in CI (CI=true), where a skip would hide that they never ran.
 */
export function dynamoDbLocalAvailable(): boolean {
  const missing = dynamoDbLocalMissing();
  if (missing === undefined) return true;
  if (process.env.CI === "true") throw new Error(`DynamoDB Local cannot run in CI: ${missing}.`);
  console.warn(`Skipping the DynamoDB Local tests: ${missing}.`);
  return false;
}

const STARTUP_MS = 30_000;

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const dir = emulator();
  const port = await freePort();
  // DynamoDB Local writes a metadata file into its working directory: a temporary one.
  const cwd = mkdtempSync(join(tmpdir(), "dynamodb-local-"));
  const java = spawn(
    "java",
    [
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      join(dir, "DynamoDBLocal.jar"),
      "-inMemory",
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    { cwd, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  java.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  // Should this process end without stop() (a crash, an uncaught error), Java must not outlive it.
  const killOnExit = () => java.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    await kill(java);
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(endpoint, java);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { endpoint, stop };
}

async function waitUntilServing(endpoint: string, java: ChildProcess) {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  const deadline = Date.now() + STARTUP_MS;
  try {
    for (;;) {
      if (java.exitCode !== null) throw new Error(`java exited with ${java.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** A TCP port free on 127.0.0.1 now (for a server started in another process). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
