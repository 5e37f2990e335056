/**
 * The floor under bench:placement's RunTask on SQLite: the same cluster (instances over three
 * zones, the same task definition and strategies), with RunTask called as a core action in this
 * process, one call at a time: no HTTP, SigV4, model validation, audit event, change feed or
 * agent nudges. It prints the CPU time per call of the action, of the store's reads and commits
 * within it (the SQL and the records' encoding), and what is left (placement, the task records).
 *
 *   npm run bench:runtask-floor                                   # 1,000 instances, 10,000 tasks
 *   npm run bench:runtask-floor -- --instances 100 --tasks 1000
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { actions } from "../core/actions/index.ts";
import type { ActionContext } from "../core/operations/context.ts";
import type { Store } from "../core/store/port.ts";
import { openSqliteStore } from "../core/store/sqlite.ts";
import { benchInstance, benchTaskDefinition } from "./benchFleet.ts";

const { values: flags } = parseArgs({
  options: { instances: { type: "string", default: "1000" }, tasks: { type: "string", default: "10000" } },
});
const INSTANCES = Number(flags.instances);
const TASKS = Number(flags.tasks);
const PER_CALL = 10;

const dir = mkdtempSync(join(tmpdir(), "berth-floor-"));
try {
  const raw = await openSqliteStore(join(dir, "berth.sqlite"));
  /** CPU time (ms) spent in each group of store calls while `on`. */
  const spent = { reads: 0, commits: 0 };
  let on = false;
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const store = new Proxy(raw, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      const where = prop === "commit" ? "commits" : "reads";
      return async (...args: unknown[]) => {
        const t0 = on ? cpuMs() : 0;
        try {
          return await value.apply(target, args);
        } finally {
          if (on) spent[where] += cpuMs() - t0;
        }
      };
    },
  }) as Store;
  const ctx: ActionContext = {
    store,
    partition: { region: "us-east-1", accountId: "000000000000" },
    now: () => new Date(),
    agentHeartbeatIntervalMs: 86_400_000,
  };
  const call = (name: string, input: unknown) =>
    (actions[name] as (i: unknown, c: ActionContext) => Promise<unknown>)(input, ctx);

  await call("CreateCluster", { clusterName: "bench" });
  await call("RegisterTaskDefinition", benchTaskDefinition);
  for (let i = 0; i < INSTANCES; i++) {
    await call("RegisterContainerInstance", benchInstance(i));
  }

  const calls = Math.ceil(TASKS / PER_CALL);
  let placed = 0;
  on = true;
  const t0 = cpuMs();
  const w0 = performance.now();
  for (let i = 0; i < calls; i++) {
    const { tasks = [] } = (await call("RunTask", {
      cluster: "bench",
      taskDefinition: "bench:1",
      count: Math.min(PER_CALL, TASKS - i * PER_CALL),
      placementStrategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "binpack", field: "memory" },
      ],
      startedBy: "bench",
    })) as { tasks?: unknown[] };
    placed += tasks.length;
  }
  const total = cpuMs() - t0;
  const wall = performance.now() - w0;
  on = false;
  const per = (ms: number) => `${(ms / calls).toFixed(2)} ms`;
  console.log(
    `RunTask as a core action on SQLite, ${INSTANCES} instances, ${placed} tasks placed in ${calls} calls ` +
      `(${((placed / wall) * 1000).toFixed(0)} tasks/s, one call at a time)\n` +
      `  CPU a call: ${per(total)} = store reads ${per(spent.reads)} + commits ${per(spent.commits)} ` +
      `+ the rest (placement, task records) ${per(total - spent.reads - spent.commits)}`,
  );
  await raw.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
