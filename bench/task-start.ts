/**
 * Task start benchmark: how long from RunTask to RUNNING with Berth's agent on this machine's
 * Docker, against the floor of a bare `docker run -d` of the same image in the same run, plus the
 * agent's idle footprint. The control plane runs in this process; the agent runs as its own
 * process, as on a host, from the bundle hosts download (infra/agentBundle.ts), so its memory
 * and CPU are its own and its code is what a host runs.
 *
 *   npm run bench:task-start                       # 50 tasks, 15 s idle sample
 *   npm run bench:task-start -- --tasks 20 --idle-seconds 5
 *
 * Tasks are started one after another (latency, not throughput). RUNNING is seen two ways: by
 * DescribeTasks polled every 50 ms, and by the task's own startedAt − createdAt (stamped by the
 * control plane when RunTask placed it and when the agent's RUNNING report arrived, so no
 * polling error).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { bundleAgent } from "../infra/agentBundle.ts";
import { AGENT_NODE_FLAGS } from "../infra/userData.ts";
import { localOptions } from "../local/config.ts";
import { startLocal } from "../local/server.ts";
import { type AgentProcess, spawnAgent } from "../test/support/cli.ts";
import { dockerUnavailable, removeTaskContainers, TEST_IMAGE } from "../test/support/docker.ts";
import { percentile } from "./stats.ts";

const { values: flags } = parseArgs({
  options: {
    tasks: { type: "string", default: "50" },
    "idle-seconds": { type: "string", default: "15" },
  },
});
const TASKS = Number(flags.tasks);
const IDLE_SECONDS = Number(flags["idle-seconds"]);
const POLL_MS = 50;
const CLUSTER = `bench-${process.pid}`;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
if (unavailable) {
  console.error(`bench:task-start needs Docker: ${unavailable}.`);
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), "berth-bench-start-"));
const local = await startLocal(localOptions({ port: "0", "data-dir": dataDir, "no-agent": true }, {}));
const ecs = new ECSClient({ endpoint: local.url, region: "us-east-1", credentials: local.credentials });
const taskArns: string[] = [];
const floorIds: string[] = [];
let agent: AgentProcess | undefined;

try {
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const bundle = bundleAgent(join(import.meta.dirname, ".."), join(dataDir, "bundle"));
  agent = await spawnAgent(
    { url: local.url, ...local.credentials },
    join(dataDir, "agent"),
    { ECS_CLUSTER: CLUSTER, ECS_LOGLEVEL: "warn", ECS_CONTAINER_STOP_TIMEOUT: "1s" },
    // As hosts run it (infra/userData.ts).
    { file: bundle.file, nodeFlags: AGENT_NODE_FLAGS },
  );

  // Idle first, with no task on the host: what the agent costs when it has nothing to do.
  const idle = await idleFootprint(agent.child.pid as number, IDLE_SECONDS);

  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "bench-start",
      containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: 16, command: ["sleep", "3600"] }],
    }),
  );
  const polled: number[] = [];
  const stamped: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    const started = performance.now();
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "bench-start" }));
    const taskArn = tasks?.[0]?.taskArn;
    if (!taskArn) throw new Error(`RunTask placed nothing: ${JSON.stringify(failures)}`);
    taskArns.push(taskArn);
    const task = await untilRunning(taskArn);
    polled.push(performance.now() - started);
    if (task.startedAt && task.createdAt) stamped.push(task.startedAt.getTime() - task.createdAt.getTime());
  }

  const floor: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    const started = performance.now();
    const { stdout } = await run("docker", ["run", "-d", "--label", "berth-bench=floor", TEST_IMAGE, "sleep", "3600"]);
    floor.push(performance.now() - started);
    floorIds.push(stdout.trim());
  }

  const { stdout: version } = await run("docker", ["version", "--format", "{{.Server.Version}}"]);
  const row = (what: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const ms = (v: number) => `${v.toFixed(0)} ms`.padStart(9);
    return `  ${what.padEnd(50)}${ms(percentile(sorted, 50))}${ms(percentile(sorted, 95))}${ms(sorted[sorted.length - 1])}`;
  };
  console.log(`Task start: ${TASKS} tasks one after another, ${TEST_IMAGE}, Docker ${version.trim()}
  ${"".padEnd(50)}   median      p95      max
${row(`RunTask → RUNNING (DescribeTasks every ${POLL_MS} ms)`, polled)}
${row("RunTask → RUNNING (task's startedAt − createdAt)", stamped)}
${row("docker run -d, same image (the floor)", floor)}
Agent idle (no tasks, ${IDLE_SECONDS} s): RSS ${idle.rssMiB.toFixed(0)} MiB, CPU ${idle.cpuPercent.toFixed(2)} % of one core`);
} finally {
  await agent?.stop();
  for (const arn of taskArns) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn })).catch(() => {});
  await removeTaskContainers(docker, taskArns);
  if (floorIds.length > 0) await run("docker", ["rm", "-f", ...floorIds]).catch(() => {});
  ecs.destroy();
  await local.close();
  rmSync(dataDir, { recursive: true, force: true });
}

async function untilRunning(taskArn: string): Promise<Task> {
  for (;;) {
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks?.[0];
    if (task?.lastStatus === "RUNNING") return task;
    if (task?.lastStatus === "STOPPED") throw new Error(`${taskArn} stopped: ${task.stoppedReason}`);
    await sleep(POLL_MS);
  }
}

/** The process's resident memory, and its CPU time over `seconds` as a share of one core (Linux /proc). */
async function idleFootprint(pid: number, seconds: number) {
  const ticks = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 per second)
  };
  const before = ticks();
  const started = performance.now();
  await sleep(seconds * 1000);
  const cpuSeconds = (ticks() - before) / 100;
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return { rssMiB: rssKiB / 1024, cpuPercent: (100 * cpuSeconds) / ((performance.now() - started) / 1000) };
}
