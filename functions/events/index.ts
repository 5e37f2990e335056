import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { Resource } from "sst";
import { eventBridgePublisher } from "../../core/aws/eventBridge.ts";
import { lazy, partitionFromEnv } from "../shared/awsContext.ts";
import { lambdaEntry } from "../shared/entry.ts";
import { observability } from "../shared/observability.ts";
import { createEventsHandler } from "./handler.ts";

const obs = observability("events");

export const handler = lambdaEntry(
  obs,
  lazy(async () =>
    createEventsHandler({
      publisher: eventBridgePublisher({ busName: Resource.Bus.name }),
      partition: partitionFromEnv(),
      onPublished: (count) => obs.metrics.addMetric("EventsPublished", MetricUnit.Count, count),
    }),
  ),
);
