import { agentQueuePolicyFromEnv } from "../../core/aws/agentQueuePolicy.ts";
import { autoScalingGroupsAt } from "../../core/aws/autoScaling.ts";
import { targetGroupsAt } from "../../core/aws/elbv2.ts";
import { sqsServiceNudger } from "../../core/aws/schedulerQueue.ts";
import { sqsInstanceNotifier } from "../../core/aws/sqs.ts";
import type { Partition } from "../../core/model/config.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { openDynamoStore } from "../../core/store/dynamo.ts";
import { pendingWork } from "./pendingWork.ts";
import { publishServiceUtilization } from "./serviceMetrics.ts";
import { timingFromEnv } from "./timing.ts";

/**
 * The ActionContext of a function on AWS: the DynamoDB store on the deployed table (never
 * created here: the infrastructure owns it), and, when the function is linked to them, the
 * scheduler queue and the agents' queues. Built once per container (see lazy()), so warm
 * invocations reuse the clients and their connections.
 */
export interface AwsResources {
  table: string;
  schedulerQueueUrl?: string;
  agentQueuePrefix?: string;
}

export function partitionFromEnv(env = process.env): Partition {
  return {
    region: env.BERTH_REGION ?? env.AWS_REGION ?? "us-east-1",
    accountId: env.BERTH_ACCOUNT_ID ?? "000000000000",
  };
}

export async function awsActionContext(
  resources: AwsResources,
  onBackgroundError: ActionContext["onBackgroundError"],
): Promise<ActionContext> {
  const partition = partitionFromEnv();
  const store = await openDynamoStore({ table: resources.table, region: partition.region, createTable: false });
  return {
    store,
    partition,
    now: () => new Date(),
    onBackgroundError,
    background: pendingWork,
    // Each service round's utilization, as CloudWatch metrics through the function's log (EMF).
    onServiceUtilization: publishServiceUtilization,
    // The region's ELBv2 (BERTH_ELBV2_ENDPOINT only to point elsewhere): created now, called only by load-balanced services.
    targetGroups: targetGroupsAt(partition, { onAws: true, endpoint: process.env.BERTH_ELBV2_ENDPOINT }),
    // The region's Auto Scaling (BERTH_AUTOSCALING_ENDPOINT only to point elsewhere): the sweeper's managed scaling.
    autoScalingGroups: autoScalingGroupsAt(partition, {
      onAws: true,
      endpoint: process.env.BERTH_AUTOSCALING_ENDPOINT,
    }),
    ...timingFromEnv(),
    ...(resources.agentQueuePrefix !== undefined && {
      notifier: sqsInstanceNotifier({
        region: partition.region,
        queuePrefix: resources.agentQueuePrefix,
        queuePolicy: agentQueuePolicyFromEnv(),
      }),
    }),
    ...(resources.schedulerQueueUrl && {
      serviceNudger: sqsServiceNudger({ region: partition.region, queueUrl: resources.schedulerQueueUrl }),
    }),
  };
}

/** `make` once per container, on first use (not at import: a cold start that fails must fail an invocation, visibly). */
export function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make().catch((error) => {
      made = undefined;
      throw error;
    });
    return made;
  };
}
