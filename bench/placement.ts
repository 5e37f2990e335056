/**
 * Placement benchmark: a local-mode control plane (`berth local`, its own process), driven through
 * its HTTP API with @aws-sdk/client-ecs as any client would. Registers container instances spread over three
 * availability zones, places tasks with RunTask (count 10, several calls in flight), then reads
 * them back with DescribeTasks (100 per call), and prints throughput and latency figures.
 *
 *   npm run bench:placement                       # 1,000 instances, 10,000 tasks
 *   npm run bench:placement -- --instances 100 --tasks 1000 --concurrency 4
 *   npm run bench:placement -- --store both      # SQLite, then DynamoDB Local, side by side
 *
 * It is a benchmark, not a test: it prints figures and fails only when the API does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  type PlacementStrategy,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { spawnBerth } from "../test/support/cli.ts";
import { startDynamoDbLocal } from "../test/support/dynamodbLocal.ts";
import { benchInstance, benchTaskDefinition } from "./benchFleet.ts";
import { profileWindow, summary } from "./cpuProfile.ts";
import { type DynamoCounter, perCall, startDynamoCounter } from "./dynamoCounter.ts";

const USAGE = `Usage: npm run bench:placement -- [--instances N] [--tasks N] [--concurrency N] [--strategy S]
                                        [--store sqlite|dynamodb|both] [--data-dir DIR] [--profile FILE]

  --instances    container instances to register (default 1000; 4096 CPU units, 16384 MiB each)
  --tasks        tasks to place, 10 per RunTask call (default 10000)
  --concurrency  API calls in flight (default 8)
  --strategy     RunTask placement strategies as type:field,... (default
                 spread:attribute:ecs.availability-zone,binpack:memory; e.g. binpack:cpu, random)
  --store        sqlite (default), dynamodb (AWS's DynamoDB Local, started with Java on a free
                 port, in memory) or both, one after the other, with the figures side by side
  --data-dir     where the SQLite store lives (default: a temp dir, removed afterwards)
  --profile      run the control plane with node --cpu-prof and write the RunTask phase's part of
                 its CPU profile to FILE (.cpuprofile; the store's name is added with --store
                 both), and print its top frames`;

const { values: flags } = parseArgs({
  options: {
    instances: { type: "string", default: "1000" },
    tasks: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "8" },
    strategy: { type: "string", default: "spread:attribute:ecs.availability-zone,binpack:memory" },
    store: { type: "string", default: "sqlite" },
    "data-dir": { type: "string" },
    profile: { type: "string" },
    help: { type: "boolean" },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = (name: "instances" | "tasks" | "concurrency") => {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer.\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const INSTANCES = count("instances");
const TASKS = count("tasks");
const CONCURRENCY = count("concurrency");
const PER_CALL = 10;
const DESCRIBE_BATCH = 100;
/** Tasks per DescribeTasks call of the client that reads during placement. */
const DESCRIBE_UNDER_LOAD = 10;
/** `type:field,...` as in `--placement-strategy` of the CLI, e.g. spread:instanceId or random. */
const STRATEGY: PlacementStrategy[] = (flags.strategy as string).split(",").map((part) => {
  const [type, ...field] = part.split(":");
  return (field.length ? { type, field: field.join(":") } : { type }) as PlacementStrategy;
});

/** The control plane's CPU time so far (user + system), ms; set once it runs. */
let controlPlane: () => number = () => 0;
/** The RunTask phase's start and end, µs on the monotonic clock (a CPU profile's time base). */
let placementWindow: [number, number] | undefined;

const STORES = { sqlite: "SQLite", dynamodb: "DynamoDB Local" } as const;
type StoreName = keyof typeof STORES;
const storeFlag = flags.store as string;
if (storeFlag !== "both" && !(storeFlag in STORES)) {
  console.error(`--store must be sqlite, dynamodb or both.\n\n${USAGE}`);
  process.exit(2);
}
const stores = (storeFlag === "both" ? Object.keys(STORES) : [storeFlag]) as StoreName[];

console.log(
  `Berth placement benchmark: ${INSTANCES} instances, ${TASKS} tasks (RunTask count ${PER_CALL}), ` +
    `${CONCURRENCY} calls in flight\n  node ${process.version}, ${availableParallelism()} CPUs`,
);
const dynamodb = stores.includes("dynamodb") ? await startDynamoDbLocal() : undefined;
// Between Berth and DynamoDB Local: counts round trips and capacity units.
const dynamoCounter = dynamodb ? await startDynamoCounter(dynamodb.endpoint) : undefined;
const results = new Map<StoreName, Figures>();
try {
  for (const store of stores) {
    console.log(`\n== ${STORES[store]} ==`);
    results.set(store, await runOn(store));
  }
} catch (error) {
  const e = error as Error;
  console.error(`bench: ${e.name}: ${e.message}`);
  process.exitCode = 1;
} finally {
  await dynamoCounter?.close();
  await dynamodb?.stop();
}
if (results.size > 1) printSideBySide(results);

/** Where the RunTask phase's CPU profile goes on this store, if one was asked for. */
function profileFile(store: StoreName): string | undefined {
  const path = flags.profile;
  if (!path || stores.length === 1) return path;
  return path.replace(/(\.cpuprofile)?$/, `.${store}$1`);
}

/** What one run measured, per phase: items per second and call latencies. */
type Figures = Map<string, { rate: number; unit: string; p50: number; p99: number; cpu?: number }>;

/** The whole benchmark against a local control plane on one store. */
async function runOn(store: StoreName): Promise<Figures> {
  const dataDir = flags["data-dir"] ?? mkdtempSync(join(tmpdir(), "berth-bench-"));
  // No agent beats for the instances registered here: a day-long heartbeat interval keeps them
  // connected (eligible for placement) for the whole run.
  // Throttling off (buckets far beyond any rate this machine reaches): the run measures placement.
  const env: Record<string, string> = {
    BERTH_AGENT_HEARTBEAT_SECONDS: "86400",
    BERTH_THROTTLE: "read=1000000000/1000000000,mutate=1000000000/1000000000,agent=1000000000/1000000000",
  };
  const counter: DynamoCounter | undefined = store === "dynamodb" ? dynamoCounter : undefined;
  if (counter) {
    Object.assign(env, { BERTH_STORE: "dynamodb", BERTH_DYNAMODB_ENDPOINT: counter.endpoint });
    env.BERTH_TABLE = `berth-bench-${Date.now()}`;
  }
  const profileDir = profileFile(store) && mkdtempSync(join(tmpdir(), "berth-bench-profile-"));
  if (profileDir) env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --cpu-prof --cpu-prof-dir=${profileDir}`;
  const berth = await spawnBerth(dataDir, env);
  const pid = berth.child.pid as number;
  controlPlane = () => cpuOfProcess(pid);
  console.log(`  store: ${/store: +(.*)/.exec(berth.output())?.[1] ?? "?"}, control plane pid ${pid}\n`);
  const ecs = new ECSClient({
    endpoint: berth.url,
    region: "us-east-1",
    credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    // The SDK's default retries stay on, as for any client: a RunTask that loses a race for an
    // instance too often answers a retryable ServerException. Retried calls are counted below.
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 1 }) },
  });
  const figures: Figures = new Map();
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: "bench" }));
    await ecs.send(new RegisterTaskDefinitionCommand(benchTaskDefinition));

    const registration = await timed(INSTANCES, CONCURRENCY, async (i) => {
      await ecs.send(new RegisterContainerInstanceCommand(benchInstance(i)));
    });
    report(figures, "RegisterContainerInstance", registration, INSTANCES, "instances");

    const taskArns: string[] = [];
    const failures = new Map<string, number>();
    let retried = 0;
    const calls = Math.ceil(TASKS / PER_CALL);
    // Beside the RunTask calls, one client reads back 10 of the tasks placed so far at a time,
    // one call in flight, until placement is done: DescribeTasks latency under that load.
    let placing = true;
    const duringPlacement: number[] = [];
    const describer = (async () => {
      while (placing) {
        if (taskArns.length < DESCRIBE_UNDER_LOAD) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        const from = Math.floor(Math.random() * (taskArns.length - DESCRIBE_UNDER_LOAD + 1));
        const t0 = performance.now();
        await ecs.send(
          new DescribeTasksCommand({ cluster: "bench", tasks: taskArns.slice(from, from + DESCRIBE_UNDER_LOAD) }),
        );
        duringPlacement.push(performance.now() - t0);
      }
    })();
    const countedBefore = counter?.counts();
    const placement = await timed(calls, CONCURRENCY, async (i) => {
      const {
        tasks = [],
        failures: failed = [],
        $metadata,
      } = await ecs.send(
        new RunTaskCommand({
          cluster: "bench",
          taskDefinition: "bench:1",
          count: Math.min(PER_CALL, TASKS - i * PER_CALL),
          placementStrategy: STRATEGY,
          startedBy: "bench",
        }),
      );
      if (($metadata.attempts ?? 1) > 1) retried++;
      for (const task of tasks) taskArns.push(task.taskArn as string);
      for (const f of failed) failures.set(f.reason ?? "?", (failures.get(f.reason ?? "?") ?? 0) + 1);
    });
    placementWindow = placement.window;
    const countedAfter = counter?.counts();
    placing = false;
    await describer;
    report(figures, "RunTask", placement, taskArns.length, "tasks placed");
    if (countedBefore && countedAfter) {
      // Everything the process asked of DynamoDB meanwhile: the DescribeTasks beside it (≈ one
      // BatchGetItem per call) and local mode's change feed (a GetItem per instance a commit
      // changed, in place of the DynamoDB stream AWS runs) included.
      console.log(`  per RunTask call: ${perCall(countedBefore, countedAfter, placement.latencies.length)}`);
      console.log(`  (the ${duringPlacement.length} DescribeTasks calls beside them included)`);
    }
    report(
      figures,
      `DescribeTasks (${DESCRIBE_UNDER_LOAD} per call, during RunTask)`,
      { elapsed: placement.elapsed, latencies: duringPlacement },
      duringPlacement.length * DESCRIBE_UNDER_LOAD,
      "tasks described",
    );
    if (retried > 0) console.log(`  ${retried} RunTask calls were retried by the SDK`);
    if (failures.size > 0) console.log(`  failures: ${[...failures].map(([r, n]) => `${r} ×${n}`).join(", ")}`);
    console.log(`  strategy: ${STRATEGY.map((s) => (s.field ? `${s.type}(${s.field})` : s.type)).join(" then ")}`);

    const batches = Math.ceil(taskArns.length / DESCRIBE_BATCH);
    let described = 0;
    const describe = await timed(batches, CONCURRENCY, async (i) => {
      const batch = taskArns.slice(i * DESCRIBE_BATCH, (i + 1) * DESCRIBE_BATCH);
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: "bench", tasks: batch }));
      described += tasks.length;
    });
    report(figures, `DescribeTasks (${DESCRIBE_BATCH} per call)`, describe, described, "tasks described");
  } finally {
    ecs.destroy();
    await berth.stop();
    if (!flags["data-dir"]) rmSync(dataDir, { recursive: true, force: true });
  }
  if (profileDir) {
    // node --cpu-prof writes the whole run's profile as the process exits: the RunTask phase's
    // samples are cut out of it by time (both processes read the same monotonic clock).
    const written = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
    const path = profileFile(store) as string;
    if (!written || !placementWindow) console.log("  no CPU profile was written");
    else {
      const profile = profileWindow(JSON.parse(readFileSync(join(profileDir, written), "utf8")), placementWindow);
      writeFileSync(path, JSON.stringify(profile));
      console.log(`  CPU profile of the control plane during RunTask: ${path}\n${summary(profile)}`);
    }
    rmSync(profileDir, { recursive: true, force: true });
  }
  return figures;
}

/** CPU time (user + system) a process has used so far, ms, from Linux's /proc (clock ticks of 10 ms). */
function cpuOfProcess(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command's name (which may hold spaces), in parentheses: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Timing {
  /** Wall-clock time of the whole phase, ms. */
  elapsed: number;
  /** Latency of each call, ms. */
  latencies: number[];
  /**
   * CPU time the control plane's process and this one (the client) spent in the phase, ms: on a
   * shared machine it moves far less than wall-clock time with what else runs.
   */
  cpu?: { server: number; client: number };
  /** Start and end of the phase, µs on the monotonic clock. */
  window?: [number, number];
}

/** Runs `n` calls with `concurrency` in flight, timing each one and the whole. */
async function timed(n: number, concurrency: number, call: (i: number) => Promise<void>): Promise<Timing> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const from = Number(process.hrtime.bigint() / 1000n);
  const cpu = process.cpuUsage();
  const serverFrom = controlPlane();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      await call(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const { user, system } = process.cpuUsage(cpu);
  return {
    elapsed: performance.now() - started,
    latencies,
    cpu: { server: controlPlane() - serverFrom, client: (user + system) / 1000 },
    window: [from, Number(process.hrtime.bigint() / 1000n)],
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(figures: Figures, what: string, t: Timing, items: number, unit: string) {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  const rate = items / (t.elapsed / 1000);
  const cpu = t.cpu && t.cpu.server / sorted.length;
  figures.set(what, { rate, unit, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpu });
  console.log(
    `${what}: ${items} ${unit} in ${(t.elapsed / 1000).toFixed(2)} s = ${rate.toFixed(0)} ${unit}/s` +
      `\n  ${sorted.length} calls, latency p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, ` +
      `max ${ms(sorted[sorted.length - 1] ?? Number.NaN)}` +
      (t.cpu === undefined
        ? ""
        : `\n  CPU a call: control plane ${ms(t.cpu.server / sorted.length)}, client ${ms(t.cpu.client / sorted.length)}`),
  );
}

function ms(v: number) {
  return `${v.toFixed(1)} ms`;
}

/** One line per phase, each store's figures side by side. */
function printSideBySide(results: Map<StoreName, Figures>) {
  const phases = [...(results.values().next().value ?? new Map()).keys()];
  const cell = (f: Figures, phase: string) => {
    const x = f.get(phase);
    if (!x) return "-";
    return `${x.rate.toFixed(0)}/s, p50 ${ms(x.p50)}, p99 ${ms(x.p99)}${x.cpu === undefined ? "" : `, CPU ${ms(x.cpu)}`}`;
  };
  const rows = [
    ["", ...[...results.keys()].map((store) => STORES[store])],
    ...phases.map((phase) => [phase, ...[...results.values()].map((f) => cell(f, phase))]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log("\n== side by side ==");
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i])).join("  |  "));
}
