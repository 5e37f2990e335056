import { CreateClusterCommand, ECSClient, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { localOptions } from "../../local/config.ts";
import { startLocal } from "../../local/server.ts";
import { startDynamoDbLocal } from "../../test/support/dynamodbLocal.ts";
const ddb = await startDynamoDbLocal();
const kind = process.argv[2] ?? "dynamodb";
const env: Record<string, string> = kind === "dynamodb" ? { BERTH_STORE: "dynamodb", BERTH_DYNAMODB_ENDPOINT: ddb.endpoint, BERTH_TABLE: "probe" } : {};
const local = await startLocal(localOptions({ port: "0", "data-dir": "/tmp/probe-data-" + Date.now(), "no-agent": true }, { ...env, BERTH_AGENT_HEARTBEAT_SECONDS: "86400" }));
const stats = new Map<string, { n: number; ms: number }>();
const store = local.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
for (const name of ["getCluster","listClusters","getTaskDefinition","lastTaskDefinition","listTaskDefinitions","getContainerInstance","findContainerInstanceByEc2Id","listContainerInstances","getTask","listTasks","countResidentTasks","countTasks","getIdempotency","commit","putHeartbeat","getHeartbeat","listHeartbeats"]) {
  const f = store[name];
  store[name] = async (...a: unknown[]) => {
    const t0 = performance.now();
    try { return await f.apply(store, a); } finally {
      const s = stats.get(name) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t0; stats.set(name, s);
    }
  };
}
const ecs = new ECSClient({ endpoint: local.url, region: "us-east-1", credentials: { accessKeyId: local.credentials.accessKeyId, secretAccessKey: local.credentials.secretAccessKey } });
await ecs.send(new CreateClusterCommand({ clusterName: "b" }));
await ecs.send(new RegisterTaskDefinitionCommand({ family: "b", containerDefinitions: [{ name: "a", image: "x", cpu: 128, memory: 256 }] }));
const N = 40;
let t0 = performance.now();
for (let i = 0; i < N; i++) await ecs.send(new RegisterContainerInstanceCommand({ cluster: "b", totalResources: [{ name: "CPU", type: "INTEGER", integerValue: 4096 }, { name: "MEMORY", type: "INTEGER", integerValue: 16384 }] }));
console.log("register", ((performance.now() - t0) / N).toFixed(1), "ms each");
console.log([...stats].map(([k, v]) => `${k} ${v.n}× ${(v.ms / v.n).toFixed(1)}ms`).join("\n")); stats.clear();
t0 = performance.now();
for (let i = 0; i < 20; i++) await ecs.send(new RunTaskCommand({ cluster: "b", taskDefinition: "b:1", count: 10, placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "binpack", field: "memory" }] }));
console.log("runtask", ((performance.now() - t0) / 20).toFixed(1), "ms each");
console.log([...stats].map(([k, v]) => `${k} ${v.n}× ${(v.ms / v.n).toFixed(1)}ms`).join("\n"));
ecs.destroy(); await local.close(); await ddb.stop();
