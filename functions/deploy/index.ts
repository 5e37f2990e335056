import { Resource } from "sst";
import { awsActionContext, lazy } from "../shared/awsContext.ts";
import { lambdaEntry } from "../shared/entry.ts";
import { backgroundErrors, observability } from "../shared/observability.ts";
import { createDeployHandler } from "./handler.ts";

const obs = observability("deploy");

export const handler = lambdaEntry(
  obs,
  lazy(async () => {
    const context = await awsActionContext(
      { table: Resource.Table.name, schedulerQueueUrl: Resource.SchedulerQueue.url },
      backgroundErrors(obs.logger),
    );
    return createDeployHandler(context, (message, detail) => obs.logger.info(message, { ...detail }));
  }),
);
