import { partition } from "./functions.ts";

/**
 * Berth's secrets and the agents' settings. Secret values are SST secrets, set once per stage
 * with `npx sst secret set <Name> <value> --stage <stage>` (so none is ever in the repository):
 *
 * - BerthKeyEncryptionKey: 32 random bytes in base64 (`openssl rand -base64 32`), which seals
 *   every access key's secret in the table (core/auth/). The API reads it from a SecureString
 *   parameter (core/aws/ssmKeyEncryptionKey.ts).
 * - BerthAdminKey: `<access key id>:<secret>`, the first admin key, written into the table by the
 *   API at cold start (as local mode does with its own); further keys come from `berth keys`.
 * - BerthBootstrapToken: `<access key id>:<secret>`, the token with which new container instances
 *   join the agents' cluster (BERTH_BOOTSTRAP_TOKEN), kept in a SecureString parameter that the
 *   hosts read in their user-data and the API every few seconds (so a new value needs no cold start).
 */
const prefix = `/berth/${$app.stage}`;

/** The cluster the hosts join: the API writes BerthBootstrapToken into the table for it. */
export const agentCluster = process.env.BERTH_AGENT_CLUSTER ?? "default";

export const adminKey = new sst.Secret("BerthAdminKey");
const bootstrapToken = new sst.Secret("BerthBootstrapToken");
const keyEncryptionKeySecret = new sst.Secret("BerthKeyEncryptionKey");

const secureParameter = (name: string, path: string, value: $util.Input<string>) =>
  new aws.ssm.Parameter(name, { name: `${prefix}/${path}`, type: "SecureString", value });

/** SecureString parameters are encrypted with the account's default SSM key. */
export const ssmDecrypt = {
  actions: ["kms:Decrypt"],
  resources: [$interpolate`arn:aws:kms:${partition.region}:${partition.accountId}:alias/aws/ssm`],
};

const keyEncryptionKeyParameter = secureParameter(
  "KeyEncryptionKeyParameter",
  "key-encryption-key",
  keyEncryptionKeySecret.value,
);

/** The key encryption key, for a linked function to read (and decrypt). */
export const keyEncryptionKey = new sst.Linkable("KeyEncryptionKey", {
  properties: { name: keyEncryptionKeyParameter.name },
  include: [
    sst.aws.permission({ actions: ["ssm:GetParameter"], resources: [keyEncryptionKeyParameter.arn] }),
    sst.aws.permission(ssmDecrypt),
  ],
});

export const agentBootstrapToken = secureParameter(
  "AgentBootstrapTokenParameter",
  "agent/bootstrap-token",
  bootstrapToken.value,
);

/**
 * The bootstrap token's parameter, for the API to read again every few seconds
 * (core/auth/bootstrapRotation.ts): rotating the token changes this parameter only, never the
 * function, so the API picks it up without a cold start and joined agents are not touched.
 */
export const bootstrapTokenParameter = new sst.Linkable("BootstrapTokenParameter", {
  properties: { name: agentBootstrapToken.name },
  include: [
    sst.aws.permission({ actions: ["ssm:GetParameter"], resources: [agentBootstrapToken.arn] }),
    sst.aws.permission(ssmDecrypt),
  ],
});

/**
 * The agent's settings as an ecs.config file (the ECS agent's own format, agent/config.ts): the
 * hosts' user-data writes it to /etc/ecs/ecs.config, so changing a setting needs no new launch
 * template, only a restart of the agent.
 */
export function agentSettings(values: { cluster: string; endpoint: unknown }) {
  return new aws.ssm.Parameter("AgentSettingsParameter", {
    name: `${prefix}/agent/settings`,
    type: "String",
    value: $interpolate`ECS_CLUSTER=${values.cluster}
BERTH_ENDPOINT=${values.endpoint}
BERTH_REGION=${partition.region}
ECS_ENABLE_IMDS=true
`,
  });
}
