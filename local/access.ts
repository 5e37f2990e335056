import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AccessControl, createAccessControl } from "../core/auth/accessControl.ts";
import { ensureAccessKey } from "../core/auth/accessKeys.ts";
import { bootstrapTokenSource } from "../core/auth/bootstrapRotation.ts";
import type { KeyEncryptionKeyProvider } from "../core/auth/keyEncryptionKey.ts";
import type { Partition } from "../core/model/config.ts";
import type { Store } from "../core/store/port.ts";
import type { LocalOptions } from "./config.ts";
import { LOCAL_CLUSTER } from "./config.ts";
import { type AccessKey, BOOTSTRAP_TOKEN_FILE, loadLocalAccessKey, loadLocalBootstrapToken } from "./credentials.ts";
import { keyFileProvider } from "./keyFile.ts";

export interface LocalAccess {
  /** The access control of one region's control plane: the keys are shared, its store and ARNs are the region's. */
  accessFor(store: Store, partition: Partition): AccessControl;
  keyEncryptionKey: KeyEncryptionKeyProvider;
  /** The admin key: the first key, printed by `berth local`. */
  admin: AccessKey & { source: string };
  /** The `default` cluster's bootstrap token, which the local agent joins with. */
  bootstrap: AccessKey & { token: string; source: string };
}

/**
 * Local mode's keys: the key encryption key in the data dir, and the admin key and bootstrap
 * token (from the environment or the data dir) written into the default region's store, where
 * every request's key is looked up (another region's store sends it there: local/regionalStore.ts).
 */
export async function localAccess(options: LocalOptions, store: Store): Promise<LocalAccess> {
  const keyEncryptionKey = keyFileProvider(options.dataDir);
  const admin = loadLocalAccessKey(options.dataDir);
  const bootstrap = loadLocalBootstrapToken(options.dataDir);
  await ensureAccessKey(store, keyEncryptionKey, admin, { kind: "admin" }, "local mode's admin key");
  // Read again from its file as it would be from SSM on AWS: a token written there is picked up
  // within the max age, without a restart, and the one it replaces stops working.
  const bootstrapToken = bootstrapTokenSource({
    store,
    keyEncryptionKey,
    cluster: LOCAL_CLUSTER,
    read: async () => readFileSync(join(options.dataDir, BOOTSTRAP_TOKEN_FILE), "utf8"),
    maxAgeMs: options.access.bootstrapTokenMaxAgeMs,
  });
  await bootstrapToken.refresh();
  const accessFor = (regionStore: Store, partition: Partition) =>
    createAccessControl({
      store: regionStore,
      partition,
      keyEncryptionKey,
      throttle: options.access.throttle,
      auditRetentionDays: options.access.auditRetentionDays,
      bootstrapToken,
    });
  return { accessFor, keyEncryptionKey, admin, bootstrap };
}
