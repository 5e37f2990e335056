import { partition } from "./functions.ts";

/**
 * The container instances' wake-up queues. They are created at registration (one per instance,
 * core/aws/sqs.ts), so no component declares them: what is declared is their name prefix, per
 * stage so that two stages in one account never share a queue, and who may do what with them.
 */
export const agentQueuePrefix = `berth-${$app.stage}-agent-`;

export const agentQueueArns = $interpolate`arn:aws:sqs:${partition.region}:${partition.accountId}:${agentQueuePrefix}*`;

/**
 * What the control plane does with them: create at registration and set the queue's policy (only
 * its instance may read it, core/aws/agentQueuePolicy.ts), nudge, delete at deregistration.
 */
export const agentQueues = new sst.Linkable("AgentQueues", {
  properties: { prefix: agentQueuePrefix },
  include: [
    sst.aws.permission({
      actions: [
        "sqs:CreateQueue",
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:SendMessage",
        "sqs:DeleteQueue",
      ],
      resources: [agentQueueArns],
    }),
  ],
});
