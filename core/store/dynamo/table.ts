import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * Berth's one DynamoDB table: generic key attributes (pk/sk and gsiNpk/gsiNsk) that every kind
 * of record fills in its own way (see keys/), and one global index per family of access patterns.
 * This is the schema's single definition: openDynamoStore creates the table from it, and the
 * infrastructure code declares the same one.
 */
export const INDEXES = {
  /** Every record of a kind in key order: clusters by name, task definitions by family and revision. */
  ordered: { pk: "gsi1pk", sk: "gsi1sk" },
  /** Records of one status in their parent's key order: task definitions by status, a cluster's tasks by desiredStatus. */
  byStatus: { pk: "gsi2pk", sk: "gsi2sk" },
  /** What belongs to one host: a cluster's tasks on a container instance, its container instances by EC2 instance id. */
  byInstance: { pk: "gsi3pk", sk: "gsi3sk" },
  /** A cluster's tasks that are not STOPPED, with only what placement and the counters need. */
  liveTasks: { pk: "gsi4pk", sk: "gsi4sk" },
} as const;

export type IndexName = keyof typeof INDEXES;

/** What liveTasks projects: counted and grouped on every placement, so kept to a few bytes a task. */
export const LIVE_TASK_ATTRIBUTES = ["lastStatus", "group", "containerInstanceId", "expiresAt"];

/** DynamoDB deletes items (lazily) once this attribute, in epoch seconds, has passed. */
export const TTL_ATTRIBUTE = "ttl";

export const DEFAULT_TABLE = "berth";

export function tableDefinition(name: string): CreateTableCommandInput {
  const keyAttributes = ["pk", "sk", ...Object.values(INDEXES).flatMap((i) => [i.pk, i.sk])];
  return {
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: keyAttributes.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: Object.entries(INDEXES).map(([IndexName, keys]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: keys.pk, KeyType: "HASH" },
        { AttributeName: keys.sk, KeyType: "RANGE" },
      ],
      Projection:
        IndexName === "liveTasks"
          ? { ProjectionType: "INCLUDE", NonKeyAttributes: LIVE_TASK_ATTRIBUTES }
          : { ProjectionType: "ALL" },
    })),
    // The events function turns changes into EventBridge events (task state changes and the like).
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
  };
}
