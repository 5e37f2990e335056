import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { Resource } from "sst";
import { eventBridgePublisher } from "../../core/aws/eventBridge.ts";
import { alsoStored } from "../../core/events/stored.ts";
import { openDynamoStore } from "../../core/store/dynamo.ts";
import { lazy, partitionFromEnv } from "../shared/awsContext.ts";
import { lambdaEntry } from "../shared/entry.ts";
import { observability } from "../shared/observability.ts";
import { createEventsHandler } from "./handler.ts";

const obs = observability("events");

export const handler = lambdaEntry(
  obs,
  lazy(async () => {
    const partition = partitionFromEnv();
    // Each event is also kept in the table for a day, for ListEvents (the console's Events page).
    const store = await openDynamoStore({ table: Resource.Table.name, region: partition.region, createTable: false });
    return createEventsHandler({
      publisher: alsoStored(store, eventBridgePublisher({ busName: Resource.Bus.name })),
      partition,
      onPublished: (count) => obs.metrics.addMetric("EventsPublished", MetricUnit.Count, count),
    });
  }),
);
