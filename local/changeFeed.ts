import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { EVENT_KINDS } from "../core/events/build.ts";
import { type Item, instanceItemOf, itemOf } from "../core/store/dynamo/items.ts";
import type { Store, Write } from "../core/store/port.ts";

/**
 * Local mode's stand-in for the DynamoDB stream: every committed write becomes a stream record
 * shaped as DynamoDB Streams would deliver it (the item as the DynamoDB store writes it, new and
 * old images), so that the events function runs on it unchanged; like AWS's stream filter, only
 * the kinds that can make events. The old image is the last one
 * this feed saw for the item (none for an item not written since startup), kept for a bounded
 * number of items.
 */
const REMEMBERED_ITEMS = 10_000;
const FED_KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);

export function withChangeFeed(store: Store, onRecords: (records: DynamoDBRecord[]) => void): Store {
  const lastImages = new Map<string, DynamoDBRecord["dynamodb"]>();
  let sequence = 0;
  const streamRecordOf = (item: Item): DynamoDBRecord => {
    const key = `${item.pk}\u0000${item.sk}`;
    const old = lastImages.get(key)?.NewImage;
    const NewImage = marshall(item, { removeUndefinedValues: true }) as never;
    const dynamodb = {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage,
      ...(old && { OldImage: old }),
      SequenceNumber: String(++sequence),
      StreamViewType: "NEW_AND_OLD_IMAGES" as const,
    };
    lastImages.delete(key);
    lastImages.set(key, dynamodb);
    if (lastImages.size > REMEMBERED_ITEMS) lastImages.delete(lastImages.keys().next().value as string);
    return { eventName: old ? "MODIFY" : "INSERT", eventSource: "aws:dynamodb", dynamodb };
  };
  /**
   * The items a commit changed. Container instances are read back: their remaining resources
   * change by deltas on what is stored, which the writes alone do not tell (one image per
   * instance, however many of the commit's writes touched it).
   */
  const itemsOf = async (writes: Write[]): Promise<Item[]> => {
    const items: Item[] = [];
    const instances = new Map<string, { cluster: string; id: string }>();
    for (const write of writes) {
      if (write.kind === "resources") instances.set(`${write.cluster}/${write.id}`, write);
      else if (write.kind === "containerInstance")
        instances.set(`${write.record.cluster}/${write.record.id}`, write.record);
      // Only the kinds AWS's stream filter passes to the events function (infra/events.ts).
      else if (FED_KINDS.has(write.kind))
        items.push({ ...itemOf(write.kind, write.record as never), version: (write.expectedVersion ?? 0) + 1 });
    }
    for (const { cluster, id } of instances.values()) {
      const record = await store.getContainerInstance(cluster, id);
      if (record) items.push(instanceItemOf(record));
    }
    return items;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== "commit") {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (writes: Write[]) => {
        await target.commit(writes);
        onRecords((await itemsOf(writes)).map(streamRecordOf));
      };
    },
  });
}
