// Records as SQLite rows and back: which table a record kind lives in, the column values derived
// from a record (here and nowhere else, so a list's filter columns cannot drift from the data),
// and the decoding of rows into records, resources and heartbeats.
import type { SQLInputValue } from "node:sqlite";
import { taskDefinitionFamily } from "../../model/arn.ts";
import type { HeartbeatRecord } from "../../model/records.ts";
import { decodeRecord } from "../encoding.ts";
import type { Left } from "../instanceResources.ts";
import type { Kind, RecordKinds } from "../kinds.ts";

/** A record kind's table (schema.ts): its name, its key, and the columns its lists read. */
export interface Table<K extends Kind> {
  name: string;
  key: string[];
  /** Column values taken from a record: the key first, then the indexed columns. */
  columns: (r: Omit<RecordKinds[K], "version">) => Record<string, SQLInputValue>;
}

export const TABLES: { [K in Kind]: Table<K> } = {
  cluster: { name: "clusters", key: ["name"], columns: (r) => ({ name: r.name }) },
  taskDefinition: {
    name: "task_definitions",
    key: ["family", "revision"],
    columns: (r) => ({ family: r.family, revision: r.revision, status: r.taskDefinition.status ?? "ACTIVE" }),
  },
  containerInstance: {
    name: "container_instances",
    key: ["cluster", "id"],
    columns: (r) => ({
      cluster: r.cluster,
      id: r.id,
      status: r.instance.status ?? "ACTIVE",
      ec2_instance_id: r.instance.ec2InstanceId ?? null,
    }),
  },
  task: {
    name: "tasks",
    key: ["cluster", "id"],
    columns: (r) => ({
      cluster: r.cluster,
      id: r.id,
      desired_status: r.task.desiredStatus ?? null,
      last_status: r.task.lastStatus ?? null,
      family: r.task.taskDefinitionArn ? taskDefinitionFamily(r.task.taskDefinitionArn) : null,
      started_by: r.task.startedBy ?? null,
      task_group: r.task.group ?? null,
      container_instance: r.containerInstanceId ?? null,
    }),
  },
  idempotency: { name: "idempotency", key: ["key"], columns: (r) => ({ key: r.key }) },
  service: {
    name: "services",
    key: ["cluster", "name"],
    columns: (r) => ({ cluster: r.cluster, name: r.name, status: r.service.status ?? "ACTIVE" }),
  },
  accessKey: { name: "access_keys", key: ["id"], columns: (r) => ({ id: r.accessKeyId }) },
  auditEvent: { name: "audit_events", key: ["id"], columns: (r) => ({ id: r.id }) },
  accountSettings: { name: "account_settings", key: ["principal"], columns: (r) => ({ principal: r.principalArn }) },
  capacityProvider: { name: "capacity_providers", key: ["name"], columns: (r) => ({ name: r.name }) },
  alarm: {
    name: "alarms",
    key: ["name"],
    columns: (r) => ({ name: r.name, cluster: r.cluster, service: r.service }),
  },
};

/** What every record row has (and the key of those keyed by cluster and id). */
export type Row = { version: number; expires_at: number | null; data: string; cluster?: string; id?: string };

export function recordOfRow<K extends Kind>(row: Row): RecordKinds[K] {
  return decodeRecord<RecordKinds[K]>(row.data, row.version, row.expires_at);
}

/** A container instance's resource columns (schema.ts). */
export type ResourceRow = {
  cpu_left: number;
  memory_left: number;
  ports: string;
  udp_ports: string;
  resident_groups: string;
  resources_version: number;
};

export const leftOfRow = (row: ResourceRow): Left => ({
  cpu: row.cpu_left,
  memory: row.memory_left,
  ports: JSON.parse(row.ports),
  udpPorts: JSON.parse(row.udp_ports),
  groups: JSON.parse(row.resident_groups),
});

export const rowOfLeft = (left: Left, resourcesVersion: number): ResourceRow => ({
  cpu_left: left.cpu,
  memory_left: left.memory,
  ports: JSON.stringify(left.ports),
  udp_ports: JSON.stringify(left.udpPorts),
  resident_groups: JSON.stringify(left.groups),
  resources_version: resourcesVersion,
});

export type HeartbeatRow = {
  cluster: string;
  id: string;
  at: number;
  expires_at: number | null;
  utilization: string | null;
};

export function heartbeatOf(row: HeartbeatRow): HeartbeatRecord {
  return {
    cluster: row.cluster,
    id: row.id,
    at: row.at,
    ...(row.utilization === null ? {} : { utilization: JSON.parse(row.utilization) }),
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
  };
}
