import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { Resource } from "sst";
import { apis } from "../../core/actions/index.ts";
import { ec2IdentityCheckFromEnv, ec2InstanceTypeSizesFor } from "../../core/aws/ec2.ts";
import { awsActionContext, lazy } from "../shared/awsContext.ts";
import { lambdaEntry } from "../shared/entry.ts";
import { backgroundErrors, observability } from "../shared/observability.ts";
import { awsAccess } from "./access.ts";
import { createApiHandler } from "./handler.ts";

const obs = observability("api");

const api = lazy(async () => {
  const context = await awsActionContext(
    {
      table: Resource.Table.name,
      schedulerQueueUrl: Resource.SchedulerQueue.url,
      agentQueuePrefix: Resource.AgentQueues.prefix,
    },
    backgroundErrors(obs.logger),
  );
  context.instanceIdentityCheck = ec2IdentityCheckFromEnv(context.partition);
  context.instanceTypeSizes = ec2InstanceTypeSizesFor(context.partition);
  const access = await awsAccess(context, {
    keyEncryptionKeyParameter: Resource.KeyEncryptionKey.name,
    adminKey: Resource.BerthAdminKey.value,
    bootstrapTokenParameter: Resource.BootstrapTokenParameter.name,
    agentCluster: process.env.BERTH_AGENT_CLUSTER ?? "default",
  });
  const handle = createApiHandler({
    apis,
    context,
    access,
    onServerError: (error, operation) => obs.logger.error(`${operation ?? "request"} failed`, error as Error),
  });
  return { context, handle };
});

/** The ECS API; the endpoint agents are told of (DiscoverPollEndpoint) is the one they called. */
export const handler = lambdaEntry(obs, async () => {
  const { context, handle } = await api();
  return (event: APIGatewayProxyEventV2, lambda: Context) => {
    context.endpoint ??= `https://${event.requestContext.domainName}`;
    return handle(event, lambda);
  };
});
