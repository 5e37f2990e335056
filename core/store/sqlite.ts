import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync as Database, SQLInputValue } from "node:sqlite";
import { taskDefinitionFamily } from "../model/arn.ts";
import type { ContainerInstanceRecord, HeartbeatRecord } from "../model/records.ts";
import type { ResourceWrite } from "../model/reservation.ts";
import { PENDING_STATUSES } from "../model/taskState.ts";
import { decodeRecord, encodeRecord } from "./encoding.ts";
import { afterWrite, checkResourceWrites, InstanceCache, type Left, leftOf } from "./instanceResources.ts";
import type { Kind, RecordKinds } from "./kinds.ts";
import {
  ConflictError,
  type FamilyQuery,
  type Page,
  type PageRequest,
  type RecordWrite,
  type ServiceQuery,
  type Store,
  type TaskDefinitionQuery,
  type TaskQuery,
  type Write,
} from "./port.ts";

/** The statuses countTasks counts, as SQL: RUNNING and the pending ones. */
const LIVE_COUNTED = ["RUNNING", ...PENDING_STATUSES].map((s) => `'${s}'`).join(", ");

/**
 * The embedded Store: one SQLite file in the data dir (WAL, synchronous=NORMAL survives a kill -9
 * of the process), or `:memory:`. Each record is kept as JSON beside the columns its access
 * patterns filter and sort on; those columns are derived from the record here and nowhere else.
 */
interface Table<K extends Kind> {
  name: string;
  key: string[];
  /** Column values taken from a record: the key first, then the indexed columns. */
  columns: (r: Omit<RecordKinds[K], "version">) => Record<string, SQLInputValue>;
}

const TABLES: { [K in Kind]: Table<K> } = {
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
};

const SCHEMA = `
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
CREATE TABLE IF NOT EXISTS heartbeats (cluster TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, expires_at INTEGER,
  utilization TEXT, PRIMARY KEY (cluster, id));
`;

/**
 * A container instance's remaining resources, kept apart from its data (see instanceResources.ts):
 * ports as JSON lists, the tasks per group as a JSON object (group → count, none at zero). Added
 * to files made before they existed on open: the resources filled from the data, the counts from
 * the live tasks.
 */
const RESOURCE_COLUMNS = [
  "cpu_left INTEGER NOT NULL DEFAULT 0",
  "memory_left INTEGER NOT NULL DEFAULT 0",
  "ports TEXT NOT NULL DEFAULT '[]'",
  "udp_ports TEXT NOT NULL DEFAULT '[]'",
  "resources_version INTEGER NOT NULL DEFAULT 0",
];

const GROUPS_COLUMN = "resident_groups TEXT NOT NULL DEFAULT '{}'";

type ResourceRow = {
  cpu_left: number;
  memory_left: number;
  ports: string;
  udp_ports: string;
  resident_groups: string;
  resources_version: number;
};

const leftOfRow = (row: ResourceRow): Left => ({
  cpu: row.cpu_left,
  memory: row.memory_left,
  ports: JSON.parse(row.ports),
  udpPorts: JSON.parse(row.udp_ports),
  groups: JSON.parse(row.resident_groups),
});

const rowOfLeft = (left: Left, resourcesVersion: number): ResourceRow => ({
  cpu_left: left.cpu,
  memory_left: left.memory,
  ports: JSON.stringify(left.ports),
  udp_ports: JSON.stringify(left.udpPorts),
  resident_groups: JSON.stringify(left.groups),
  resources_version: resourcesVersion,
});

const hasColumn = (db: Database, name: string) =>
  (db.prepare("PRAGMA table_info(container_instances)").all() as { name: string }[]).some((c) => c.name === name);

/** Gives a file from before the resource columns its instances' remaining resources, from their data. */
function addResourceColumns(db: Database) {
  if (hasColumn(db, "cpu_left")) return;
  db.exec("BEGIN IMMEDIATE");
  for (const column of RESOURCE_COLUMNS) db.exec(`ALTER TABLE container_instances ADD COLUMN ${column}`);
  const fill = db.prepare(
    "UPDATE container_instances SET cpu_left = ?, memory_left = ?, ports = ?, udp_ports = ? WHERE cluster = ? AND id = ?",
  );
  for (const row of db.prepare("SELECT cluster, id, version, data FROM container_instances").all() as Row[]) {
    const r = rowOfLeft(leftOf(decodeRecord<ContainerInstanceRecord>(row.data, row.version, null)), 0);
    fill.run(r.cpu_left, r.memory_left, r.ports, r.udp_ports, row.cluster as string, row.id as string);
  }
  db.exec("COMMIT");
}

/**
 * Gives a file from before the group counts its instances' counts, from the tasks that hold a
 * reservation on them (placed, not STOPPED: a task gives its reservation back as it stops).
 */
function addGroupCounts(db: Database, now: number) {
  if (hasColumn(db, "resident_groups")) return;
  db.exec("BEGIN IMMEDIATE");
  db.exec(`ALTER TABLE container_instances ADD COLUMN ${GROUPS_COLUMN}`);
  const rows = db
    .prepare(
      `SELECT cluster, container_instance, task_group, count(*) AS n FROM tasks
       WHERE last_status IS NOT 'STOPPED' AND container_instance IS NOT NULL AND task_group IS NOT NULL
         AND (expires_at IS NULL OR expires_at > ?)
       GROUP BY cluster, container_instance, task_group`,
    )
    .all(now) as { cluster: string; container_instance: string; task_group: string; n: number }[];
  const counts = new Map<string, { cluster: string; id: string; groups: Record<string, number> }>();
  for (const r of rows) {
    const key = JSON.stringify([r.cluster, r.container_instance]);
    const entry = counts.get(key) ?? { cluster: r.cluster, id: r.container_instance, groups: {} };
    entry.groups[r.task_group] = r.n;
    counts.set(key, entry);
  }
  const fill = db.prepare("UPDATE container_instances SET resident_groups = ? WHERE cluster = ? AND id = ?");
  for (const { cluster, id, groups } of counts.values()) fill.run(JSON.stringify(groups), cluster, id);
  db.exec("COMMIT");
}

/** Tables with an expires_at column beyond those of TABLES, purged with them. */
const UNVERSIONED_TABLES = ["heartbeats"];

type HeartbeatRow = { cluster: string; id: string; at: number; expires_at: number | null; utilization: string | null };

/** How often expired records are purged; reads already skip them. */
const PURGE_EVERY_MS = 60_000;

export async function openSqliteStore(path: string, now: () => number = Date.now): Promise<Store> {
  const { DatabaseSync } = await import("node:sqlite").catch(() => {
    throw new Error("The SQLite store needs node:sqlite (Node.js >= 22.13, or 22.12 with --experimental-sqlite).");
  });
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  db.exec(SCHEMA);
  addResourceColumns(db);
  addGroupCounts(db, now());
  return new SqliteStore(db, now);
}

type Row = { version: number; expires_at: number | null; data: string; cluster?: string; id?: string };

class SqliteStore implements Store {
  private lastPurge = 0;
  private readonly decodedInstances = new InstanceCache();
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  private live = "(expires_at IS NULL OR expires_at > ?)";

  private all<K extends Kind>(sql: string, ...params: SQLInputValue[]): RecordKinds[K][] {
    return (this.db.prepare(sql).all(...params) as Row[]).map((row) => this.decode<K>(row));
  }

  private one<K extends Kind>(sql: string, ...params: SQLInputValue[]): RecordKinds[K] | undefined {
    const row = this.db.prepare(sql).get(...params) as Row | undefined;
    return row ? this.decode<K>(row) : undefined;
  }

  /**
   * Container instances matching `where`: their versions first, then the JSON of only those not
   * already decoded at that version (placement reads every instance of a cluster on each launch,
   * and few change between two launches).
   */
  private instances(where: string, ...params: SQLInputValue[]): ContainerInstanceRecord[] {
    const heads = this.db
      .prepare(
        `SELECT cluster, id, version, expires_at, cpu_left, memory_left, ports, udp_ports, resident_groups,
           resources_version FROM container_instances WHERE ${where}`,
      )
      .all(...params) as (Omit<Row, "data"> & ResourceRow)[];
    const data = this.db.prepare("SELECT data FROM container_instances WHERE cluster = ? AND id = ?");
    return heads.map((head) =>
      this.decodedInstances.get(
        `${head.cluster}/${head.id}`,
        { version: head.version, resourcesVersion: head.resources_version, left: () => leftOfRow(head) },
        () => {
          const { data: json } = data.get(head.cluster as string, head.id as string) as { data: string };
          return this.decode<"containerInstance">({ ...head, data: json });
        },
      ),
    );
  }

  private decode<K extends Kind>(row: Row): RecordKinds[K] {
    return decodeRecord<RecordKinds[K]>(row.data, row.version, row.expires_at);
  }

  async getCluster(name: string) {
    return this.one<"cluster">(`SELECT * FROM clusters WHERE name = ? AND ${this.live}`, name, this.now());
  }

  async listClusters(page: PageRequest) {
    const rows = this.all<"cluster">(
      `SELECT * FROM clusters WHERE name > ? AND ${this.live} ORDER BY name LIMIT ?`,
      page.after ?? "",
      this.now(),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => r.name);
  }

  async getTaskDefinition(family: string, revision: number) {
    return this.one<"taskDefinition">(
      `SELECT * FROM task_definitions WHERE family = ? AND revision = ? AND ${this.live}`,
      family,
      revision,
      this.now(),
    );
  }

  async lastTaskDefinition(family: string, status?: string) {
    return this.one<"taskDefinition">(
      `SELECT * FROM task_definitions WHERE family = ? AND (? IS NULL OR status = ?) ORDER BY revision DESC LIMIT 1`,
      family,
      status ?? null,
      status ?? null,
    );
  }

  async listTaskDefinitions(query: TaskDefinitionQuery, page: PageRequest) {
    const desc = query.sort === "DESC";
    const [family, revision] = page.after
      ? (JSON.parse(page.after) as [string, number])
      : [desc ? "\u{10ffff}" : "", desc ? 0 : -1];
    const cmp = desc ? "<" : ">";
    const order = desc ? "DESC" : "ASC";
    const rows = this.all<"taskDefinition">(
      `SELECT * FROM task_definitions
       WHERE (? IS NULL OR family = ?) AND (? IS NULL OR status = ?) AND ${this.live}
         AND (family ${cmp} ? OR (family = ? AND revision ${cmp} ?))
       ORDER BY family ${order}, revision ${order} LIMIT ?`,
      query.family ?? null,
      query.family ?? null,
      query.status ?? null,
      query.status ?? null,
      this.now(),
      family,
      family,
      desc && !page.after ? Number.MAX_SAFE_INTEGER : revision,
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => JSON.stringify([r.family, r.revision]));
  }

  async listTaskDefinitionFamilies(query: FamilyQuery, page: PageRequest) {
    const status = query.status === "ALL" || !query.status ? null : query.status;
    const prefix = query.familyPrefix ?? "";
    // A family is ACTIVE when it has an ACTIVE revision, INACTIVE when it has none.
    const rows = this.db
      .prepare(
        `SELECT family FROM task_definitions
         WHERE substr(family, 1, ?) = ? AND family > ? AND ${this.live}
         GROUP BY family HAVING ? IS NULL OR max(status = 'ACTIVE') = (? = 'ACTIVE')
         ORDER BY family LIMIT ?`,
      )
      .all(prefix.length, prefix, page.after ?? "", this.now(), status, status, page.limit + 1) as { family: string }[];
    return pageOf(
      rows.map((r) => r.family),
      page.limit,
      (f) => f,
    );
  }

  async getContainerInstance(cluster: string, id: string) {
    return this.instances(`cluster = ? AND id = ? AND ${this.live}`, cluster, id, this.now())[0];
  }

  async findContainerInstanceByEc2Id(cluster: string, ec2InstanceId: string) {
    return this.instances(
      `cluster = ? AND ec2_instance_id = ? AND ${this.live}
       ORDER BY status = 'ACTIVE' DESC, status = 'DRAINING' DESC LIMIT 1`,
      cluster,
      ec2InstanceId,
      this.now(),
    )[0];
  }

  async listContainerInstances(cluster: string, status?: string) {
    return this.instances(
      `cluster = ? AND (? IS NULL OR status = ?) AND ${this.live} ORDER BY id`,
      cluster,
      status ?? null,
      status ?? null,
      this.now(),
    );
  }

  async getTask(cluster: string, id: string) {
    return this.one<"task">(
      `SELECT * FROM tasks WHERE cluster = ? AND id = ? AND ${this.live}`,
      cluster,
      id,
      this.now(),
    );
  }

  async listTasks(q: TaskQuery, page: PageRequest) {
    const rows = this.all<"task">(
      `SELECT * FROM tasks WHERE cluster = ? AND id > ? AND ${this.live}
         AND (? IS NULL OR desired_status = ?) AND (? = 0 OR last_status IS NOT 'STOPPED')
         AND (? IS NULL OR family = ?) AND (? IS NULL OR started_by = ?) AND (? IS NULL OR task_group = ?)
         AND (? IS NULL OR container_instance = ?)
       ORDER BY id LIMIT ?`,
      q.cluster,
      page.after ?? "",
      this.now(),
      ...twice(q.desiredStatus),
      q.notStopped ? 1 : 0,
      ...twice(q.family),
      ...twice(q.startedBy),
      ...twice(q.group),
      ...twice(q.containerInstanceId),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => r.id);
  }

  async countResidentTasks(cluster: string, group?: string) {
    const rows = this.db
      .prepare(
        `SELECT container_instance, task_group, last_status, count(*) AS n FROM tasks
         WHERE cluster = ? AND last_status IS NOT 'STOPPED' AND container_instance IS NOT NULL
           AND (? IS NULL OR task_group = ?) AND ${this.live}
         GROUP BY container_instance, task_group, last_status`,
      )
      .all(cluster, group ?? null, group ?? null, this.now()) as {
      container_instance: string;
      task_group: string | null;
      last_status: string | null;
      n: number;
    }[];
    return rows.map((r) => ({
      containerInstanceId: r.container_instance,
      group: r.task_group ?? undefined,
      lastStatus: r.last_status ?? undefined,
      count: r.n,
    }));
  }

  async countTasks(cluster: string) {
    const rows = this.db
      .prepare(
        `SELECT last_status, count(*) AS n FROM tasks WHERE cluster = ? AND last_status IN (${LIVE_COUNTED})
         AND ${this.live} GROUP BY last_status`,
      )
      .all(cluster, this.now()) as { last_status: string; n: number }[];
    const count = (s: string) => rows.find((r) => r.last_status === s)?.n ?? 0;
    return { running: count("RUNNING"), pending: PENDING_STATUSES.reduce((n, s) => n + count(s), 0) };
  }

  async getIdempotency(key: string) {
    return this.one<"idempotency">(`SELECT * FROM idempotency WHERE key = ? AND ${this.live}`, key, this.now());
  }

  async getService(cluster: string, name: string) {
    return this.one<"service">(
      `SELECT * FROM services WHERE cluster = ? AND name = ? AND ${this.live}`,
      cluster,
      name,
      this.now(),
    );
  }

  async listServices(query: ServiceQuery, page: PageRequest) {
    const rows = this.all<"service">(
      `SELECT * FROM services WHERE cluster = ? AND name > ? AND (? = 0 OR status != 'INACTIVE') AND ${this.live}
       ORDER BY name LIMIT ?`,
      query.cluster,
      page.after ?? "",
      query.live ? 1 : 0,
      this.now(),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => r.name);
  }

  async countServices(cluster: string) {
    const rows = this.db
      .prepare(`SELECT status, count(*) AS n FROM services WHERE cluster = ? AND ${this.live} GROUP BY status`)
      .all(cluster, this.now()) as { status: string; n: number }[];
    const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    return { active: count("ACTIVE"), draining: count("DRAINING") };
  }

  async listLiveServices() {
    return this.all<"service">(
      `SELECT * FROM services WHERE status IN ('ACTIVE', 'DRAINING') AND ${this.live} ORDER BY cluster, name`,
      this.now(),
    );
  }

  async getAccessKey(accessKeyId: string) {
    return this.one<"accessKey">(`SELECT * FROM access_keys WHERE id = ? AND ${this.live}`, accessKeyId, this.now());
  }

  async listAccessKeys(page: PageRequest) {
    const rows = this.all<"accessKey">(
      `SELECT * FROM access_keys WHERE id > ? AND ${this.live} ORDER BY id LIMIT ?`,
      page.after ?? "",
      this.now(),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => r.accessKeyId);
  }

  async getAccountSettings(principalArn: string) {
    return this.one<"accountSettings">(
      `SELECT * FROM account_settings WHERE principal = ? AND ${this.live}`,
      principalArn,
      this.now(),
    );
  }

  async listAuditEvents(page: PageRequest) {
    const rows = this.all<"auditEvent">(
      `SELECT * FROM audit_events WHERE id < ? AND ${this.live} ORDER BY id DESC LIMIT ?`,
      page.after ?? "\u{10ffff}",
      this.now(),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => r.id);
  }

  async putHeartbeat(record: HeartbeatRecord) {
    // Utilization holds only numbers and ARNs: plain JSON, no ECS timestamp decoding.
    this.db
      .prepare("INSERT OR REPLACE INTO heartbeats (cluster, id, at, expires_at, utilization) VALUES (?, ?, ?, ?, ?)")
      .run(
        record.cluster,
        record.id,
        record.at,
        record.expiresAt ?? null,
        record.utilization ? JSON.stringify(record.utilization) : null,
      );
  }

  async getHeartbeat(cluster: string, id: string) {
    const row = this.db
      .prepare(`SELECT * FROM heartbeats WHERE cluster = ? AND id = ? AND ${this.live}`)
      .get(cluster, id, this.now()) as HeartbeatRow | undefined;
    return row ? heartbeatOf(row) : undefined;
  }

  async listHeartbeats(cluster: string) {
    const rows = this.db
      .prepare(`SELECT * FROM heartbeats WHERE cluster = ? AND ${this.live}`)
      .all(cluster, this.now()) as HeartbeatRow[];
    return rows.map(heartbeatOf);
  }

  async commit(writes: Write[]) {
    checkResourceWrites(writes);
    this.purgeExpired();
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const write of writes) {
        if (write.kind === "resources") this.applyResources(write);
        else this.apply(write);
      }
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  private apply(write: RecordWrite) {
    const table = TABLES[write.kind] as Table<Kind>;
    const columns = table.columns(write.record);
    const keyWhere = table.key.map((k) => `${k} = ?`).join(" AND ");
    const keyValues = table.key.map((k) => columns[k]);
    const instance = write.kind === "containerInstance";
    const current = this.db
      .prepare(`SELECT ${instance ? "*" : "version, expires_at"} FROM ${table.name} WHERE ${keyWhere}`)
      .get(...keyValues) as ({ version: number; expires_at: number | null } & Partial<ResourceRow>) | undefined;
    // An expired record counts as absent: it is gone as far as any reader knows.
    const live = current && (current.expires_at === null || current.expires_at > this.now());
    const currentVersion = live ? current.version : null;
    if (currentVersion !== write.expectedVersion) {
      throw new ConflictError(
        `${write.kind} ${keyValues.join("/")} is at version ${currentVersion}, not ${write.expectedVersion}`,
      );
    }
    const row: Record<string, SQLInputValue> = {
      ...columns,
      version: (current?.version ?? 0) + 1,
      expires_at: write.record.expiresAt ?? null,
      data: encodeRecord(write.record),
    };
    if (write.kind === "containerInstance") {
      // The remaining resources stay as stored, but for the write that creates the instance.
      const resourcesVersion = current?.resources_version ?? 0;
      Object.assign(
        row,
        write.expectedVersion === null
          ? rowOfLeft(leftOf(write.record), resourcesVersion + 1)
          : rowOfLeft(leftOfRow(current as ResourceRow), resourcesVersion),
      );
    }
    const names = Object.keys(row);
    this.db
      .prepare(`INSERT OR REPLACE INTO ${table.name} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`)
      .run(...names.map((n) => row[n]));
  }

  /** A delta on the instance's remaining resources as they are now (see ResourceWrite). */
  private applyResources(write: ResourceWrite) {
    const current = this.db
      .prepare("SELECT * FROM container_instances WHERE cluster = ? AND id = ?")
      .get(write.cluster, write.id) as ({ status: string; expires_at: number | null } & ResourceRow) | undefined;
    const live = current && (current.expires_at === null || current.expires_at > this.now());
    const next =
      live && (!write.reserve || current.status === "ACTIVE") ? afterWrite(leftOfRow(current), write) : undefined;
    if (!current || !next) {
      throw new ConflictError(`container instance ${write.cluster}/${write.id} cannot take this reservation now`);
    }
    const row = rowOfLeft(next, current.resources_version + 1);
    this.db
      .prepare(
        `UPDATE container_instances SET cpu_left = ?, memory_left = ?, ports = ?, udp_ports = ?, resident_groups = ?,
           resources_version = ? WHERE cluster = ? AND id = ?`,
      )
      .run(
        row.cpu_left,
        row.memory_left,
        row.ports,
        row.udp_ports,
        row.resident_groups,
        row.resources_version,
        write.cluster,
        write.id,
      );
  }

  private purgeExpired() {
    const now = this.now();
    if (now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    // Expired task definitions stay: the highest revision ever registered decides the next one.
    const purged = Object.values(TABLES).filter((t) => t !== TABLES.taskDefinition);
    for (const name of [...purged.map((t) => t.name), ...UNVERSIONED_TABLES]) {
      this.db.prepare(`DELETE FROM ${name} WHERE expires_at IS NOT NULL AND expires_at <= ?`).run(now);
    }
  }

  async close() {
    this.db.close();
  }
}

function heartbeatOf(row: HeartbeatRow): HeartbeatRecord {
  return {
    cluster: row.cluster,
    id: row.id,
    at: row.at,
    ...(row.utilization === null ? {} : { utilization: JSON.parse(row.utilization) }),
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
  };
}

const twice = (v: string | undefined): [SQLInputValue, SQLInputValue] => [v ?? null, v ?? null];

function pageOf<T>(rows: T[], limit: number, cursor: (item: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: cursor(items[items.length - 1]) };
}
