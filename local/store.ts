import { join } from "node:path";
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

/** Opens the chosen store; a DynamoDB table is created when missing. */
export function openStore(options: {
  store: StoreChoice;
  dataDir: string;
  partition: { region: string };
}): Promise<Store> {
  const { store } = options;
  if (store.kind === "sqlite") return openSqliteStore(join(options.dataDir, "berth.sqlite"));
  // DynamoDB Local takes any key: a dummy one when none is configured, so that it runs without
  // AWS credentials. Real DynamoDB gets the SDK's usual credential chain.
  const configured = process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE;
  return openDynamoStore({
    endpoint: store.endpoint,
    credentials: store.endpoint && !configured ? { accessKeyId: "local", secretAccessKey: "local" } : undefined,
    // The SDK's region (AWS_REGION) when set, else the partition's: where Berth says it runs.
    region: process.env.AWS_REGION ?? options.partition.region,
    table: store.table,
  });
}

export const describeStore = (store: StoreChoice, dataDir: string) =>
  store.kind === "sqlite"
    ? `SQLite, ${join(dataDir, "berth.sqlite")}`
    : `DynamoDB table ${store.table} at ${store.endpoint ?? "AWS"}`;
