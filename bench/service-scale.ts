/**
 * Service scale-up benchmark: how long a service takes to go from 0 to N RUNNING tasks on this
 * machine's Docker engine, for Berth (`berth local` in this process with its local agent), for
 * Docker Swarm mode (`docker service create --replicas N`) and for N bare `docker run -d` (the
 * floor), one after another in the same run, each on an engine cleaned of the others' containers.
 *
 *   npm run bench:service-scale                    # 50 tasks, the floor 8 `docker run` at a time
 *   npm run bench:service-scale -- --tasks 20 --parallel 4
 *   npm run bench:service-scale -- --profile scale.cpuprofile   # a CPU profile of Berth's run
 *   npm run bench:service-scale -- --berth-only                 # Berth alone, no ratios (while tuning)
 *
 * Every contender runs `sleep 3600` in berth-test/busybox:latest with a 16 MiB memory limit.
 * Berth's clock runs from CreateService (desired count N) until DescribeServices, polled every
 * 100 ms, says N RUNNING; Swarm's from `docker service create` until `docker service ls` says
 * N/N; the floor's until the last `docker run -d` returned (each returns once its container
 * started). Swarm mode is initialised on 127.0.0.1 if it is not active, and left again after.
 */

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { createLogger } from "../agent/log.ts";
import { createDockerRuntime } from "../agent/runtime/docker.ts";
import { startLocalAgent } from "../local/agent.ts";
import { LOCAL_CLUSTER, localOptions } from "../local/config.ts";
import { startLocal } from "../local/server.ts";
import { dockerUnavailable, removeContainersLabelled, TEST_IMAGE } from "../test/support/docker.ts";
import { profiled } from "./cpuProfile.ts";
import { taskTimeline } from "./taskTimeline.ts";

const { values: flags } = parseArgs({
  options: {
    tasks: { type: "string", default: "50" },
    parallel: { type: "string", default: "8" },
    profile: { type: "string" },
    "berth-only": { type: "boolean", default: false },
  },
});
const TASKS = Number(flags.tasks);
const PARALLEL = Number(flags.parallel);
const MEMORY_MIB = 16;
const COMMAND = ["sleep", "3600"];
const POLL_MS = 100;
const TIMEOUT_MS = 5 * 60_000;
/** Unique per run, on every container this run makes (Berth's through its task family), for the clean-up. */
const TAG = `berth-bench-scale-${process.pid}`;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
if (unavailable) {
  console.error(`bench:service-scale needs Docker: ${unavailable}.`);
  process.exit(1);
}

/** Calls `done` every POLL_MS until it is true; returns the milliseconds since `started`. */
async function timeUntil(what: string, started: number, done: () => Promise<boolean>): Promise<number> {
  while (!(await done())) {
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`${what}: not done after ${TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
  return performance.now() - started;
}

/** N `docker run -d`, PARALLEL at a time. */
async function floor(): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < TASKS) {
      next++;
      await run("docker", [
        "run",
        "-d",
        "--label",
        `berth-bench=${TAG}`,
        "--memory",
        `${MEMORY_MIB}m`,
        TEST_IMAGE,
        ...COMMAND,
      ]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, TASKS) }, worker));
  const elapsed = performance.now() - started;
  await removeContainersLabelled(docker, "berth-bench", TAG);
  return elapsed;
}

/**
 * The time to N RUNNING, and to N placed (PENDING or RUNNING), which is the control plane's share,
 * and where each task's time went in between.
 */
async function berth(): Promise<{ ms: number; placed: number; timeline: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-bench-scale-"));
  const options = localOptions({ port: "0", "data-dir": dataDir }, {});
  const local = await startLocal(options);
  const trace = taskTimeline(createDockerRuntime(), createLogger("warn"));
  const { agent, status } = await startLocalAgent(
    local,
    options,
    { ECS_LOGLEVEL: "warn", ECS_CONTAINER_STOP_TIMEOUT: "1s" },
    { runtime: trace.runtime, log: trace.log },
  );
  const ecs = new ECSClient({ endpoint: local.url, region: options.partition.region, credentials: local.credentials });
  try {
    if (!agent) throw new Error(`the local agent did not start: ${status}`);
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: LOCAL_CLUSTER,
        containerInstances: [agent.containerInstanceArn],
      }),
    );
    const room = containerInstances?.[0].remainingResources?.find((r) => r.name === "MEMORY")?.integerValue ?? 0;
    if (room < TASKS * MEMORY_MIB) throw new Error(`the local instance has ${room} MiB, not ${TASKS} × ${MEMORY_MIB}`);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: TAG,
        containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: MEMORY_MIB, command: COMMAND }],
      }),
    );
    const started = performance.now();
    trace.begin();
    await ecs.send(
      new CreateServiceCommand({ cluster: LOCAL_CLUSTER, serviceName: TAG, taskDefinition: TAG, desiredCount: TASKS }),
    );
    let placed = Number.NaN;
    const ms = await profiled(flags.profile, () =>
      timeUntil("Berth's service", started, async () => {
        const { services } = await ecs.send(new DescribeServicesCommand({ cluster: LOCAL_CLUSTER, services: [TAG] }));
        const { runningCount = 0, pendingCount = 0 } = services?.[0] ?? {};
        if (Number.isNaN(placed) && runningCount + pendingCount === TASKS) placed = performance.now() - started;
        return runningCount === TASKS;
      }),
    );
    return { ms, placed, timeline: trace.summary() };
  } finally {
    // The containers outlive the agent by design: remove them by their family's label.
    await agent?.close();
    ecs.destroy();
    await local.close();
    await removeContainersLabelled(docker, "com.amazonaws.ecs.task-definition-family", TAG);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function swarm(): Promise<number> {
  const { stdout: state } = await run("docker", ["info", "--format", "{{.Swarm.LocalNodeState}}"]);
  const initialised = state.trim() === "inactive";
  if (initialised) await run("docker", ["swarm", "init", "--advertise-addr", "127.0.0.1"]);
  try {
    const started = performance.now();
    // --no-resolve-image: the image is local only; Swarm would otherwise ask a registry for its digest.
    await run("docker", [
      ...["service", "create", "--name", TAG, "--replicas", String(TASKS), "--detach", "--no-resolve-image"],
      ...["--limit-memory", `${MEMORY_MIB}M`, TEST_IMAGE, ...COMMAND],
    ]);
    return await timeUntil("the Swarm service", started, async () => {
      const { stdout } = await run("docker", ["service", "ls", "--filter", `name=${TAG}`, "--format", "{{.Replicas}}"]);
      return stdout.trim().startsWith(`${TASKS}/${TASKS}`);
    });
  } finally {
    await run("docker", ["service", "rm", TAG]).catch(() => {});
    // Swarm removes the service's containers in the background: wait for them, then leave.
    const label = `com.docker.swarm.service.name=${TAG}`;
    await timeUntil("removing the Swarm service's containers", performance.now(), async () => {
      return (await docker.listContainers({ all: true, filters: { label: [label] } })).length === 0;
    }).catch((error) => console.error(error.message));
    if (initialised) await run("docker", ["swarm", "leave", "--force"]);
  }
}

const { stdout: version } = await run("docker", ["version", "--format", "{{.Server.Version}}"]);
const floorMs = flags["berth-only"] ? Number.NaN : await floor();
const { ms: berthMs, placed, timeline } = await berth();
const swarmMs = flags["berth-only"] ? Number.NaN : await swarm();
const row = (what: string, ms: number, ratio = "") =>
  `  ${what.padEnd(52)}${`${(ms / 1000).toFixed(2)} s`.padStart(9)}   ${ratio}`;
console.log(
  [
    `Service scale-up: 0 → ${TASKS} RUNNING, ${TEST_IMAGE} ${COMMAND.join(" ")}, ${MEMORY_MIB} MiB each, Docker ${version.trim()}`,
    row("Berth service (berth local + its agent)", berthMs, `${(berthMs / floorMs).toFixed(2)} × the floor`),
    row("  of which: until all placed (PENDING)", placed),
    "    per task, seconds since CreateService:",
    ...timeline,
    row("Docker Swarm mode (docker service create)", swarmMs, `${(swarmMs / floorMs).toFixed(2)} × the floor`),
    row(`docker run -d × ${TASKS}, ${PARALLEL} at a time (the floor)`, floorMs),
    `  Berth / Swarm: ${(berthMs / swarmMs).toFixed(2)}`,
  ].join("\n"),
);
