import { LIVE_TASK_ATTRIBUTES, TTL_ATTRIBUTE, tableDefinition } from "../core/store/dynamo/table.ts";
import { isProduction } from "./stage.ts";

/**
 * Berth's one DynamoDB table, declared from the store's own schema (core/store/dynamo/table.ts):
 * the keys, the indexes and the liveTasks projection are read from it, never retyped here, so
 * the table SST creates is the one openDynamoStore creates locally. The stream (new and old
 * images) feeds the events function.
 */
const schema = tableDefinition("berth");

const fields = Object.fromEntries(
  (schema.AttributeDefinitions ?? []).map((a) => [a.AttributeName as string, "string" as const]),
);

const keyOf = (keys: { AttributeName?: string; KeyType?: string }[] | undefined, type: "HASH" | "RANGE") =>
  keys?.find((k) => k.KeyType === type)?.AttributeName as string;

const globalIndexes = Object.fromEntries(
  (schema.GlobalSecondaryIndexes ?? []).map((index) => [
    index.IndexName as string,
    {
      hashKey: keyOf(index.KeySchema, "HASH"),
      rangeKey: keyOf(index.KeySchema, "RANGE"),
      projection: index.Projection?.ProjectionType === "INCLUDE" ? LIVE_TASK_ATTRIBUTES : ("all" as const),
    },
  ]),
);

export const table = new sst.aws.Dynamo("Table", {
  fields,
  primaryIndex: { hashKey: keyOf(schema.KeySchema, "HASH"), rangeKey: keyOf(schema.KeySchema, "RANGE") },
  globalIndexes,
  ttl: TTL_ATTRIBUTE,
  stream: "new-and-old-images",
  deletionProtection: isProduction($app.stage),
});
