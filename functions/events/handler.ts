import middy from "@middy/core";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { ecsEventsOf } from "../../core/events/build.ts";
import { chunks, entryOf } from "../../core/events/entries.ts";
import type { EventPublisher, PutEventsEntry } from "../../core/events/types.ts";
import type { Partition } from "../../core/model/config.ts";
import { changeOfStreamRecord } from "../../core/store/dynamo/stream.ts";

export interface EventsDeps {
  publisher: EventPublisher;
  partition: Partition;
  /** Told how many events each batch published (a metric on AWS). */
  onPublished?: (count: number) => void;
}

/**
 * The events function: a batch of the table's stream records in, ECS events out on Berth's bus,
 * in stream order. If a call fails (after the publisher's own retries), the batch reports the
 * first record of that call as failed: Lambda retries from there, so nothing after it is
 * skipped, and what was before it is not sent twice.
 */
export function createEventsHandler(deps: EventsDeps) {
  const handle = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const entries: { record: DynamoDBRecord; entry: PutEventsEntry }[] = [];
    for (const record of event.Records) {
      const change = record.dynamodb && changeOfStreamRecord(record.dynamodb);
      if (!change) continue;
      for (const e of ecsEventsOf(change, deps.partition)) entries.push({ record, entry: entryOf(e) });
    }
    let published = 0;
    for (const chunk of chunks(entries)) {
      try {
        await deps.publisher.publish(chunk.map((c) => c.entry));
      } catch {
        deps.onPublished?.(published);
        return { batchItemFailures: [{ itemIdentifier: chunk[0].record.dynamodb?.SequenceNumber as string }] };
      }
      published += chunk.length;
    }
    deps.onPublished?.(published);
    return { batchItemFailures: [] };
  };
  return middy(handle);
}
