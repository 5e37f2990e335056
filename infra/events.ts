import { bus } from "./bus.ts";
import { berthFunction } from "./functions.ts";
import { table } from "./table.ts";

/**
 * The table's stream → the events function → PutEvents on Berth's bus. The images in the stream
 * are all it needs: it reads nothing else from the table, so it is linked to the bus only.
 * Failed batches are bisected and retried by Lambda, and a poison record is skipped after a few
 * tries rather than stalling the shard: events are notifications, the table stays the truth.
 */
export const eventsSubscription = table.subscribe("Events", berthFunction("events", [bus]), {
  transform: {
    // An object is merged into the mapping's arguments (SST's transform()).
    eventSourceMapping: {
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 5,
      functionResponseTypes: ["ReportBatchItemFailures"],
    },
  },
});
