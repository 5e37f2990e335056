import type { Context, DynamoDBRecord } from "aws-lambda";
import type { EventPublisher } from "../core/events/types.ts";
import type { Partition } from "../core/model/config.ts";
import { createEventsHandler } from "../functions/events/handler.ts";

/**
 * The events function in local mode, fed by the change feed (local/changeFeed.ts) one batch per
 * commit, in commit order, publishing to the store and the ring. Failures are reported, not
 * retried: neither fails short of a broken disk.
 */
export function localEvents(publisher: EventPublisher, partition: Partition, onError: (error: unknown) => void) {
  const handler = createEventsHandler({ publisher, partition });
  let queue = Promise.resolve();
  return {
    feed(records: DynamoDBRecord[]) {
      queue = queue
        .then(() => handler({ Records: records }, { awsRequestId: "local-events" } as Context))
        .then(() => undefined, onError);
    },
    /** Resolves once every batch fed so far is published. */
    drained: () => queue,
  };
}
