import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient, paginateListTables } from "@aws-sdk/client-dynamodb";
import { DEFAULT_TABLE } from "../core/store/dynamo/table.ts";
import { openDynamoStore } from "../core/store/dynamo.ts";
import type { Store } from "../core/store/port.ts";
import { openSqliteStore } from "../core/store/sqlite.ts";

/** Where local mode keeps its state: SQLite in the data dir (the default), or a DynamoDB table. */
export type StoreChoice =
  | { kind: "sqlite" }
  | {
      kind: "dynamodb";
      /** DynamoDB Local's URL, say; real DynamoDB (the AWS credential chain) when absent. */
      endpoint?: string;
      table: string;
    };

export function storeChoice(
  flags: { store?: string; "dynamodb-endpoint"?: string; table?: string },
  env: Record<string, string | undefined>,
): StoreChoice {
  const kind = flags.store ?? env.BERTH_STORE ?? "sqlite";
  if (kind === "sqlite") return { kind };
  if (kind !== "dynamodb") throw new Error(`--store / BERTH_STORE must be sqlite or dynamodb, not '${kind}'.`);
  const endpoint = flags["dynamodb-endpoint"] ?? env.BERTH_DYNAMODB_ENDPOINT;
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new Error(`--dynamodb-endpoint / BERTH_DYNAMODB_ENDPOINT must be a URL, not '${endpoint}'.`);
  }
  const table = flags.table ?? env.BERTH_TABLE ?? DEFAULT_TABLE;
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(table)) {
    throw new Error(
      `--table / BERTH_TABLE must be a DynamoDB table name (3 to 255 of a-z A-Z 0-9 _ . -), not '${table}'.`,
    );
  }
  return { kind, endpoint, table };
}

export interface StoreLocation {
  store: StoreChoice;
  dataDir: string;
  /** The default region, whose records are in `berth.sqlite` or the table itself. */
  partition: { region: string };
}

/**
 * Where a region's records are: the default region's in `berth.sqlite` or the table as named,
 * any other region's beside them, in `berth.<region>.sqlite` or the table `<table>.<region>`.
 */
const SQLITE_FILE = /^berth\.([a-z0-9-]+)\.sqlite$/;
const sqliteFile = (location: StoreLocation, region: string) =>
  join(location.dataDir, region === location.partition.region ? "berth.sqlite" : `berth.${region}.sqlite`);
const tableName = (table: string, location: StoreLocation, region: string) =>
  region === location.partition.region ? table : `${table}.${region}`;

/** Opens the chosen store of a region (the default region when absent); a DynamoDB table is created when missing. */
export function openStore(location: StoreLocation, region = location.partition.region): Promise<Store> {
  const { store } = location;
  if (store.kind === "sqlite") return openSqliteStore(sqliteFile(location, region));
  return openDynamoStore({ ...dynamoClientConfig(store, location), table: tableName(store.table, location, region) });
}

/** The regions other than the default one that have records already (their control planes start with the server). */
export async function regionsInStore(location: StoreLocation, isRegion: (name: string) => boolean): Promise<string[]> {
  const { store } = location;
  const named =
    store.kind === "sqlite"
      ? readdirSync(location.dataDir).map((file) => SQLITE_FILE.exec(file)?.[1])
      : await tableRegions(store, location);
  return named.filter((r): r is string => r !== undefined && r !== location.partition.region && isRegion(r));
}

async function tableRegions(store: Extract<StoreChoice, { kind: "dynamodb" }>, location: StoreLocation) {
  const client = new DynamoDBClient(dynamoClientConfig(store, location));
  try {
    const regions: string[] = [];
    for await (const page of paginateListTables({ client }, {})) {
      for (const name of page.TableNames ?? []) {
        if (name.startsWith(`${store.table}.`)) regions.push(name.slice(store.table.length + 1));
      }
    }
    return regions;
  } finally {
    client.destroy();
  }
}

function dynamoClientConfig(store: Extract<StoreChoice, { kind: "dynamodb" }>, location: StoreLocation) {
  // DynamoDB Local takes any key: a dummy one when none is configured, so that it runs without
  // AWS credentials. Real DynamoDB gets the SDK's usual credential chain.
  const configured = process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE;
  return {
    endpoint: store.endpoint,
    credentials: store.endpoint && !configured ? { accessKeyId: "local", secretAccessKey: "local" } : undefined,
    // The SDK's region (AWS_REGION) when set, else the default region's: every region's table is there.
    region: process.env.AWS_REGION ?? location.partition.region,
  };
}

export const describeStore = (store: StoreChoice, dataDir: string) =>
  store.kind === "sqlite"
    ? `SQLite, ${join(dataDir, "berth.sqlite")}`
    : `DynamoDB table ${store.table} at ${store.endpoint ?? "AWS"}`;
