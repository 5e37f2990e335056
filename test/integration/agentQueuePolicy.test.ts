import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentQueuePolicyFromEnv } from "../../core/aws/agentQueuePolicy.ts";
import { type SqsNotifier, sqsInstanceNotifier } from "../../core/aws/sqs.ts";
import { type EmbeddedSqs, startEmbeddedSqs } from "../../local/sqs.ts";

/**
 * The queue policy of each agent's wake-up queue (on AWS, with BERTH_AGENT_ROLE_ARN), set by the
 * control plane's SQS notifier on a real SQS-compatible server (fauxqs) and read back with
 * GetQueueAttributes. fauxqs keeps the policy but does not enforce it: what is checked here is
 * that the queue carries the policy intended; enforcing it is Amazon SQS's part.
 */
const AGENT_ROLE = "arn:aws:iam::123456789012:role/berth-agent";
const API_ROLE = "arn:aws:iam::123456789012:role/berth-api";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

let sqs: EmbeddedSqs;
let client: SQSClient;
const notifiers: SqsNotifier[] = [];
const notifier = (queuePolicy?: Parameters<typeof sqsInstanceNotifier>[0]["queuePolicy"]) => {
  const made = sqsInstanceNotifier({ endpoint: sqs.endpoint, region: "us-east-1", credentials, queuePolicy });
  notifiers.push(made);
  return made;
};
const policyOf = async (url: string) => {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Policy", "QueueArn"] }),
  );
  return { arn: Attributes?.QueueArn as string, policy: Attributes?.Policy && JSON.parse(Attributes.Policy) };
};

beforeAll(async () => {
  sqs = await startEmbeddedSqs("127.0.0.1", "us-east-1");
  client = new SQSClient({ endpoint: sqs.endpoint, region: "us-east-1", credentials });
});
afterAll(async () => {
  for (const n of notifiers) await n.close();
  client.destroy();
  await sqs.stop();
});

describe("an agent's wake-up queue policy", () => {
  it("lets only the agent role, from its own EC2 instance, read the queue, and only the control plane send", async () => {
    const url = await notifier({ agentRoleArn: AGENT_ROLE, senderRoleArns: [API_ROLE] }).queueFor("default", "ci-1", {
      ec2InstanceId: "i-0abc",
    });
    const { arn, policy } = await policyOf(url);
    const instanceArn = `arn:aws:ec2:us-east-1:${arn.split(":")[4]}:instance/i-0abc`;
    const read = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];
    expect(policy.Statement).toEqual([
      {
        Sid: "AgentReads",
        Effect: "Allow",
        Principal: { AWS: AGENT_ROLE },
        Action: [...read, "sqs:GetQueueAttributes"],
        Resource: arn,
        Condition: { ArnEquals: { "ec2:SourceInstanceARN": instanceArn } },
      },
      {
        Sid: "NoOtherPrincipalReads",
        Effect: "Deny",
        Principal: "*",
        Action: read,
        Resource: arn,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": AGENT_ROLE } },
      },
      {
        Sid: "NoOtherInstanceReads",
        Effect: "Deny",
        Principal: "*",
        Action: read,
        Resource: arn,
        Condition: { ArnNotEquals: { "ec2:SourceInstanceARN": instanceArn } },
      },
      {
        Sid: "ControlPlaneSends",
        Effect: "Allow",
        Principal: { AWS: [API_ROLE] },
        Action: ["sqs:SendMessage", "sqs:GetQueueUrl"],
        Resource: arn,
      },
      {
        Sid: "NoOtherSenders",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:SendMessage",
        Resource: arn,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": [API_ROLE] } },
      },
    ]);
  });

  it("is set again by another process (a cold Lambda) without error, and each instance's names its own host", async () => {
    const first = notifier({ agentRoleArn: AGENT_ROLE });
    const url = await first.queueFor("default", "ci-2", { ec2InstanceId: "i-0two" });
    expect(await notifier({ agentRoleArn: AGENT_ROLE }).queueFor("default", "ci-2", { ec2InstanceId: "i-0two" })).toBe(
      url,
    );
    const other = await first.queueFor("default", "ci-3", { ec2InstanceId: "i-0three" });
    const hosts = async (u: string) =>
      (await policyOf(u)).policy.Statement[0].Condition.ArnEquals["ec2:SourceInstanceARN"] as string;
    expect(await hosts(url)).toMatch(/:instance\/i-0two$/);
    expect(await hosts(other)).toMatch(/:instance\/i-0three$/);
  });

  it("is not set without an agent role (local mode), nor when no reader is named", async () => {
    const url = await notifier().queueFor("default", "ci-4", { ec2InstanceId: "i-0four" });
    expect((await policyOf(url)).policy).toBeUndefined();
    const unnamed = await notifier({ agentRoleArn: AGENT_ROLE }).queueFor("default", "ci-5");
    expect((await policyOf(unnamed)).policy).toBeUndefined();
  });
});

describe("the queue policy's settings", () => {
  it("come from BERTH_AGENT_ROLE_ARN and BERTH_CONTROL_PLANE_ROLE_ARNS, checked", () => {
    expect(agentQueuePolicyFromEnv({})).toBeUndefined();
    expect(
      agentQueuePolicyFromEnv({ BERTH_AGENT_ROLE_ARN: AGENT_ROLE, BERTH_CONTROL_PLANE_ROLE_ARNS: `${API_ROLE}, ` }),
    ).toEqual({ agentRoleArn: AGENT_ROLE, senderRoleArns: [API_ROLE] });
    expect(() => agentQueuePolicyFromEnv({ BERTH_AGENT_ROLE_ARN: "berth-agent" })).toThrow(/IAM role ARN/);
  });
});
