/**
 * Soak run (the workload: test/support/soak.ts): `berth local` as a child process (its memory
 * measured alone), N agents in this process on fake container runtimes speaking the real
 * protocol, and API clients driving a mixed ECS workload at a target rate. Prints the rate held,
 * errors by type, p50/p99 per action, the control plane's memory before and after, then lets the
 * cluster settle and checks its invariants (test/support/clusterInvariants.ts); exits 1 when one
 * does not hold. test/faults/soak.test.ts runs the same workload at CI's size.
 *
 *   npm run bench:soak                                  # 500 requests/s for 60 s on SQLite
 *   npm run bench:soak -- --rate 200 --duration 20 --agents 10
 *   npm run bench:soak -- --store dynamodb              # DynamoDB Local, 100 requests/s
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BerthProcess, spawnBerth } from "../test/support/cli.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "../test/support/dynamodbLocal.ts";
import { runSoak, SOAK_BERTH_ENV, type SoakReport } from "../test/support/soak.ts";
import { percentile } from "./stats.ts";

const USAGE = `Usage: npm run bench:soak -- [--rate N] [--duration S] [--agents N] [--services N]
                                   [--in-flight N] [--sync S] [--store sqlite|dynamodb]

  --rate       requests per second the clients aim at (default 500 on SQLite, 100 on DynamoDB Local)
  --duration   seconds of load (default 60)
  --agents     simulated agents, 2 CPUs and 4 GiB each (default 20)
  --services   services of 3 tasks each, scaled and redeployed during the run (default 4)
  --in-flight  most requests in flight at once (default 64)
  --sync       the agents' re-sync period in seconds (BERTH_SYNC_SECONDS; default 30, as on a host)
  --store      sqlite (default) or dynamodb (AWS's DynamoDB Local, started with Java on a free port)`;

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string" },
    duration: { type: "string", default: "60" },
    agents: { type: "string", default: "20" },
    services: { type: "string", default: "4" },
    "in-flight": { type: "string", default: "64" },
    sync: { type: "string", default: "30" },
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
const options = {
  rate: positive("rate", flags.rate ?? (flags.store === "sqlite" ? "500" : "100")),
  durationS: positive("duration", flags.duration as string),
  agents: positive("agents", flags.agents as string),
  services: positive("services", flags.services as string),
  inFlight: positive("in-flight", flags["in-flight"] as string),
  agentSyncSeconds: positive("sync", flags.sync as string),
  // Agents re-sync every --sync seconds at worst: a few of those.
  settleMs: Math.max(120, 4 * positive("sync", flags.sync as string)) * 1000,
};

console.log(
  `Berth soak: ${options.rate} requests/s for ${options.durationS} s, ${options.agents} agents, ${options.services} services, ` +
    `at most ${options.inFlight} in flight, agents re-syncing every ${options.agentSyncSeconds} s, ` +
    `on ${flags.store === "sqlite" ? "SQLite" : "DynamoDB Local"}\n  node ${process.version}, ${availableParallelism()} CPUs`,
);

const dataDir = mkdtempSync(join(tmpdir(), "berth-soak-"));
let dynamodb: DynamoDbLocal | undefined;
let berth: BerthProcess | undefined;
try {
  const env: Record<string, string> = { ...SOAK_BERTH_ENV };
  if (flags.store === "dynamodb") {
    dynamodb = await startDynamoDbLocal();
    Object.assign(env, {
      BERTH_STORE: "dynamodb",
      BERTH_DYNAMODB_ENDPOINT: dynamodb.endpoint,
      BERTH_TABLE: `berth-soak-${Date.now()}`,
    });
  }
  berth = await spawnBerth(dataDir, env);
  const report = await runSoak(berth, { ...options, dataDir });
  print(report);
  process.exitCode = report.violations.length ? 1 : 0;
} catch (error) {
  const e = error as Error;
  console.error(`soak: ${e.name}: ${e.message}`);
  process.exitCode = 1;
} finally {
  await berth?.stop();
  await dynamodb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function print(report: SoakReport) {
  const answered = [...report.latencies.values()].reduce((sum, l) => sum + l.length, 0);
  const failed = [...report.errors.values()].reduce((sum, n) => sum + n, 0);
  console.log(
    `Achieved: ${Math.round(answered / report.elapsedS)} answered requests/s (${answered} in ${report.elapsedS.toFixed(1)} s), ` +
      `${report.issued} sent, ${report.skipped} not sent (${options.inFlight} already in flight), ${failed} failed after the SDK's retries`,
  );
  console.log("\n  Action                       calls    p50 ms    p99 ms");
  for (const name of report.actions) {
    const sorted = (report.latencies.get(name) ?? []).sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(26)} ${String(sorted.length).padStart(7)} ${percentile(sorted, 50).toFixed(0).padStart(9)} ${percentile(sorted, 99).toFixed(0).padStart(9)}`,
    );
  }
  console.log(`\n  Errors by type: ${report.errors.size ? "" : "none"}`);
  for (const [key, n] of report.errors) console.log(`    ${key}: ${n}`);
  console.log(`  Agent log: ${report.agentLog.warn} warnings, ${report.agentLog.error} errors`);
  for (const line of report.agentLog.first) console.log(`    ${line}`);
  const { before, afterLoad, settled } = report.memoryMiB;
  console.log(
    `\n  Control plane memory (RSS): ${before} MiB before, ${afterLoad} MiB after the load, ${settled} MiB settled`,
  );
  const { snapshot, violations } = report;
  const live = snapshot.tasks.filter((t) => t.lastStatus !== "STOPPED").length;
  console.log(
    `  Cluster: ${snapshot.tasks.length} tasks (${live} live), ${snapshot.instances.length} instances, ` +
      `${snapshot.services.length} services; ${violations.length ? "NOT settled" : "settled"} in ${report.settledInS.toFixed(1)} s`,
  );
  if (violations.length) {
    console.log(`  Invariants violated (${violations.length}):`);
    for (const v of violations.slice(0, 20)) console.log(`    ${v}`);
    return;
  }
  console.log(
    "  Invariants hold: task state agrees between store and agents, no instance overbooked, no orphan reservation, every service at its desired count",
  );
}
