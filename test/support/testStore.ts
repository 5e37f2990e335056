import { randomUUID } from "node:crypto";
import { inject } from "vitest";

declare module "vitest" {
  interface ProvidedContext {
    /** DynamoDB Local's URL, in the vitest project that reruns the API suites on DynamoDB. */
    dynamodbEndpoint: string;
  }
}

/**
 * The store of the servers tests start, as local mode's environment variables: SQLite by
 * default; in the `dynamodb` project (BERTH_TEST_STORE=dynamodb, see vitest.config.ts) a new
 * table on the DynamoDB Local its global setup started.
 */
export function testStoreEnv(): Record<string, string> {
  if (process.env.BERTH_TEST_STORE !== "dynamodb") return {};
  return {
    BERTH_STORE: "dynamodb",
    BERTH_DYNAMODB_ENDPOINT: inject("dynamodbEndpoint"),
    BERTH_TABLE: `berth-test-${randomUUID()}`,
  };
}
