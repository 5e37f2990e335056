// The SQLite store's tables and indexes, in one place: what a file holds, whatever the code that
// reads it. The columns of each table beside `data` are those its lists filter and sort on (rows.ts
// fills them from the record); a container instance's remaining resources are columns that
// migrations.ts adds, to new files as to old ones.

/**
 * A table per record kind (heartbeats too, which are not versioned): the key, the columns lists
 * filter and sort on, `version`, `expires_at` (epoch ms, what reads compare) and the record's
 * `data` as ECS JSON; an index per access pattern that the key does not serve.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS clusters (name TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS task_definitions (family TEXT NOT NULL, revision INTEGER NOT NULL, status TEXT NOT NULL,
  version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL, PRIMARY KEY (family, revision));
CREATE TABLE IF NOT EXISTS container_instances (cluster TEXT NOT NULL, id TEXT NOT NULL, status TEXT NOT NULL,
  ec2_instance_id TEXT, version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL, PRIMARY KEY (cluster, id));
CREATE INDEX IF NOT EXISTS container_instances_by_ec2 ON container_instances (cluster, ec2_instance_id);
CREATE TABLE IF NOT EXISTS tasks (cluster TEXT NOT NULL, id TEXT NOT NULL, desired_status TEXT, last_status TEXT,
  family TEXT, started_by TEXT, task_group TEXT, container_instance TEXT, version INTEGER NOT NULL,
  expires_at INTEGER, data TEXT NOT NULL, PRIMARY KEY (cluster, id));
CREATE INDEX IF NOT EXISTS tasks_by_desired_status ON tasks (cluster, desired_status, id);
CREATE INDEX IF NOT EXISTS tasks_by_last_status ON tasks (cluster, last_status);
CREATE INDEX IF NOT EXISTS tasks_by_instance ON tasks (cluster, container_instance, id);
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS services (cluster TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL,
  version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL, PRIMARY KEY (cluster, name));
CREATE INDEX IF NOT EXISTS services_by_status ON services (status, cluster, name);
CREATE TABLE IF NOT EXISTS access_keys (id TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_events (id TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account_settings (principal TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER,
  data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS capacity_providers (name TEXT PRIMARY KEY, version INTEGER NOT NULL, expires_at INTEGER,
  data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS alarms (name TEXT PRIMARY KEY, cluster TEXT NOT NULL, service TEXT NOT NULL,
  version INTEGER NOT NULL, expires_at INTEGER, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alarms_by_service ON alarms (cluster, service, name);
CREATE TABLE IF NOT EXISTS heartbeats (cluster TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, expires_at INTEGER,
  utilization TEXT, PRIMARY KEY (cluster, id));
CREATE TABLE IF NOT EXISTS utilization_samples (cluster TEXT NOT NULL, id TEXT NOT NULL, slot INTEGER NOT NULL,
  at INTEGER NOT NULL, cpu_percent REAL NOT NULL, memory_used_mib REAL NOT NULL, memory_total_mib REAL NOT NULL,
  expires_at INTEGER, PRIMARY KEY (cluster, id, slot));
CREATE TABLE IF NOT EXISTS stored_events (cluster TEXT NOT NULL, id TEXT NOT NULL, time INTEGER NOT NULL,
  source TEXT NOT NULL, detail_type TEXT NOT NULL, resources TEXT NOT NULL, detail TEXT NOT NULL,
  expires_at INTEGER, PRIMARY KEY (cluster, id));
CREATE INDEX IF NOT EXISTS stored_events_by_id ON stored_events (id);
`;

/**
 * A container instance's remaining resources, kept apart from its data (see instanceResources.ts):
 * ports as JSON lists, the tasks per group as a JSON object (group → count, none at zero). Added
 * to files made before they existed on open: the resources filled from the data, the counts from
 * the live tasks.
 */
export const RESOURCE_COLUMNS = [
  "cpu_left INTEGER NOT NULL DEFAULT 0",
  "memory_left INTEGER NOT NULL DEFAULT 0",
  "ports TEXT NOT NULL DEFAULT '[]'",
  "udp_ports TEXT NOT NULL DEFAULT '[]'",
  "resources_version INTEGER NOT NULL DEFAULT 0",
];

export const GROUPS_COLUMN = "resident_groups TEXT NOT NULL DEFAULT '{}'";

/** Tables with an expires_at column beyond those of the record kinds (rows.ts), purged with them. */
export const UNVERSIONED_TABLES = ["heartbeats", "utilization_samples", "stored_events"];
