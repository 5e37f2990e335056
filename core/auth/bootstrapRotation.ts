import { everyItem } from "../store/paging.ts";
import type { Store } from "../store/port.ts";
import { put } from "../store/port.ts";
import { ensureAccessKey } from "./accessKeys.ts";
import { parseBootstrapToken } from "./bootstrapToken.ts";
import type { KeyEncryptionKeyProvider } from "./keyEncryptionKey.ts";

/** How long a read of the bootstrap token is trusted before the parameter is read again. */
export const BOOTSTRAP_TOKEN_MAX_AGE_MS = 10_000;
/** After a failed read, the next is tried no sooner than this: requests must not each call a struggling SSM. */
const RETRY_AFTER_FAILURE_MS = 1_000;

export interface BootstrapTokenOptions {
  store: Store;
  keyEncryptionKey: KeyEncryptionKeyProvider;
  /** The cluster the token joins. */
  cluster: string;
  /** Reads the current token, `<access key id>:<secret>` (on AWS: an SSM SecureString, core/aws/ssmParameter.ts). */
  read: () => Promise<string>;
  maxAgeMs?: number;
  now?: () => number;
}

/** What marks the keys this source manages: the deployment's token of a cluster, never a key made with `berth keys`. */
const description = (cluster: string) => `the deployment's bootstrap token of cluster ${cluster}`;

/**
 * A cluster's bootstrap token kept where it is configured (an SSM parameter) rather than fixed at
 * start: `refresh()`, called before each key lookup, reads it again once the last read is older
 * than a few seconds, and when it changed writes the new token's key into the store and expires
 * the previous token's. So a rotated token is picked up without a restart, and the old one stops
 * working within the max age (each Lambda instance reads on its own clock).
 *
 * Agents that joined keep working: after joining they sign with credentials of their own
 * (GetAgentCredentials), never with the token again. A failed read is not cached and fails no
 * request: the keys already in the store stay as they are, and a lookup a second later tries again.
 */
export function bootstrapTokenSource(options: BootstrapTokenOptions) {
  const { store, keyEncryptionKey, cluster, read } = options;
  const maxAgeMs = options.maxAgeMs ?? BOOTSTRAP_TOKEN_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  let readAt = Number.NEGATIVE_INFINITY;
  let current: string | undefined;
  let refreshing: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    const token = await read().then(
      (text) => text.trim(),
      (error) => {
        readAt = now() - maxAgeMs + RETRY_AFTER_FAILURE_MS;
        throw error;
      },
    );
    readAt = now();
    const key = parseBootstrapToken(token);
    // Unchanged, and its key still there: nothing to do. Its key gone though the token is current
    // (another instance, acting on a read from just before a rotation, expired it): put it back.
    if (token === current && (await store.getAccessKey(key.accessKeyId))) return;
    await ensureAccessKey(store, keyEncryptionKey, key, { kind: "bootstrap", cluster }, description(cluster));
    await expireOthers(key.accessKeyId);
    current = token;
  }

  async function expireOthers(keep: string) {
    for await (const record of everyItem((page) => store.listAccessKeys(page))) {
      const ours = record.policy.kind === "bootstrap" && record.description === description(cluster);
      if (ours && record.accessKeyId !== keep) {
        await store.commit([put("accessKey", { ...record, expiresAt: now() })]);
      }
    }
  }

  return {
    /** Reads the token again when the last read is older than the max age (one read at a time). */
    async refresh(): Promise<void> {
      if (now() - readAt < maxAgeMs) return;
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      await refreshing;
    },
  };
}

export type BootstrapTokenSource = ReturnType<typeof bootstrapTokenSource>;
