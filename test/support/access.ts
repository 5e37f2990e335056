import type { AccessPolicy } from "../../core/auth/records.ts";
import type { Store } from "../../core/store/port.ts";
import { type CallTarget, rawCall, type Signing } from "./rawCall.ts";

export const ECS = "AmazonEC2ContainerServiceV20141113";
export const BERTH = "Berth_20261124";

export interface TestKey {
  keyId: string;
  secret: string;
}

/** A Berth action signed with `key` (the server's admin key when absent). */
export const berthCall = (berth: CallTarget, action: string, input: unknown, key?: TestKey) =>
  rawCall(berth, `${BERTH}.${action}`, JSON.stringify(input), signing(key));

export const ecsCall = (berth: CallTarget, action: string, input: unknown, key?: TestKey) =>
  rawCall(berth, `${ECS}.${action}`, JSON.stringify(input), signing(key));

const signing = (key?: TestKey): Signing => (key ? { keyId: key.keyId, secret: key.secret } : {});

/** A new key with `policy`, created with the admin key. */
export async function createKey(berth: CallTarget, policy: AccessPolicy): Promise<TestKey> {
  const response = await berthCall(berth, "CreateAccessKey", { policy });
  if (response.status !== 200) throw new Error(`CreateAccessKey: ${JSON.stringify(response.body)}`);
  const { accessKeyId, secretAccessKey } = response.body.accessKey as Record<string, string>;
  return { keyId: accessKeyId, secret: secretAccessKey };
}

/**
 * Everything the store holds but the audit trail and heartbeats, versions included, as one
 * string: equal before and after a refused call when it wrote nothing.
 */
export async function storeSnapshot(store: Store): Promise<string> {
  const all = { limit: 1000 };
  const clusters = (await store.listClusters(all)).items;
  const perCluster = await Promise.all(
    clusters.map(async (c) => ({
      cluster: c,
      instances: await store.listContainerInstances(c.name),
      tasks: (await store.listTasks({ cluster: c.name }, all)).items,
      services: (await store.listServices({ cluster: c.name }, all)).items,
    })),
  );
  return JSON.stringify({
    perCluster,
    taskDefinitions: (await store.listTaskDefinitions({}, all)).items,
    accessKeys: (await store.listAccessKeys(all)).items,
  });
}
