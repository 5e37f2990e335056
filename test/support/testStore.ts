import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { inject } from "vitest";
import type { ActionContext } from "../../core/operations/context.ts";
import { openDynamoStore } from "../../core/store/dynamo.ts";
import type { Store } from "../../core/store/port.ts";
import { openSqliteStore } from "../../core/store/sqlite.ts";
import { localClientConfig } from "./dynamodbLocal.ts";

declare module "vitest" {
  interface ProvidedContext {
    /** DynamoDB Local's URL, in the vitest project that reruns the API suites on DynamoDB. */
    dynamodbEndpoint: string;
  }
}

/**
 * The store of the servers tests start, as local mode's environment variables: SQLite by
 * default; in the `dynamodb` project (BERTH_TEST_STORE=dynamodb, see vitest.config.ts) a table
 * on the DynamoDB Local its global setup started: one per data dir, so that a server restarted
 * on the same data dir finds its state again, as it would in its SQLite file.
 */
export function testStoreEnv(dataDir?: string): Record<string, string> {
  if (process.env.BERTH_TEST_STORE !== "dynamodb") return {};
  return {
    BERTH_STORE: "dynamodb",
    BERTH_DYNAMODB_ENDPOINT: inject("dynamodbEndpoint"),
    BERTH_TABLE: `berth-test-${dataDir ? basename(dataDir) : randomUUID()}`,
  };
}

/**
 * A store for a suite that calls actions or handlers directly: in-memory SQLite by default; in
 * the `dynamodb` project a new table on its DynamoDB Local. `now` is the store's clock for
 * expiry, for suites that move time by hand.
 */
export function openTestStore(now: () => number = Date.now): Promise<Store> {
  if (process.env.BERTH_TEST_STORE !== "dynamodb") return openSqliteStore(":memory:", now);
  return openDynamoStore({
    ...localClientConfig(inject("dynamodbEndpoint")),
    table: `berth-test-${randomUUID()}`,
    now,
  });
}

/**
 * An ActionContext on a fresh test store for suites that call actions and handlers directly,
 * with a clock they move by hand (`clock()`, epoch ms), in local mode's partition.
 */
export async function clockedContext(
  clock: () => number,
  onBackgroundError: ActionContext["onBackgroundError"] = () => {},
): Promise<ActionContext> {
  return {
    store: await openTestStore(clock),
    partition: { region: "us-east-1", accountId: "000000000000" },
    now: () => new Date(clock()),
    onBackgroundError,
  };
}
