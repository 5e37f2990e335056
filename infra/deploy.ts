import { bus } from "./bus.ts";
import { berthFunction, partition } from "./functions.ts";
import { describeTargetGroupsPermissions } from "./loadBalancing.ts";
import { schedulerQueue } from "./scheduler.ts";
import { table } from "./table.ts";

/**
 * Event-triggered deployments: the deploy function calls UpdateService (through core/, as the
 * API would) on two kinds of event. One function serves both subscriptions (given its
 * definition, SST would make one per subscription), linked to the table (services and task
 * definitions) and the scheduler queue (UpdateService nudges the service). UpdateService checks
 * a load-balanced service's target groups again (DescribeTargetGroups), as the API function does.
 */
const deployFunction = new sst.aws.Function("DeployFunction", {
  ...berthFunction("deploy", [table, schedulerQueue]),
  permissions: describeTargetGroupsPermissions,
});

/** A deployment request posted to Berth's bus: {cluster, service, taskDefinition | image}. */
export const deploymentRequests = bus.subscribe("DeploymentRequests", deployFunction, {
  pattern: { source: ["berth.deployments"] },
});

/**
 * ECR's successful pushes, which ECR sends to the account's default bus (not Berth's): every
 * service whose task definition uses the pushed repository and tag rolls to the new image.
 */
export const imagePushes = sst.aws.Bus.subscribe(
  "ImagePushes",
  $interpolate`arn:aws:events:${partition.region}:${partition.accountId}:event-bus/default`,
  deployFunction,
  {
    pattern: {
      source: ["aws.ecr"],
      detailType: ["ECR Image Action"],
      detail: { "action-type": ["PUSH"], result: ["SUCCESS"] },
    },
  },
);
