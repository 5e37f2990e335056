import type { ContainerInstanceRecord } from "../../model/records.ts";
import { decodeRecord, encodeRecord } from "../encoding.ts";
import { type Left, leftOf, withLeft } from "../instanceResources.ts";
import type { Kind, RecordKinds } from "../kinds.ts";
import { accessKeyAttributes } from "./keys/accessKey.ts";
import { accountSettingsAttributes } from "./keys/accountSettings.ts";
import { alarmAttributes } from "./keys/alarm.ts";
import { auditEventAttributes } from "./keys/auditEvent.ts";
import { capacityProviderAttributes } from "./keys/capacityProvider.ts";
import { clusterAttributes } from "./keys/cluster.ts";
import { containerInstanceAttributes } from "./keys/containerInstance.ts";
import { idempotencyAttributes } from "./keys/idempotency.ts";
import { serviceAttributes } from "./keys/service.ts";
import { taskAttributes } from "./keys/task.ts";
import { taskDefinitionAttributes } from "./keys/taskDefinition.ts";

/**
 * A record as a DynamoDB item: its keys and the attributes its lists filter on (from keys/),
 * `kind` (for stream consumers), the record itself as ECS JSON in `data` (the encoding the
 * SQLite store uses too; parsing one string is much faster than unmarshalling a deep map, and
 * placement decodes every instance of a cluster), `version`, and its expiry twice: `expiresAt`
 * in epoch ms as the record has it, and `ttl` in epoch seconds for DynamoDB's TTL.
 */
export type Item = Record<string, unknown> & { pk: string; sk: string };

type Attributes = { pk: string; sk: string } & Record<string, string | undefined>;

const ATTRIBUTES: { [K in Kind]: (record: Omit<RecordKinds[K], "version">) => Attributes } = {
  cluster: clusterAttributes,
  taskDefinition: taskDefinitionAttributes,
  containerInstance: containerInstanceAttributes,
  task: taskAttributes,
  idempotency: idempotencyAttributes,
  service: serviceAttributes,
  accessKey: accessKeyAttributes,
  auditEvent: auditEventAttributes,
  accountSettings: accountSettingsAttributes,
  capacityProvider: capacityProviderAttributes,
  alarm: alarmAttributes,
};

/**
 * Every attribute a record's item may have besides pk, sk and version: a write sets those its
 * record has and removes the others, so an item never keeps an index key its record lost (a
 * stopped task leaves liveTasks).
 */
export const RECORD_ATTRIBUTES = [
  "kind",
  "data",
  "expiresAt",
  "ttl",
  "gsi1pk",
  "gsi1sk",
  "gsi2pk",
  "gsi2sk",
  "gsi3pk",
  "gsi3sk",
  "gsi4pk",
  "gsi4sk",
  "status",
  "desiredStatus",
  "lastStatus",
  "family",
  "startedBy",
  "group",
  "containerInstanceId",
];

/** Task definitions never get a TTL: revisions are never reused, so an expired one stays as the family's high mark. */
const EXPIRES_FOR_GOOD: Kind[] = ["taskDefinition"];

export function itemOf<K extends Kind>(kind: K, record: Omit<RecordKinds[K], "version">): Item {
  const { expiresAt } = record as { expiresAt?: number };
  return {
    ...(ATTRIBUTES[kind] as (r: typeof record) => Attributes)(record),
    kind,
    data: encodeRecord(record),
    expiresAt,
    ttl: expiresAt === undefined || EXPIRES_FOR_GOOD.includes(kind) ? undefined : ttlOf(expiresAt),
  };
}

/** A container instance's whole item as read back: its record's attributes and its remaining resources. */
export function instanceItemOf(record: ContainerInstanceRecord): Item {
  const left = leftOf(record);
  return {
    ...itemOf("containerInstance", record),
    version: record.version,
    cpuLeft: left.cpu,
    memoryLeft: left.memory,
    portsInUse: portMap(left.ports),
    udpPortsInUse: portMap(left.udpPorts),
    residentGroups: record.residentGroups ?? {},
    resourcesVersion: record.resourcesVersion ?? 0,
  };
}

export const keyOf = (item: { pk: unknown; sk: unknown }) => ({ pk: item.pk, sk: item.sk });

export const ttlOf = (expiresAt: number) => Math.ceil(expiresAt / 1000);

/** The record an item holds; a container instance's with its remaining resources from their attributes. */
export const recordOf = <K extends Kind>(item: Record<string, unknown>): RecordKinds[K] => {
  const record = dataOf<K>(item);
  return item.kind === "containerInstance"
    ? (withLeft(record as ContainerInstanceRecord, leftOfItem(item), resourcesVersionOf(item)) as RecordKinds[K])
    : record;
};

/** The record as its `data` has it (a container instance's remaining resources as last put). */
export const dataOf = <K extends Kind>(item: Record<string, unknown>): RecordKinds[K] =>
  decodeRecord<RecordKinds[K]>(item.data as string, item.version as number, item.expiresAt as number | undefined);

/**
 * A container instance's remaining resources, kept apart from `data` (see instanceResources.ts):
 * numbers `cpuLeft` and `memoryLeft`, the host ports in use as maps from port to true
 * (`portsInUse`, `udpPortsInUse`: a map, unlike a set, may be empty, and each port is its own
 * path to set, remove or test in one request), the tasks per group as a map from group to count
 * (`residentGroups`: one path per group, so concurrent launches add to it without conflict; the
 * release of a group's last task removes its path, see ResourceWrite.emptied), and `resourcesVersion`.
 */
export const RESOURCE_ATTRIBUTES = [
  "cpuLeft",
  "memoryLeft",
  "portsInUse",
  "udpPortsInUse",
  "residentGroups",
  "resourcesVersion",
];

export const leftOfItem = (item: Record<string, unknown>): Left => ({
  cpu: item.cpuLeft as number,
  memory: item.memoryLeft as number,
  ports: portsOf(item.portsInUse),
  udpPorts: portsOf(item.udpPortsInUse),
  groups: (item.residentGroups ?? {}) as Record<string, number>,
});

export const resourcesVersionOf = (item: Record<string, unknown>) => (item.resourcesVersion as number) ?? 0;

export const portMap = (ports: number[]) => Object.fromEntries(ports.map((p) => [String(p), true]));

const portsOf = (map: unknown) =>
  Object.keys((map ?? {}) as object)
    .map(Number)
    .sort((a, b) => a - b);

export const isLive = (item: Record<string, unknown>, now: number) =>
  typeof item.expiresAt !== "number" || item.expiresAt > now;
