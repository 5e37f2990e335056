import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError, type Write } from "../port.ts";
import { Expression } from "./expression.ts";
import { itemOf, keyOf, RECORD_ATTRIBUTES } from "./items.ts";

/** TransactWriteItems takes at most 100 writes; core commits a placement's tasks and instances, far fewer. */
const MAX_WRITES = 100;

/** Cancellation reasons that mean "a record moved on": the caller re-reads and retries. */
const CONFLICTS = new Set(["ConditionalCheckFailed", "TransactionConflict"]);

/**
 * Applies writes all or none: one conditional UpdateItem alone, a TransactWriteItems otherwise.
 * Each write's condition is its expected version (an update) or the record's absence (a create;
 * an expired item counts as absent). An Update, not a Put, because the new version is the
 * item's own plus one: a create that replaces an expired item moves its version on too, so a
 * writer that read the old record before it expired still loses.
 */
export async function commitWrites(doc: DynamoDBDocumentClient, table: string, writes: Write[], now: number) {
  if (writes.length > MAX_WRITES) throw new Error(`A commit takes at most ${MAX_WRITES} writes, not ${writes.length}.`);
  const updates = writes.map((write) => ({ TableName: table, ...updateOf(write, now) }));
  try {
    if (updates.length === 1) await doc.send(new UpdateCommand(updates[0]));
    else if (updates.length > 1)
      await doc.send(new TransactWriteCommand({ TransactItems: updates.map((Update) => ({ Update })) }));
  } catch (error) {
    throw asConflict(error, writes) ?? error;
  }
}

function updateOf(write: Write, now: number) {
  const item = itemOf(write.kind, write.record);
  const e = new Expression();
  const set = [`${e.name("version")} = if_not_exists(${e.name("version")}, ${e.value(0)}) + ${e.value(1)}`];
  const remove: string[] = [];
  for (const attribute of RECORD_ATTRIBUTES) {
    if (item[attribute] === undefined) remove.push(e.name(attribute));
    else set.push(e.eq(attribute, item[attribute]));
  }
  const condition =
    write.expectedVersion === null ? e.absent(now) : `${e.eq("version", write.expectedVersion)} AND ${e.live(now)}`;
  return {
    Key: keyOf(item),
    UpdateExpression: `SET ${set.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}`,
    ConditionExpression: condition,
    ...e.params(),
  };
}

function asConflict(error: unknown, writes: Write[]): ConflictError | undefined {
  if (error instanceof ConditionalCheckFailedException) {
    return new ConflictError(`${writes[0].kind} changed since it was read`);
  }
  if (error instanceof TransactionCanceledException) {
    const reasons = (error.CancellationReasons ?? []).map((r) => r.Code ?? "None").filter((c) => c !== "None");
    if (reasons.every((code) => CONFLICTS.has(code))) {
      return new ConflictError(`a record changed since it was read (${reasons.join(", ") || error.message})`);
    }
  }
  return undefined;
}
