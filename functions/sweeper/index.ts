import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ScheduledEvent } from "aws-lambda";
import { Resource } from "sst";
import { declaredProvidersFromEnv } from "../../core/deploy/declaredProviders.ts";
import { awsActionContext, lazy } from "../shared/awsContext.ts";
import { lambdaEntry } from "../shared/entry.ts";
import { backgroundErrors, observability } from "../shared/observability.ts";
import { createSweeperHandler } from "./handler.ts";

const obs = observability("sweeper");

const sweep = lazy(async () =>
  createSweeperHandler(
    await awsActionContext(
      { table: Resource.Table.name, schedulerQueueUrl: Resource.SchedulerQueue.url },
      backgroundErrors(obs.logger),
    ),
    declaredProvidersFromEnv(process.env),
  ),
);

/** The sweep, with what it found and how many services it nudged as metrics (a failed nudge is retried by the next sweep). */
export const handler = lambdaEntry(obs, async () => {
  const run = await sweep();
  return async (event: Partial<ScheduledEvent>, context: Parameters<typeof run>[1]) => {
    const result = await run(event, context);
    obs.metrics.addMetric("AgentConnectionsFlipped", MetricUnit.Count, result.flipped);
    obs.metrics.addMetric("InstancesLost", MetricUnit.Count, result.lost);
    obs.metrics.addMetric("TaskDefinitionsPurged", MetricUnit.Count, result.purged);
    obs.metrics.addMetric("DeclaredProvidersEnsured", MetricUnit.Count, result.declared);
    obs.metrics.addMetric("ServicesNudged", MetricUnit.Count, result.nudged);
    obs.metrics.addMetric("NudgesFailed", MetricUnit.Count, result.failed);
    return result;
  };
});
