import { openDynamoStore } from "../../core/store/dynamo.ts";
import { put } from "../../core/store/port.ts";
import { startDynamoDbLocal } from "../../test/support/dynamodbLocal.ts";
const local = await startDynamoDbLocal();
const store = await openDynamoStore({ endpoint: local.endpoint, table: "probe" });
const t = async (what: string, n: number, f: (i: number) => Promise<unknown>) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  console.log(what, ((performance.now() - t0) / n).toFixed(1), "ms");
};
const rec = (i: number) => ({ name: `c${i}`, cluster: { clusterName: `c${i}`, status: "ACTIVE" } });
await t("warm put", 50, (i) => store.commit([put("cluster", rec(i + 1000))]));
await t("put single", 100, (i) => store.commit([put("cluster", rec(i))]));
await t("get", 100, (i) => store.getCluster(`c${i}`));
await t("tx 2", 100, (i) => store.commit([put("cluster", rec(i + 2000)), put("cluster", rec(i + 3000))]));
await t("list clusters 10", 50, () => store.listClusters({ limit: 10 }));
await store.close();
await local.stop();
