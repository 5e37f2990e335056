import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Kind, RecordChange } from "../kinds.ts";

import { recordOf } from "./items.ts";

/** A DynamoDB stream record's change, as Lambda delivers it (new and old images, marshalled). */
export interface StreamChange {
  NewImage?: Record<string, unknown>;
  OldImage?: Record<string, unknown>;
}

const KINDS: Kind[] = ["cluster", "taskDefinition", "containerInstance", "task", "idempotency", "service"];

/**
 * The store's change in a stream record: both images decoded back into records, as the store
 * reads them (items.ts). Items that are no record (heartbeats, written apart from commits) make
 * no change.
 */
export function changeOfStreamRecord(change: StreamChange): RecordChange | undefined {
  const decode = (image: Record<string, unknown> | undefined) =>
    image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
  const newItem = decode(change.NewImage);
  const oldItem = decode(change.OldImage);
  const kind = (newItem ?? oldItem)?.kind as Kind;
  if (!KINDS.includes(kind)) return undefined;
  return {
    kind,
    old: oldItem && recordOf(oldItem),
    new: newItem && recordOf(newItem),
  } as RecordChange;
}
