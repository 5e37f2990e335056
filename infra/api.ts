import { agentQueues } from "./agentQueues.ts";
import { berthFunction } from "./functions.ts";
import { adminKey, agentCluster, bootstrapToken, keyEncryptionKey } from "./parameters.ts";
import { schedulerQueue } from "./scheduler.ts";
import { table } from "./table.ts";

/**
 * The ECS endpoint: an HTTP API whose two routes reach one function. ECS's JSON protocol is all
 * `POST /` (the operation is in X-Amz-Target), and `GET /healthz` answers load balancers and
 * probes. Requests are authenticated by the function (SigV4 with Berth's access keys, kept
 * sealed in the table, core/auth/), not by API Gateway, so the AWS CLI and SDKs work unchanged.
 */
export const apiFunction = new sst.aws.Function(
  "ApiFunction",
  berthFunction("api", [table, schedulerQueue, agentQueues, keyEncryptionKey, adminKey, bootstrapToken], {
    BERTH_AGENT_CLUSTER: agentCluster,
  }),
);

export const api = new sst.aws.ApiGatewayV2("Api");
api.route("POST /", apiFunction.arn);
api.route("GET /healthz", apiFunction.arn);
