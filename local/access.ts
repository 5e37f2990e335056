import { type AccessControl, createAccessControl } from "../core/auth/accessControl.ts";
import { ensureAccessKey } from "../core/auth/accessKeys.ts";
import type { KeyEncryptionKeyProvider } from "../core/auth/keyEncryptionKey.ts";
import type { Store } from "../core/store/port.ts";
import { LOCAL_CLUSTER } from "./agent.ts";
import type { LocalOptions } from "./config.ts";
import { type AccessKey, loadLocalAccessKey, loadLocalBootstrapToken } from "./credentials.ts";
import { keyFileProvider } from "./keyFile.ts";

export interface LocalAccess {
  access: AccessControl;
  keyEncryptionKey: KeyEncryptionKeyProvider;
  /** The admin key: the first key, printed by `berth local`. */
  admin: AccessKey & { source: string };
  /** The `default` cluster's bootstrap token, which the local agent joins with. */
  bootstrap: AccessKey & { token: string; source: string };
}

/**
 * Local mode's keys: the key encryption key in the data dir, and the admin key and bootstrap
 * token (from the environment or the data dir) written into the store, where every request's
 * key is looked up.
 */
export async function localAccess(options: LocalOptions, store: Store): Promise<LocalAccess> {
  const keyEncryptionKey = keyFileProvider(options.dataDir);
  const admin = loadLocalAccessKey(options.dataDir);
  const bootstrap = loadLocalBootstrapToken(options.dataDir);
  await ensureAccessKey(store, keyEncryptionKey, admin, { kind: "admin" }, "local mode's admin key");
  await ensureAccessKey(
    store,
    keyEncryptionKey,
    bootstrap,
    { kind: "bootstrap", cluster: LOCAL_CLUSTER },
    `local mode's bootstrap token for cluster ${LOCAL_CLUSTER}`,
  );
  const access = createAccessControl({
    store,
    partition: options.partition,
    keyEncryptionKey,
    throttle: options.access.throttle,
    auditRetentionDays: options.access.auditRetentionDays,
  });
  return { access, keyEncryptionKey, admin, bootstrap };
}
