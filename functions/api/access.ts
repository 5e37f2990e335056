import { type AccessControl, createAccessControl } from "../../core/auth/accessControl.ts";
import { ensureAccessKey } from "../../core/auth/accessKeys.ts";
import { bootstrapTokenSource } from "../../core/auth/bootstrapRotation.ts";
import { parseBootstrapToken } from "../../core/auth/bootstrapToken.ts";
import { ssmKeyEncryptionKey } from "../../core/aws/ssmKeyEncryptionKey.ts";
import { ssmSecureString } from "../../core/aws/ssmParameter.ts";
import type { ActionContext } from "../../core/operations/context.ts";

export interface AwsAccessSettings {
  /** The SSM SecureString parameter holding the key encryption key. */
  keyEncryptionKeyParameter: string;
  /** `<access key id>:<secret>` of the deployment's first admin key (the BerthAdminKey secret). */
  adminKey: string;
  /** The SSM SecureString parameter holding `<access key id>:<secret>`, with which hosts join `agentCluster`. */
  bootstrapTokenParameter: string;
  agentCluster: string;
}

/**
 * Identity and access on AWS: keys sealed in the table with the key encryption key from SSM
 * (core/auth/, as local mode has them in its data dir). The admin key is written into the table
 * at cold start, as local mode writes its own at startup (one read when nothing changed). The
 * bootstrap token is read from its SSM parameter again every few seconds (bootstrapTokenSource),
 * so rotating it (`aws ssm put-parameter --overwrite`, or a new secret and `sst deploy`) needs no
 * cold start, and agents that joined keep their own credentials.
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
  const bootstrapToken = bootstrapTokenSource({
    store,
    keyEncryptionKey,
    cluster: settings.agentCluster,
    // The source paces the reads (BOOTSTRAP_TOKEN_MAX_AGE_MS): Powertools keeps nothing itself.
    read: ssmSecureString(settings.bootstrapTokenParameter, { maxAgeSeconds: 0 }),
  });
  // Not awaited here: SSM unreachable at a cold start must not take the API down; the first
  // lookups read it (and keep the keys already in the table meanwhile).
  return createAccessControl({ store, partition: context.partition, keyEncryptionKey, bootstrapToken });
}
