import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync as Database, SQLInputValue, StatementSync } from "node:sqlite";
import type {
  ContainerInstanceRecord,
  HeartbeatRecord,
  StoredEventRecord,
  UtilizationSample,
} from "../model/records.ts";
import type { ResourceWrite } from "../model/reservation.ts";
import { PENDING_STATUSES } from "../model/taskState.ts";
import { encodeRecord } from "./encoding.ts";
import { eventCursor, eventPosition } from "./eventCursor.ts";
import { afterWrite, checkResourceWrites, InstanceCache, leftOf } from "./instanceResources.ts";
import type { Kind, RecordKinds } from "./kinds.ts";
import {
  ConflictError,
  type EventQuery,
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
import { ClusterRows } from "./sqlite/clusterRows.ts";
import { migrate } from "./sqlite/migrations.ts";
import {
  type HeartbeatRow,
  heartbeatOf,
  leftOfRow,
  type ResourceRow,
  type Row,
  recordOfRow,
  rowOfLeft,
  TABLES,
  type Table,
} from "./sqlite/rows.ts";
import { SCHEMA, UNVERSIONED_TABLES } from "./sqlite/schema.ts";

/** The statuses countTasks counts, as SQL: RUNNING and the pending ones. */
const LIVE_COUNTED = ["RUNNING", ...PENDING_STATUSES].map((s) => `'${s}'`).join(", ");

/** A container instance's columns but its data: what says whether its decoded record is current. */
const INSTANCE_HEAD = `cluster, id, status, version, expires_at, cpu_left, memory_left, ports, udp_ports, resident_groups,
  resources_version`;
type InstanceHead = Omit<Row, "data"> & ResourceRow & { cluster: string; id: string; status: string };

/** How often expired records are purged; reads already skip them. */
const PURGE_EVERY_MS = 60_000;

/**
 * The embedded Store: one SQLite file in the data dir (WAL, synchronous=NORMAL survives a kill -9
 * of the process), or `:memory:`. Each record is kept as JSON beside the columns its access
 * patterns filter and sort on (sqlite/schema.ts), derived from the record in sqlite/rows.ts.
 */
export async function openSqliteStore(path: string, now: () => number = Date.now): Promise<Store> {
  const { DatabaseSync } = await import("node:sqlite").catch(() => {
    throw new Error("The SQLite store needs node:sqlite (Node.js >= 22.13, or 22.12 with --experimental-sqlite).");
  });
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
  db.exec(SCHEMA);
  migrate(db, now());
  return new SqliteStore(db, now);
}

class SqliteStore implements Store {
  private lastPurge = 0;
  private readonly decodedInstances = new InstanceCache();
  private dataVersion: number | undefined;
  /** Each cluster's container instances (all columns but the data) and heartbeats, as last read. */
  private readonly instanceHeads = new ClusterRows<InstanceHead>(
    (cluster) =>
      this.statement(`SELECT ${INSTANCE_HEAD} FROM container_instances WHERE cluster = ?`).all(
        cluster,
      ) as InstanceHead[],
    (cluster, id) =>
      this.statement(`SELECT ${INSTANCE_HEAD} FROM container_instances WHERE cluster = ? AND id = ?`).get(
        cluster,
        id,
      ) as InstanceHead | undefined,
  );
  private readonly recordOfKeptHead = new WeakMap<InstanceHead, ContainerInstanceRecord>();
  private readonly heartbeatOfKeptRow = new WeakMap<HeartbeatRow, HeartbeatRecord>();
  private readonly heartbeats = new ClusterRows<HeartbeatRow>(
    (cluster) => this.statement("SELECT * FROM heartbeats WHERE cluster = ?").all(cluster) as HeartbeatRow[],
    (cluster, id) =>
      this.statement("SELECT * FROM heartbeats WHERE cluster = ? AND id = ?").get(cluster, id) as
        | HeartbeatRow
        | undefined,
  );
  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  private live = "(expires_at IS NULL OR expires_at > ?)";

  /** Statements prepared once per SQL text (a bounded set: the texts below), not once per call. */
  private readonly statements = new Map<string, StatementSync>();

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private all<K extends Kind>(sql: string, ...params: SQLInputValue[]): RecordKinds[K][] {
    return (this.statement(sql).all(...params) as Row[]).map((row) => recordOfRow<K>(row));
  }

  private one<K extends Kind>(sql: string, ...params: SQLInputValue[]): RecordKinds[K] | undefined {
    const row = this.statement(sql).get(...params) as Row | undefined;
    return row ? recordOfRow<K>(row) : undefined;
  }

  /**
   * Container instances matching `where`: their versions first, then the JSON of only those not
   * already decoded at that version (placement reads every instance of a cluster on each launch,
   * and few change between two launches).
   */
  private instances(where: string, ...params: SQLInputValue[]): ContainerInstanceRecord[] {
    const heads = this.statement(`SELECT ${INSTANCE_HEAD} FROM container_instances WHERE ${where}`).all(
      ...params,
    ) as InstanceHead[];
    return heads.map((head) => this.instanceOfHead(head));
  }

  private instanceOfHead(head: InstanceHead): ContainerInstanceRecord {
    return this.decodedInstances.get(
      `${head.cluster}/${head.id}`,
      { version: head.version, resourcesVersion: head.resources_version, left: () => leftOfRow(head) },
      () => {
        const { data } = this.statement("SELECT data FROM container_instances WHERE cluster = ? AND id = ?").get(
          head.cluster,
          head.id,
        ) as { data: string };
        return recordOfRow<"containerInstance">({ ...head, data });
      },
    );
  }

  /**
   * Drops the rows kept per cluster when another connection (another process on the same file)
   * has committed since the last look: this connection's own writes refresh them as they commit.
   */
  private forgetOthersWrites() {
    const { data_version } = this.statement("PRAGMA data_version").get() as { data_version: number };
    if (data_version === this.dataVersion) return;
    this.dataVersion = data_version;
    this.instanceHeads.clear();
    this.heartbeats.clear();
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
      ? revisionCursor(page.after, desc)
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
    const rows = this.statement(
      `SELECT family FROM task_definitions
         WHERE substr(family, 1, ?) = ? AND family > ? AND ${this.live}
         GROUP BY family HAVING ? IS NULL OR max(status = 'ACTIVE') = (? = 'ACTIVE')
         ORDER BY family LIMIT ?`,
    ).all(prefix.length, prefix, page.after ?? "", this.now(), status, status, page.limit + 1) as { family: string }[];
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
    this.forgetOthersWrites();
    return this.instanceHeads
      .rows(cluster, this.now())
      .filter((head) => status === undefined || head.status === status)
      .map((head) => {
        // A kept head is replaced when its row is written: the record put together for it holds.
        let record = this.recordOfKeptHead.get(head);
        if (!record) {
          record = this.instanceOfHead(head);
          this.recordOfKeptHead.set(head, record);
        }
        return record;
      });
  }

  async getTask(cluster: string, id: string) {
    return this.one<"task">(
      `SELECT * FROM tasks WHERE cluster = ? AND id = ? AND ${this.live}`,
      cluster,
      id,
      this.now(),
    );
  }

  async getTasks(cluster: string, ids: string[]) {
    if (ids.length === 0) return [];
    return this.all<"task">(
      `SELECT * FROM tasks WHERE cluster = ? AND id IN (SELECT value FROM json_each(?)) AND ${this.live}`,
      cluster,
      JSON.stringify(ids),
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
    const rows = this.statement(
      `SELECT container_instance, task_group, last_status, count(*) AS n FROM tasks
         WHERE cluster = ? AND last_status IS NOT 'STOPPED' AND container_instance IS NOT NULL
           AND (? IS NULL OR task_group = ?) AND ${this.live}
         GROUP BY container_instance, task_group, last_status`,
    ).all(cluster, group ?? null, group ?? null, this.now()) as {
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
    const rows = this.statement(
      `SELECT last_status, count(*) AS n FROM tasks WHERE cluster = ? AND last_status IN (${LIVE_COUNTED})
         AND ${this.live} GROUP BY last_status`,
    ).all(cluster, this.now()) as { last_status: string; n: number }[];
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
    const rows = this.statement(
      `SELECT status, count(*) AS n FROM services WHERE cluster = ? AND ${this.live} GROUP BY status`,
    ).all(cluster, this.now()) as { status: string; n: number }[];
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

  async getCapacityProvider(name: string) {
    return this.one<"capacityProvider">(
      `SELECT * FROM capacity_providers WHERE name = ? AND ${this.live}`,
      name,
      this.now(),
    );
  }

  async getAlarm(name: string) {
    return this.one<"alarm">(`SELECT * FROM alarms WHERE name = ? AND ${this.live}`, name, this.now());
  }

  async listAlarms(page: PageRequest) {
    const rows = this.all<"alarm">(
      `SELECT * FROM alarms WHERE name > ? AND ${this.live} ORDER BY name LIMIT ?`,
      page.after ?? "",
      this.now(),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => r.name);
  }

  async listServiceAlarms(cluster: string, service: string) {
    return this.all<"alarm">(
      `SELECT * FROM alarms WHERE cluster = ? AND service = ? AND ${this.live} ORDER BY name`,
      cluster,
      service,
      this.now(),
    );
  }

  async listCapacityProviders(page: PageRequest) {
    const rows = this.all<"capacityProvider">(
      `SELECT * FROM capacity_providers WHERE name > ? AND ${this.live} ORDER BY name LIMIT ?`,
      page.after ?? "",
      this.now(),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, (r) => r.name);
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
    const replaced = this.statement("SELECT * FROM heartbeats WHERE cluster = ? AND id = ?").get(
      record.cluster,
      record.id,
    ) as HeartbeatRow | undefined;
    // Utilization holds only numbers and ARNs: plain JSON, no ECS timestamp decoding.
    this.statement(
      "INSERT OR REPLACE INTO heartbeats (cluster, id, at, expires_at, utilization) VALUES (?, ?, ?, ?, ?)",
    ).run(
      record.cluster,
      record.id,
      record.at,
      record.expiresAt ?? null,
      record.utilization ? JSON.stringify(record.utilization) : null,
    );
    this.heartbeats.refresh(record.cluster, record.id);
    return replaced && heartbeatOf(replaced);
  }

  async getHeartbeat(cluster: string, id: string) {
    const row = this.statement(`SELECT * FROM heartbeats WHERE cluster = ? AND id = ? AND ${this.live}`).get(
      cluster,
      id,
      this.now(),
    ) as HeartbeatRow | undefined;
    return row ? heartbeatOf(row) : undefined;
  }

  async listHeartbeats(cluster: string) {
    this.forgetOthersWrites();
    return this.heartbeats.rows(cluster, this.now()).map((row) => {
      let heartbeat = this.heartbeatOfKeptRow.get(row);
      if (!heartbeat) {
        heartbeat = Object.freeze(heartbeatOf(row));
        this.heartbeatOfKeptRow.set(row, heartbeat);
      }
      return heartbeat;
    });
  }

  async putUtilizationSample(cluster: string, id: string, slot: number, sample: UtilizationSample, expiresAt: number) {
    this.statement(
      `INSERT OR REPLACE INTO utilization_samples
       (cluster, id, slot, at, cpu_percent, memory_used_mib, memory_total_mib, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(cluster, id, slot, sample.at, sample.cpuPercent, sample.memoryUsedMiB, sample.memoryTotalMiB, expiresAt);
    // The history expires as a whole, as its one DynamoDB item does.
    this.statement("UPDATE utilization_samples SET expires_at = ? WHERE cluster = ? AND id = ?").run(
      expiresAt,
      cluster,
      id,
    );
  }

  async getUtilizationHistory(cluster: string, id: string) {
    return this.statement(
      `SELECT at, cpu_percent AS cpuPercent, memory_used_mib AS memoryUsedMiB, memory_total_mib AS memoryTotalMiB
       FROM utilization_samples WHERE cluster = ? AND id = ? AND ${this.live} ORDER BY at`,
    )
      .all(cluster, id, this.now())
      .map((row) => ({ ...row }) as unknown as UtilizationSample);
  }

  async putEvents(events: StoredEventRecord[]) {
    const insert = this.statement(
      `INSERT OR REPLACE INTO stored_events (cluster, id, time, source, detail_type, resources, detail, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // One transaction for the batch: a commit each would write the WAL once per event.
    this.statement("BEGIN IMMEDIATE").run();
    try {
      for (const e of events) {
        insert.run(e.cluster, e.id, e.time, e.source, e.detailType, JSON.stringify(e.resources), e.detail, e.expiresAt);
      }
      this.statement("COMMIT").run();
    } catch (error) {
      this.statement("ROLLBACK").run();
      throw error;
    }
  }

  async listEvents(query: EventQuery) {
    // The same contract as DynamoDB's: `reads` rows at most are read, the filter applied to them.
    const after = query.after === undefined ? undefined : eventPosition(query.after);
    const rows = this.statement(
      `SELECT * FROM stored_events WHERE (? IS NULL OR cluster = ?) AND ${this.live}
       AND (? IS NULL OR id < ? OR (id = ? AND cluster < ?))
       ORDER BY id DESC, cluster DESC LIMIT ?`,
    ).all(
      query.cluster ?? null,
      query.cluster ?? null,
      this.now(),
      after?.id ?? null,
      after?.id ?? null,
      after?.id ?? null,
      after?.cluster ?? null,
      query.reads,
    ) as Record<string, string | number>[];
    const events = rows.map(storedEventOfRow);
    const matched = events.filter((e) => query.detailType === undefined || e.detailType === query.detailType);
    if (matched.length > query.limit) {
      const items = matched.slice(0, query.limit);
      return { items, next: eventCursor(items[items.length - 1]) };
    }
    const last = events[events.length - 1];
    return { items: matched, next: events.length === query.reads ? eventCursor(last) : undefined };
  }

  async commit(writes: Write[]) {
    checkResourceWrites(writes);
    this.purgeExpired();
    this.statement("BEGIN IMMEDIATE").run();
    try {
      for (const write of writes) {
        if (write.kind === "resources") this.applyResources(write);
        else this.apply(write);
      }
      this.statement("COMMIT").run();
    } catch (error) {
      this.statement("ROLLBACK").run();
      throw error;
    }
    for (const write of writes) {
      if (write.kind === "resources") this.instanceHeads.refresh(write.cluster, write.id);
      else if (write.kind === "containerInstance") this.instanceHeads.refresh(write.record.cluster, write.record.id);
    }
  }

  private apply(write: RecordWrite) {
    const table = TABLES[write.kind] as Table<Kind>;
    const columns = table.columns(write.record);
    const keyWhere = table.key.map((k) => `${k} = ?`).join(" AND ");
    const keyValues = table.key.map((k) => columns[k]);
    const instance = write.kind === "containerInstance";
    const current = this.statement(
      `SELECT ${instance ? "*" : "version, expires_at"} FROM ${table.name} WHERE ${keyWhere}`,
    ).get(...keyValues) as ({ version: number; expires_at: number | null } & Partial<ResourceRow>) | undefined;
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
    this.statement(
      `INSERT OR REPLACE INTO ${table.name} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
    ).run(...names.map((n) => row[n]));
  }

  /** A delta on the instance's remaining resources as they are now (see ResourceWrite). */
  private applyResources(write: ResourceWrite) {
    const current = this.statement("SELECT * FROM container_instances WHERE cluster = ? AND id = ?").get(
      write.cluster,
      write.id,
    ) as ({ status: string; expires_at: number | null } & ResourceRow) | undefined;
    const live = current && (current.expires_at === null || current.expires_at > this.now());
    const next =
      live && (!write.reserve || current.status === "ACTIVE") ? afterWrite(leftOfRow(current), write) : undefined;
    if (!current || !next) {
      throw new ConflictError(`container instance ${write.cluster}/${write.id} cannot take this reservation now`);
    }
    const row = rowOfLeft(next, current.resources_version + 1);
    this.statement(
      `UPDATE container_instances SET cpu_left = ?, memory_left = ?, ports = ?, udp_ports = ?, resident_groups = ?,
           resources_version = ? WHERE cluster = ? AND id = ?`,
    ).run(
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
      this.statement(`DELETE FROM ${name} WHERE expires_at IS NOT NULL AND expires_at <= ?`).run(now);
    }
    this.instanceHeads.clear();
    this.heartbeats.clear();
  }

  async close() {
    this.db.close();
  }
}

/**
 * A task definition list's cursor, `[family, revision]` as JSON; one this store did not make (a
 * crafted nextToken) is a family name to page past, as the DynamoDB store takes it.
 */
function revisionCursor(after: string, desc: boolean): [string, number] {
  try {
    const cursor = JSON.parse(after);
    if (Array.isArray(cursor) && typeof cursor[0] === "string" && Number.isInteger(cursor[1]))
      return [cursor[0], cursor[1]];
  } catch {}
  return [after, desc ? 0 : Number.MAX_SAFE_INTEGER];
}

const twice = (v: string | undefined): [SQLInputValue, SQLInputValue] => [v ?? null, v ?? null];

function pageOf<T>(rows: T[], limit: number, cursor: (item: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: cursor(items[items.length - 1]) };
}

function storedEventOfRow(r: Record<string, string | number>): StoredEventRecord {
  return {
    cluster: r.cluster as string,
    id: r.id as string,
    time: r.time as number,
    source: r.source as string,
    detailType: r.detail_type as string,
    resources: JSON.parse(r.resources as string),
    detail: r.detail as string,
    expiresAt: r.expires_at as number,
  };
}
