import { EVENT_KINDS } from "../core/events/build.ts";
import { bus } from "./bus.ts";
import { berthFunction } from "./functions.ts";
import { table } from "./table.ts";

/**
 * Which stream records invoke the function (Lambda's event filtering, evaluated on the record
 * before any invocation): writes whose new image is of a kind that makes ECS events. Heartbeats,
 * the other kinds, and deletions (no new image; they make no event) are dropped by Lambda for
 * free. `kind` is the attribute every item carries for stream consumers (core/store/dynamo/items.ts).
 */
export const EVENT_RECORDS = { dynamodb: { NewImage: { kind: { S: [...EVENT_KINDS] } } } };

/**
 * The table's stream → the events function → PutEvents on Berth's bus, and each event about a
 * cluster written back to the table for a day (ListEvents: EventBridge keeps nothing to list),
 * so it is linked to the table too; it reads nothing from it, the stream's images are enough.
 * Those event items (kind `storedEvent`) do not invoke it again: the filter below drops them.
 * Failed batches are bisected and retried by Lambda, and a poison record is skipped after a few
 * tries rather than stalling the shard: events are notifications, the table stays the truth.
 * What is skipped is not dropped silently: Lambda sends the batch's shard and sequence numbers
 * to the failed-batches queue (its on-failure destination, with the function's role), from
 * which the records can be read again while the stream keeps them (24 h).
 */
const failedBatches = new sst.aws.Queue("EventsFailedBatches", {
  // As long as SQS keeps anything (14 days): a look may come after a weekend.
  transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
});

export const eventsSubscription = table.subscribe(
  "Events",
  {
    ...berthFunction("events", [bus, table]),
    permissions: [{ actions: ["sqs:SendMessage"], resources: [failedBatches.arn] }],
  },
  {
    filters: [EVENT_RECORDS],
    transform: {
      // An object is merged into the mapping's arguments (SST's transform()).
      eventSourceMapping: {
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 5,
        functionResponseTypes: ["ReportBatchItemFailures"],
        destinationConfig: { onFailure: { destinationArn: failedBatches.arn } },
      },
    },
  },
);
