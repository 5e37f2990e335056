/**
 * The container instances' IAM role and instance profile. Its own file because two sides name
 * it: the hosts' launch template (agentHosts.ts) runs as it, and the API writes it into each
 * wake-up queue's policy (BERTH_AGENT_ROLE_ARN, core/aws/agentQueuePolicy.ts) so that only an
 * instance of this role, from its own EC2 instance, may read its queue.
 */
export const agentRole = new aws.iam.Role("AgentRole", {
  assumeRolePolicy: JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  }),
});

export const agentInstanceProfile = new aws.iam.InstanceProfile("AgentInstanceProfile", { role: agentRole.name });
