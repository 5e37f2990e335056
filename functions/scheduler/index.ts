import { Resource } from "sst";
import { awsActionContext, lazy } from "../shared/awsContext.ts";
import { lambdaEntry } from "../shared/entry.ts";
import { backgroundErrors, observability } from "../shared/observability.ts";
import { createSchedulerHandler } from "./handler.ts";

const obs = observability("scheduler");

export const handler = lambdaEntry(
  obs,
  lazy(async () =>
    createSchedulerHandler(
      await awsActionContext(
        {
          table: Resource.Table.name,
          schedulerQueueUrl: Resource.SchedulerQueue.url,
          agentQueuePrefix: Resource.AgentQueues.prefix,
        },
        backgroundErrors(obs.logger),
      ),
    ),
  ),
);
