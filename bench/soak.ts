/**
 * Soak run: `berth local` as a child process (its memory measured alone), N agents in this
 * process on fake container runtimes speaking the real protocol (register, heartbeat, poll, state
 * changes, their SQS wake-ups), and API clients driving a mixed ECS workload at a target rate:
 * RunTask/StopTask churn, services scaled up and down and redeployed, Describe/List as a console
 * and a CI pipeline would. Prints the rate held, errors by type, p50/p99 per action, the control
 * plane's memory before and after, then lets the cluster settle and checks its invariants
 * (test/support/clusterInvariants.ts); exits 1 when one does not hold.
 *
 *   npm run bench:soak                                  # 500 requests/s for 60 s on SQLite
 *   npm run bench:soak -- --rate 200 --duration 20 --agents 10
 *   npm run bench:soak -- --store dynamodb              # DynamoDB Local, 100 requests/s
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { loadAgentConfig } from "../agent/config.ts";
import { createLogger } from "../agent/log.ts";
import { type RunningAgent, startAgent } from "../agent/main.ts";
import { FakeRuntime } from "../agent/runtime/fake.ts";
import { type BerthProcess, spawnBerth } from "../test/support/cli.ts";
import { settledCluster } from "../test/support/clusterInvariants.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "../test/support/dynamodbLocal.ts";
import { percentile } from "./stats.ts";

const USAGE = `Usage: npm run bench:soak -- [--rate N] [--duration S] [--agents N] [--services N]
                                   [--in-flight N] [--store sqlite|dynamodb]

  --rate       requests per second the clients aim at (default 500 on SQLite, 100 on DynamoDB Local)
  --duration   seconds of load (default 60)
  --agents     simulated agents, 2 CPUs and 4 GiB each (default 20)
  --services   services of 3 tasks each, scaled and redeployed during the run (default 4)
  --in-flight  most requests in flight at once (default 64)
  --store      sqlite (default) or dynamodb (AWS's DynamoDB Local, started with Java on a free port)`;

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string" },
    duration: { type: "string", default: "60" },
    agents: { type: "string", default: "20" },
    services: { type: "string", default: "4" },
    "in-flight": { type: "string", default: "64" },
    store: { type: "string", default: "sqlite" },
    help: { type: "boolean" },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
if (flags.store !== "sqlite" && flags.store !== "dynamodb") {
  console.error(`--store must be sqlite or dynamodb.\n\n${USAGE}`);
  process.exit(2);
}
const positive = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer.\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const RATE = positive("rate", flags.rate ?? (flags.store === "sqlite" ? "500" : "100"));
const DURATION_S = positive("duration", flags.duration as string);
const AGENTS = positive("agents", flags.agents as string);
const SERVICES = positive("services", flags.services as string);
const IN_FLIGHT = positive("in-flight", flags["in-flight"] as string);
const CLUSTER = "soak";
const IMAGE = "berth-soak/app:1";
/** How long the cluster may take to settle after the load (an agent sees a lost nudge's change at its next heartbeat). */
const SETTLE_MS = 120_000;

console.log(
  `Berth soak: ${RATE} requests/s for ${DURATION_S} s, ${AGENTS} agents, ${SERVICES} services, ` +
    `at most ${IN_FLIGHT} in flight, on ${flags.store === "sqlite" ? "SQLite" : "DynamoDB Local"}\n` +
    `  node ${process.version}, ${availableParallelism()} CPUs`,
);

const dataDir = mkdtempSync(join(tmpdir(), "berth-soak-"));
let dynamodb: DynamoDbLocal | undefined;
let berth: BerthProcess | undefined;
const agents: RunningAgent[] = [];
try {
  const env: Record<string, string> = {
    // Throttling off: the run measures the control plane, not the per-key buckets.
    BERTH_THROTTLE: "read=1000000000/1000000000,mutate=1000000000/1000000000,agent=1000000000/1000000000",
  };
  if (flags.store === "dynamodb") {
    dynamodb = await startDynamoDbLocal();
    Object.assign(env, {
      BERTH_STORE: "dynamodb",
      BERTH_DYNAMODB_ENDPOINT: dynamodb.endpoint,
      BERTH_TABLE: `berth-soak-${Date.now()}`,
    });
  }
  berth = await spawnBerth(dataDir, env);
  process.exitCode = await soak(berth);
} catch (error) {
  const e = error as Error;
  console.error(`soak: ${e.name}: ${e.message}`);
  process.exitCode = 1;
} finally {
  await Promise.all(agents.map((a) => a.close().catch(() => {})));
  await berth?.stop();
  await dynamodb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

async function soak(cp: BerthProcess): Promise<number> {
  const credentials = { accessKeyId: cp.accessKeyId, secretAccessKey: cp.secretAccessKey };
  // The SDK's default retries stay on, as for any client; what still fails is counted by type.
  const ecs = new ECSClient({
    endpoint: cp.url,
    region: cp.region,
    credentials,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: IN_FLIGHT }) },
  });
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const definition = (family: string, version: string) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [
          { name: "app", image: IMAGE, cpu: 64, memory: 64, environment: [{ name: "V", value: version }] },
        ],
      }),
    );
  await definition("soak-task", "1");
  const serviceRevisions = [
    (await definition("soak-svc", "1")).taskDefinition?.taskDefinitionArn as string,
    (await definition("soak-svc", "2")).taskDefinition?.taskDefinitionArn as string,
  ];

  const runtimes = new Map<string, FakeRuntime>();
  const agentLog = { warn: 0, error: 0, first: [] as string[] };
  for (let i = 0; i < AGENTS; i++) {
    const runtime = new FakeRuntime([IMAGE]);
    const config = loadAgentConfig({
      env: {
        ECS_CLUSTER: CLUSTER,
        ECS_DATADIR: join(dataDir, `agent-${i}`),
        ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "1m",
      },
      configFile: false,
      overrides: { endpoint: cp.url, credentials, region: cp.region },
    });
    const log = createLogger("warn", (line) => {
      const level = / (ERROR|CRIT) /.test(line) ? "error" : "warn";
      agentLog[level]++;
      if (agentLog.first.length < 5) agentLog.first.push(line.trim());
    });
    const agent = await startAgent(config, { runtime, log });
    agents.push(agent);
    runtimes.set(agent.containerInstanceArn, runtime);
  }
  const instanceArns = [...runtimes.keys()];
  const services = Array.from({ length: SERVICES }, (_, i) => `web-${i}`);
  for (const serviceName of services)
    await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName, taskDefinition: serviceRevisions[0], desiredCount: 3 }),
    );
  console.log(`  ${AGENTS} agents registered, ${SERVICES} services created\n`);

  const memoryBefore = treeRssMiB(cp.child.pid as number);
  const ours: string[] = [];
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];
  const sample = <T>(list: T[], n: number) => Array.from({ length: Math.min(n, list.length) }, () => pick(list));
  let updates = 0;

  /** The workload: each action with its weight (per 1,000 requests) and what it sends. */
  const actions: [string, number, () => Promise<unknown>][] = [
    [
      "RunTask",
      140,
      async () => {
        const { tasks } = await ecs.send(
          new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "soak-task", clientToken: randomUUID() }),
        );
        for (const t of tasks ?? []) ours.push(t.taskArn as string);
      },
    ],
    [
      "StopTask",
      130,
      async () => {
        const arn = ours.splice(Math.floor(Math.random() * ours.length), 1)[0];
        if (arn) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn, reason: "soak churn" }));
      },
    ],
    [
      "DescribeTasks",
      250,
      () => ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: ours.length ? sample(ours, 10) : ["none"] })),
    ],
    ["ListTasks", 150, () => ecs.send(new ListTasksCommand({ cluster: CLUSTER, maxResults: 100 }))],
    ["DescribeServices", 120, () => ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services }))],
    ["ListServices", 30, () => ecs.send(new ListServicesCommand({ cluster: CLUSTER }))],
    [
      "DescribeContainerInstances",
      80,
      () =>
        ecs.send(
          new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: sample(instanceArns, 10) }),
        ),
    ],
    ["ListContainerInstances", 30, () => ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))],
    ["DescribeClusters", 66, () => ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))],
    [
      // Scale a service up or down; every fourth update is a deployment to the other revision.
      "UpdateService",
      4,
      () => {
        const n = updates++;
        return ecs.send(
          new UpdateServiceCommand({
            cluster: CLUSTER,
            service: pick(services),
            desiredCount: 1 + Math.floor(Math.random() * 5),
            ...(n % 4 === 3 ? { taskDefinition: serviceRevisions[Math.floor(n / 4) % 2] } : {}),
          }),
        );
      },
    ],
  ];
  const totalWeight = actions.reduce((sum, [, w]) => sum + w, 0);
  const choose = () => {
    let r = Math.random() * totalWeight;
    for (const action of actions) {
      r -= action[1];
      if (r < 0) return action;
    }
    return actions[0];
  };

  const latencies = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let issued = 0;
  let skipped = 0;
  let inFlight = 0;
  const started = performance.now();
  const end = started + DURATION_S * 1000;
  const pending = new Set<Promise<void>>();
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE) - issued - skipped;
    for (let i = 0; i < due; i++) {
      // Open loop: a request that cannot go out because too many are in flight is not sent late.
      if (inFlight >= IN_FLIGHT) {
        skipped++;
        continue;
      }
      issued++;
      inFlight++;
      const [name, , send] = choose();
      const t0 = performance.now();
      const call: Promise<void> = send()
        .then(
          () => {
            const list = latencies.get(name) ?? [];
            list.push(performance.now() - t0);
            latencies.set(name, list);
          },
          (error: Error) => {
            const key = `${name}: ${error.name}`;
            errors.set(key, (errors.get(key) ?? 0) + 1);
          },
        )
        .finally(() => {
          inFlight--;
          pending.delete(call);
        });
      pending.add(call);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  const memoryAfterLoad = treeRssMiB(cp.child.pid as number);

  const answered = [...latencies.values()].reduce((sum, l) => sum + l.length, 0);
  const failed = [...errors.values()].reduce((sum, n) => sum + n, 0);
  console.log(
    `Achieved: ${Math.round(answered / elapsed)} answered requests/s (${answered} in ${elapsed.toFixed(1)} s), ` +
      `${issued} sent, ${skipped} not sent (${IN_FLIGHT} already in flight), ${failed} failed after the SDK's retries`,
  );
  console.log("\n  Action                       calls    p50 ms    p99 ms");
  for (const [name] of actions) {
    const sorted = (latencies.get(name) ?? []).sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(26)} ${String(sorted.length).padStart(7)} ${percentile(sorted, 50).toFixed(0).padStart(9)} ${percentile(sorted, 99).toFixed(0).padStart(9)}`,
    );
  }
  console.log(`\n  Errors by type: ${errors.size ? "" : "none"}`);
  for (const [key, n] of errors) console.log(`    ${key}: ${n}`);
  console.log(`  Agent log: ${agentLog.warn} warnings, ${agentLog.error} errors`);
  for (const line of agentLog.first) console.log(`    ${line}`);

  const settleStart = performance.now();
  const { snapshot, violations } = await settledCluster(ecs, CLUSTER, { runtimes, withinMs: SETTLE_MS });
  const settledIn = (performance.now() - settleStart) / 1000;
  const memoryAfter = treeRssMiB(cp.child.pid as number);
  console.log(
    `\n  Control plane memory (RSS): ${memoryBefore} MiB before, ${memoryAfterLoad} MiB after the load, ${memoryAfter} MiB settled`,
  );
  const live = snapshot.tasks.filter((t) => t.lastStatus !== "STOPPED").length;
  console.log(
    `  Cluster: ${snapshot.tasks.length} tasks (${live} live), ${snapshot.instances.length} instances, ` +
      `${snapshot.services.length} services; ${violations.length ? "NOT settled" : "settled"} in ${settledIn.toFixed(1)} s`,
  );
  if (violations.length) {
    console.log(`  Invariants violated (${violations.length}):`);
    for (const v of violations.slice(0, 20)) console.log(`    ${v}`);
    return 1;
  }
  console.log(
    "  Invariants hold: task state agrees between store and agents, no instance overbooked, no orphan reservation, every service at its desired count",
  );
  ecs.destroy();
  return 0;
}

/** Resident memory of a process and its descendants, in MiB (Linux /proc). */
function treeRssMiB(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  let kib = 0;
  const visit = (p: number) => {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
    } catch {}
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return Math.round(kib / 1024);
}
