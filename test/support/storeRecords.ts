import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { DynamoDBClient, paginateScan } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { openDynamoStore } from "../../core/store/dynamo.ts";
import type { Store } from "../../core/store/port.ts";
import { openSqliteStore } from "../../core/store/sqlite.ts";
import { localClientConfig } from "./dynamodbLocal.ts";

/** A test store whose every record can be read back raw, below the Store port. */
export interface RecordedStore {
  store: Store;
  /**
   * Every live record the store holds, as it is stored (keys, versions, remaining resources,
   * heartbeats, idempotency records), as one string; but the audit trail, which records refused
   * calls too. Equal before and after a call that wrote nothing.
   */
  records(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The test store (testStore.ts: SQLite, or DynamoDB Local in the `dynamodb` project) on a file or
 * table this helper can read whole: every SQLite table with a second connection, every DynamoDB
 * item with a Scan. Expired records are left out, as the store's reads skip them (and the SQLite
 * store purges them during any commit, an audit event's included).
 */
export async function openRecordedTestStore(now: () => number = Date.now): Promise<RecordedStore> {
  if (process.env.BERTH_TEST_STORE === "dynamodb") return openRecordedDynamoStore(now);
  const dir = mkdtempSync(join(tmpdir(), "berth-records-"));
  const path = join(dir, "berth.db");
  const store = await openSqliteStore(path, now);
  const reader = new DatabaseSync(path, { readOnly: true });
  const tables = (
    reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  )
    .map((t) => t.name)
    .filter((name) => name !== "audit_events");
  const reads = tables.map((name) => {
    const columns = (reader.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).map((c) => c.name);
    const live = columns.includes("expires_at") ? "WHERE expires_at IS NULL OR expires_at > ?" : "WHERE ? IS NOT NULL";
    return { name, statement: reader.prepare(`SELECT * FROM ${name} ${live} ORDER BY rowid`) };
  });
  return {
    store,
    records: async () => JSON.stringify(reads.map(({ name, statement }) => [name, statement.all(now())])),
    close: async () => {
      await store.close();
      reader.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openRecordedDynamoStore(now: () => number): Promise<RecordedStore> {
  const table = `berth-test-${randomUUID()}`;
  const client = new DynamoDBClient(localClientConfig(inject("dynamodbEndpoint")));
  const store = await openDynamoStore({ client, table, now });
  return {
    store,
    records: async () => {
      const items: string[] = [];
      for await (const page of paginateScan({ client }, { TableName: table, ConsistentRead: true })) {
        for (const item of page.Items ?? []) {
          if (item.pk?.S?.startsWith("AUDIT#")) continue;
          const expiresAt = item.expiresAt?.N;
          if (expiresAt !== undefined && Number(expiresAt) <= now()) continue;
          items.push(JSON.stringify(sortedKeys(item)));
        }
      }
      return items.sort().join("\n");
    },
    close: async () => {
      await store.close();
      client.destroy();
    },
  };
}

/** A copy with every object's keys in order, so that equal items print equal. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}
