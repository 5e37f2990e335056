/**
 * The queue policy of a container instance's wake-up queue on AWS: only that instance's agent
 * may read it. Allowed to receive: the agent hosts' role (BERTH_AGENT_ROLE_ARN), from that EC2
 * instance (`ec2:SourceInstanceARN`, which AWS sets on calls signed with an instance's role
 * credentials). Everyone else is denied reading explicitly: an Allow alone would not stop another
 * principal of the account whose own IAM policy grants sqs:ReceiveMessage, nor another host with
 * the same role. When the control plane's roles are named (BERTH_CONTROL_PLANE_ROLE_ARNS), only
 * they may send. Managing the queue (create, delete, attributes) is left to IAM policies.
 */
export interface AgentQueuePolicyOptions {
  agentRoleArn: string;
  /** The roles that send nudges (the functions'); anyone IAM allows when absent. */
  senderRoleArns?: string[];
}

const READ = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];

export function agentQueuePolicy(
  options: AgentQueuePolicyOptions,
  queueArn: string,
  ec2InstanceArn: string | undefined,
): string {
  const statement: Record<string, unknown>[] = [
    {
      Sid: "AgentReads",
      Effect: "Allow",
      Principal: { AWS: options.agentRoleArn },
      Action: [...READ, "sqs:GetQueueAttributes"],
      Resource: queueArn,
      ...(ec2InstanceArn && { Condition: { ArnEquals: { "ec2:SourceInstanceARN": ec2InstanceArn } } }),
    },
    {
      Sid: "NoOtherPrincipalReads",
      Effect: "Deny",
      Principal: "*",
      Action: READ,
      Resource: queueArn,
      Condition: { ArnNotEquals: { "aws:PrincipalArn": options.agentRoleArn } },
    },
  ];
  // Without an EC2 instance id (an agent registered without an identity document) any host of the
  // agent role may read: the first two statements are all that can be said.
  if (ec2InstanceArn) {
    statement.push({
      Sid: "NoOtherInstanceReads",
      Effect: "Deny",
      Principal: "*",
      Action: READ,
      Resource: queueArn,
      // A call without the key (not from an EC2 instance's role credentials) is denied too.
      Condition: { ArnNotEquals: { "ec2:SourceInstanceARN": ec2InstanceArn } },
    });
  }
  if (options.senderRoleArns?.length) {
    statement.push(
      {
        Sid: "ControlPlaneSends",
        Effect: "Allow",
        Principal: { AWS: options.senderRoleArns },
        Action: ["sqs:SendMessage", "sqs:GetQueueUrl"],
        Resource: queueArn,
      },
      {
        Sid: "NoOtherSenders",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": options.senderRoleArns } },
      },
    );
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statement });
}

/** The policy's settings from the environment: BERTH_AGENT_ROLE_ARN (on), BERTH_CONTROL_PLANE_ROLE_ARNS (comma-separated). */
export function agentQueuePolicyFromEnv(
  env: Record<string, string | undefined> = process.env,
): AgentQueuePolicyOptions | undefined {
  const agentRoleArn = env.BERTH_AGENT_ROLE_ARN?.trim();
  if (!agentRoleArn) return undefined;
  const roleArn = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;
  if (!roleArn.test(agentRoleArn))
    throw new Error(`BERTH_AGENT_ROLE_ARN must be an IAM role ARN, not '${agentRoleArn}'.`);
  const senderRoleArns = (env.BERTH_CONTROL_PLANE_ROLE_ARNS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const arn of senderRoleArns) {
    if (!roleArn.test(arn)) throw new Error(`BERTH_CONTROL_PLANE_ROLE_ARNS must list IAM role ARNs, not '${arn}'.`);
  }
  return { agentRoleArn, ...(senderRoleArns.length > 0 && { senderRoleArns }) };
}
