/**
 * The soak workload (bench/soak.ts prints it; test/faults/soak.test.ts runs it at CI's size):
 * N agents in this process on fake container runtimes speaking the real protocol (register,
 * heartbeat, poll, state changes, their SQS wake-ups) against a `berth local` process, and API
 * clients driving a mixed ECS workload at a target rate: RunTask/StopTask churn, services scaled
 * up and down and redeployed, Describe/List as a console and a CI pipeline would. Then the cluster
 * is left to settle and its invariants are checked (clusterInvariants.ts).
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
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
import { loadAgentConfig } from "../../agent/config.ts";
import { createLogger } from "../../agent/log.ts";
import { type RunningAgent, startAgent } from "../../agent/main.ts";
import { FakeRuntime } from "../../agent/runtime/fake.ts";
import type { BerthProcess } from "./cli.ts";
import { type ClusterSnapshot, settledCluster } from "./clusterInvariants.ts";

export interface SoakOptions {
  /** Requests per second the clients aim at. */
  rate: number;
  durationS: number;
  /** Simulated agents, 2 CPUs and 4 GiB each. */
  agents: number;
  /** Services of 3 tasks each, scaled and redeployed during the run. */
  services: number;
  /** UpdateService's share of the requests, per 1,000 (4 when absent: a few a second at 500/s). */
  serviceUpdateWeight?: number;
  /** Most requests in flight at once. */
  inFlight: number;
  /** Where the agents keep their state files (a folder each). */
  dataDir: string;
  /** The agents' full re-sync period (BERTH_SYNC_SECONDS; the agent's 30 s when absent). */
  agentSyncSeconds?: number;
  /** How long the cluster may take to settle after the load. */
  settleMs: number;
}

export interface SoakReport {
  actions: string[];
  /** Latencies in ms of the answered requests, by action. */
  latencies: Map<string, number[]>;
  /** Requests that failed after the SDK's retries, by "Action: ErrorName". */
  errors: Map<string, number>;
  issued: number;
  /** Requests not sent because `inFlight` were already in flight (open loop: never sent late). */
  skipped: number;
  elapsedS: number;
  agentLog: { warn: number; error: number; first: string[] };
  /** The control plane's resident memory in MiB: before the load, after it, settled. */
  memoryMiB: { before: number; afterLoad: number; settled: number };
  snapshot: ClusterSnapshot;
  /** What the settled cluster still violates: nothing when every invariant holds. */
  violations: string[];
  settledInS: number;
}

export const SOAK_CLUSTER = "soak";
const IMAGE = "berth-soak/app:1";

/**
 * `berth local` settings for a soak: throttling off (the run measures the control plane, not
 * the per-key buckets).
 */
export const SOAK_BERTH_ENV = {
  BERTH_THROTTLE: "read=1000000000/1000000000,mutate=1000000000/1000000000,agent=1000000000/1000000000",
};

/** Runs the soak against `cp` (started with SOAK_BERTH_ENV) and reports; the agents are closed after. */
export async function runSoak(cp: BerthProcess, options: SoakOptions): Promise<SoakReport> {
  const agents: RunningAgent[] = [];
  const credentials = { accessKeyId: cp.accessKeyId, secretAccessKey: cp.secretAccessKey };
  // The SDK's default retries stay on, as for any client; what still fails is counted by type.
  const ecs = new ECSClient({
    endpoint: cp.url,
    region: cp.region,
    credentials,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: options.inFlight }) },
  });
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: SOAK_CLUSTER }));
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
    for (let i = 0; i < options.agents; i++) {
      const runtime = new FakeRuntime([IMAGE]);
      const config = loadAgentConfig({
        env: {
          ECS_CLUSTER: SOAK_CLUSTER,
          ECS_DATADIR: join(options.dataDir, `agent-${i}`),
          ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "1m",
          ...(options.agentSyncSeconds && { BERTH_SYNC_SECONDS: String(options.agentSyncSeconds) }),
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
    const services = Array.from({ length: options.services }, (_, i) => `web-${i}`);
    for (const serviceName of services)
      await ecs.send(
        new CreateServiceCommand({
          cluster: SOAK_CLUSTER,
          serviceName,
          taskDefinition: serviceRevisions[0],
          desiredCount: 3,
        }),
      );

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
            new RunTaskCommand({ cluster: SOAK_CLUSTER, taskDefinition: "soak-task", clientToken: randomUUID() }),
          );
          for (const t of tasks ?? []) ours.push(t.taskArn as string);
        },
      ],
      [
        "StopTask",
        130,
        async () => {
          const arn = ours.splice(Math.floor(Math.random() * ours.length), 1)[0];
          if (arn) await ecs.send(new StopTaskCommand({ cluster: SOAK_CLUSTER, task: arn, reason: "soak churn" }));
        },
      ],
      [
        "DescribeTasks",
        250,
        () =>
          ecs.send(
            new DescribeTasksCommand({ cluster: SOAK_CLUSTER, tasks: ours.length ? sample(ours, 10) : ["none"] }),
          ),
      ],
      ["ListTasks", 150, () => ecs.send(new ListTasksCommand({ cluster: SOAK_CLUSTER, maxResults: 100 }))],
      ["DescribeServices", 120, () => ecs.send(new DescribeServicesCommand({ cluster: SOAK_CLUSTER, services }))],
      ["ListServices", 30, () => ecs.send(new ListServicesCommand({ cluster: SOAK_CLUSTER }))],
      [
        "DescribeContainerInstances",
        80,
        () =>
          ecs.send(
            new DescribeContainerInstancesCommand({
              cluster: SOAK_CLUSTER,
              containerInstances: sample(instanceArns, 10),
            }),
          ),
      ],
      ["ListContainerInstances", 30, () => ecs.send(new ListContainerInstancesCommand({ cluster: SOAK_CLUSTER }))],
      ["DescribeClusters", 66, () => ecs.send(new DescribeClustersCommand({ clusters: [SOAK_CLUSTER] }))],
      [
        // Scale a service up or down; every fourth update is a deployment to the other revision.
        "UpdateService",
        options.serviceUpdateWeight ?? 4,
        () => {
          const n = updates++;
          return ecs.send(
            new UpdateServiceCommand({
              cluster: SOAK_CLUSTER,
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
    const end = started + options.durationS * 1000;
    const pending = new Set<Promise<void>>();
    while (performance.now() < end) {
      const due = Math.floor(((performance.now() - started) / 1000) * options.rate) - issued - skipped;
      for (let i = 0; i < due; i++) {
        // Open loop: a request that cannot go out because too many are in flight is not sent late.
        if (inFlight >= options.inFlight) {
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
    const elapsedS = (performance.now() - started) / 1000;
    const memoryAfterLoad = treeRssMiB(cp.child.pid as number);

    const settleStart = performance.now();
    const { snapshot, violations } = await settledCluster(ecs, SOAK_CLUSTER, { runtimes, withinMs: options.settleMs });
    return {
      actions: actions.map(([name]) => name),
      latencies,
      errors,
      issued,
      skipped,
      elapsedS,
      agentLog,
      memoryMiB: { before: memoryBefore, afterLoad: memoryAfterLoad, settled: treeRssMiB(cp.child.pid as number) },
      snapshot,
      violations,
      settledInS: (performance.now() - settleStart) / 1000,
    };
  } finally {
    await Promise.all(agents.map((a) => a.close().catch(() => {})));
    ecs.destroy();
  }
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
