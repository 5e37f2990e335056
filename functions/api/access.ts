import { parseBootstrapToken } from "../../agent/bootstrap.ts";
import type { ActionContext } from "../../core/actions/context.ts";
import { type AccessControl, createAccessControl } from "../../core/auth/accessControl.ts";
import { ensureAccessKey } from "../../core/auth/accessKeys.ts";
import { ssmKeyEncryptionKey } from "../../core/aws/ssmKeyEncryptionKey.ts";

export interface AwsAccessSettings {
  /** The SSM SecureString parameter holding the key encryption key. */
  keyEncryptionKeyParameter: string;
  /** `<access key id>:<secret>` of the deployment's first admin key (the BerthAdminKey secret). */
  adminKey: string;
  /** `<access key id>:<secret>` with which hosts join `agentCluster` (the BerthBootstrapToken secret). */
  bootstrapToken: string;
  agentCluster: string;
}

/**
 * Identity and access on AWS: keys sealed in the table with the key encryption key from SSM
 * (core/auth/, as local mode has them in its data dir). The deployment's two configured keys
 * are written into the table at cold start, as local mode writes its own at startup: ensuring is
 * one read when nothing changed, and a rotated secret takes effect with the next cold start.
 */
export async function awsAccess(context: ActionContext, settings: AwsAccessSettings): Promise<AccessControl> {
  const keyEncryptionKey = ssmKeyEncryptionKey(settings.keyEncryptionKeyParameter);
  const { store } = context;
  // Berth's key actions (CreateAccessKey, GetAgentCredentials) seal secrets with it too.
  context.keyEncryptionKey = keyEncryptionKey;
  await ensureAccessKey(
    store,
    keyEncryptionKey,
    parseBootstrapToken(settings.adminKey),
    { kind: "admin" },
    "the deployment's admin key (BerthAdminKey)",
  );
  await ensureAccessKey(
    store,
    keyEncryptionKey,
    parseBootstrapToken(settings.bootstrapToken),
    { kind: "bootstrap", cluster: settings.agentCluster },
    `the bootstrap token of cluster ${settings.agentCluster} (BerthBootstrapToken)`,
  );
  return createAccessControl({ store, partition: context.partition, keyEncryptionKey });
}
