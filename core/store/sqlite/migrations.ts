// Bringing a file made by an older Berth up to the schema, on open: SQLite's CREATE TABLE IF NOT
// EXISTS adds missing tables and indexes, but columns added later need an ALTER TABLE and values
// filled from what the file already holds. Each step checks for its column, so it runs once.
import type { DatabaseSync as Database } from "node:sqlite";
import type { ContainerInstanceRecord } from "../../model/records.ts";
import { decodeRecord } from "../encoding.ts";
import { leftOf } from "../instanceResources.ts";
import { type Row, rowOfLeft } from "./rows.ts";
import { GROUPS_COLUMN, RESOURCE_COLUMNS } from "./schema.ts";

/** Adds what a file from before the resource columns and the group counts lacks. */
export function migrate(db: Database, now: number) {
  addResourceColumns(db);
  addGroupCounts(db, now);
}

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
