import { agentQueues } from "./agentQueues.ts";
import { agentRole } from "./agentRole.ts";
import { ec2IdentityEnvironment, ec2IdentityPermissions } from "./ec2Identity.ts";
import { berthFunction } from "./functions.ts";
import { describeTargetGroupsPermissions } from "./loadBalancing.ts";
import { adminKey, agentCluster, bootstrapTokenParameter, keyEncryptionKey } from "./parameters.ts";
import { schedulerQueue } from "./scheduler.ts";
import { table } from "./table.ts";

/**
 * The ECS endpoint: an HTTP API whose two routes reach one function. ECS's JSON protocol is all
 * `POST /` (the operation is in X-Amz-Target), and `GET /healthz` answers load balancers and
 * probes. Requests are authenticated by the function (SigV4 with Berth's access keys, kept
 * sealed in the table, core/auth/), not by API Gateway, so the AWS CLI and SDKs work unchanged.
 */
export const apiFunction = new sst.aws.Function("ApiFunction", {
  ...berthFunction("api", [table, schedulerQueue, agentQueues, keyEncryptionKey, adminKey, bootstrapTokenParameter], {
    BERTH_AGENT_CLUSTER: agentCluster,
    // Each wake-up queue's policy lets only this role, from the queue's own instance, read it.
    BERTH_AGENT_ROLE_ARN: agentRole.arn,
    ...ec2IdentityEnvironment,
  }),
  // DescribeInstanceTypes: the size of a host registered without totalResources (core/aws/ec2.ts);
  // DescribeTargetGroups: a service's loadBalancers are checked against ELBv2 (core/aws/elbv2.ts).
  permissions: [
    ...ec2IdentityPermissions,
    { actions: ["ec2:DescribeInstanceTypes"], resources: ["*"] },
    ...describeTargetGroupsPermissions,
  ],
});

export const api = new sst.aws.ApiGatewayV2("Api");
api.route("POST /", apiFunction.arn);
api.route("GET /healthz", apiFunction.arn);
