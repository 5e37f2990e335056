import { agentDownload } from "./agentArtifact.ts";
import { agentQueueArns } from "./agentQueues.ts";
import { agentInstanceProfile, agentRole } from "./agentRole.ts";
import { api } from "./api.ts";
import { ec2RequiredTag } from "./ec2Identity.ts";
import { partition } from "./functions.ts";
import { agentBootstrapToken, agentCluster, agentSettings, ssmDecrypt } from "./parameters.ts";
import { agentUserData } from "./userData.ts";

/**
 * The container instances' side: an instance role with only what the agent needs, and a launch
 * template whose user-data installs and starts the agent (userData.ts). Instances are launched
 * from the template by whatever the operator prefers (an Auto Scaling group, `aws ec2
 * run-instances --launch-template`), so none is declared here.
 *
 * What the agent needs: to long-poll its own wake-up queue (named by DiscoverPollEndpoint, under
 * the stage's prefix), and to read its settings and bootstrap token; the user-data, to download
 * the agent's bundle (agentArtifact.ts). It calls the Berth API with
 * Berth credentials (SigV4 against Berth, not IAM), so the role grants nothing on the API.
 */
const instanceType = process.env.BERTH_AGENT_INSTANCE_TYPE ?? "t4g.small";
const NODE_VERSION = "24.11.1";

const settings = agentSettings({ cluster: agentCluster, endpoint: api.url });

new aws.iam.RolePolicy("AgentPolicy", {
  role: agentRole.name,
  policy: $jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl"],
        Resource: agentQueueArns,
      },
      { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [settings.arn, agentBootstrapToken.arn] },
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: [agentDownload.arn] },
      { Effect: "Allow", Action: ssmDecrypt.actions, Resource: ssmDecrypt.resources },
    ],
  }),
});

/** Amazon Linux 2023 for Graviton (the default instance type); AWS keeps this parameter on the latest image. */
const image = aws.ssm.getParameterOutput({
  name: process.env.BERTH_AGENT_AMI_PARAMETER ?? "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
});

export const launchTemplate = new aws.ec2.LaunchTemplate("AgentLaunchTemplate", {
  imageId: image.value,
  instanceType,
  iamInstanceProfile: { arn: agentInstanceProfile.arn },
  // IMDSv2 only: the agent reads the instance identity document with a session token (ECS_ENABLE_IMDS).
  // One hop: the agent runs on the host, and containers (bridge networking is a hop further) must
  // not reach the host role's credentials or its signed identity document.
  // Instance tags in IMDS: an Auto Scaling group's instances learn their group (aws:autoscaling:groupName),
  // which the agent registers as berth.autoscaling-group for capacity providers.
  metadataOptions: {
    httpTokens: "required",
    httpEndpoint: "enabled",
    httpPutResponseHopLimit: 1,
    instanceMetadataTags: "enabled",
  },
  // Instances launched from the template's default version get the newest agent and settings.
  updateDefaultVersion: true,
  // The tag the API's EC2 identity check asks of a registering instance (ec2Identity.ts).
  ...(ec2RequiredTag && {
    tagSpecifications: [{ resourceType: "instance", tags: { [ec2RequiredTag.key]: ec2RequiredTag.value ?? "" } }],
  }),
  userData: $resolve([
    api.url,
    settings.name,
    agentBootstrapToken.name,
    partition.region,
    agentDownload.bucket,
    agentDownload.key,
  ]).apply(([endpoint, settingsParameter, tokenParameter, region, bucket, key]) =>
    Buffer.from(
      agentUserData({
        nodeVersion: NODE_VERSION,
        agent: { bucket, key, sha256: agentDownload.sha256 },
        cluster: agentCluster,
        endpoint: String(endpoint),
        region: String(region),
        settingsParameter: String(settingsParameter),
        tokenParameter: String(tokenParameter),
      }),
    ).toString("base64"),
  ),
});
