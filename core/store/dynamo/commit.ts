import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ContainerInstanceRecord } from "../../model/records.ts";
import type { ResourceWrite } from "../../model/reservation.ts";
import { checkResourceWrites, leftOf } from "../instanceResources.ts";
import { ConflictError, type RecordWrite, type Write } from "../port.ts";
import { Expression } from "./expression.ts";
import { itemOf, keyOf, portMap, RECORD_ATTRIBUTES } from "./items.ts";
import { containerInstanceKey } from "./keys/containerInstance.ts";

/** TransactWriteItems takes at most 100 writes; core commits a placement's tasks and instances, far fewer. */
const MAX_WRITES = 100;

/** Cancellation reasons that mean "a record moved on": the caller re-reads and retries. */
const CONFLICTS = new Set(["ConditionalCheckFailed", "TransactionConflict"]);

/**
 * Applies writes all or none: one conditional UpdateItem alone, a TransactWriteItems otherwise.
 * Writes to one item (an instance's record and its resources, at re-registration) become one
 * Update, as a transaction may touch an item only once.
 */
export async function commitWrites(doc: DynamoDBDocumentClient, table: string, writes: Write[], now: number) {
  checkResourceWrites(writes);
  const byItem = new Map<string, Update>();
  for (const write of writes) {
    const key =
      write.kind === "resources"
        ? containerInstanceKey(write.cluster, write.id)
        : keyOf(itemOf(write.kind, write.record));
    const id = `${key.pk}\u0000${key.sk}`;
    const update = byItem.get(id) ?? new Update(key);
    byItem.set(id, update);
    if (write.kind === "resources") resourcesUpdate(update, write, now);
    else recordUpdate(update, write, now);
  }
  if (byItem.size > MAX_WRITES) throw new Error(`A commit takes at most ${MAX_WRITES} items, not ${byItem.size}.`);
  const updates = [...byItem.values()].map((u) => ({ TableName: table, ...u.params() }));
  try {
    if (updates.length === 1) await doc.send(new UpdateCommand(updates[0]));
    else if (updates.length > 1)
      await doc.send(new TransactWriteCommand({ TransactItems: updates.map((Update) => ({ Update })) }));
  } catch (error) {
    throw asConflict(error, writes) ?? error;
  }
}

/** One item's UpdateItem, put together from its clauses and conditions. */
class Update {
  readonly e = new Expression();
  readonly set: string[] = [];
  readonly remove: string[] = [];
  readonly add: string[] = [];
  readonly conditions: string[] = [];
  constructor(private readonly key: { pk: unknown; sk: unknown }) {}

  params() {
    const clauses = [
      this.set.length && `SET ${this.set.join(", ")}`,
      this.remove.length && `REMOVE ${this.remove.join(", ")}`,
      this.add.length && `ADD ${this.add.join(", ")}`,
    ].filter(Boolean);
    return {
      Key: this.key,
      UpdateExpression: clauses.join(" "),
      ConditionExpression: this.conditions.join(" AND "),
      ...this.e.params(),
    };
  }
}

/**
 * A record replaced whole: its condition is its expected version (an update) or its absence (a
 * create; an expired item counts as absent). The new version is the item's own plus one, so a
 * create that replaces an expired item moves its version on too, and a writer that read the
 * old record before it expired still loses. A container instance's remaining resources are left
 * as they are, but by the write that creates it.
 */
function recordUpdate(u: Update, write: RecordWrite, now: number) {
  const { e } = u;
  const item = itemOf(write.kind, write.record);
  u.set.push(`${e.name("version")} = if_not_exists(${e.name("version")}, ${e.value(0)}) + ${e.value(1)}`);
  for (const attribute of RECORD_ATTRIBUTES) {
    if (item[attribute] === undefined) u.remove.push(e.name(attribute));
    else u.set.push(e.eq(attribute, item[attribute]));
  }
  if (write.kind === "containerInstance" && write.expectedVersion === null) {
    const left = leftOf(write.record as ContainerInstanceRecord);
    u.set.push(
      e.eq("cpuLeft", left.cpu),
      e.eq("memoryLeft", left.memory),
      e.eq("portsInUse", portMap(left.ports)),
      e.eq("udpPortsInUse", portMap(left.udpPorts)),
      e.eq("residentGroups", left.groups),
    );
    u.add.push(`${e.name("resourcesVersion")} ${e.value(1)}`);
  }
  u.conditions.push(
    write.expectedVersion === null ? e.absent(now) : `${e.eq("version", write.expectedVersion)} AND ${e.live(now)}`,
  );
}

/**
 * A delta on the remaining resources as they are when the write lands (ADD, one map path per
 * port, one per group count), conditioned on the instance being there, on each count taken from
 * holding at least as much, and, for a reservation, on its being ACTIVE with room enough and
 * none of the ports in use: so concurrent reservations commute.
 */
function resourcesUpdate(u: Update, write: ResourceWrite, now: number) {
  const { e } = u;
  u.add.push(
    `${e.name("cpuLeft")} ${e.value(write.cpu)}`,
    `${e.name("memoryLeft")} ${e.value(write.memory)}`,
    `${e.name("resourcesVersion")} ${e.value(1)}`,
  );
  const port = (map: string, p: number) => `${e.name(map)}.${e.alias(String(p))}`;
  const maps = [
    ["portsInUse", write.take.ports, write.free.ports],
    ["udpPortsInUse", write.take.udpPorts, write.free.udpPorts],
  ] as const;
  for (const [map, take, free] of maps) {
    for (const p of take) u.set.push(`${port(map, p)} = ${e.value(true)}`);
    for (const p of free) u.remove.push(port(map, p));
  }
  u.conditions.push(`attribute_exists(${e.name("pk")})`, e.live(now));
  for (const [group, delta] of Object.entries(write.groups)) {
    if (delta === 0) continue;
    const count = `${e.name("residentGroups")}.${e.alias(group)}`;
    if (delta < 0 && write.emptied?.includes(group)) {
      // Its last tasks leave: the entry goes, so the map holds only groups with tasks.
      u.remove.push(count);
      u.conditions.push(`${count} = ${e.value(-delta)}`);
      continue;
    }
    u.set.push(`${count} = if_not_exists(${count}, ${e.value(0)}) + ${e.value(delta)}`);
    if (delta < 0) u.conditions.push(`${count} >= ${e.value(-delta)}`);
  }
  if (write.reserve) {
    u.conditions.push(
      e.eq("status", "ACTIVE"),
      `${e.name("cpuLeft")} >= ${e.value(-write.cpu)}`,
      `${e.name("memoryLeft")} >= ${e.value(-write.memory)}`,
    );
    for (const [map, take] of maps) for (const p of take) u.conditions.push(`attribute_not_exists(${port(map, p)})`);
  }
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
