import { randomBytes } from "node:crypto";
import { put, type Store } from "../store/port.ts";
import type { Caller } from "./authorize.ts";
import type { KeyEncryptionKeyProvider } from "./keyEncryptionKey.ts";
import type { AccessKeyRecord, AccessPolicy } from "./records.ts";
import { open, seal } from "./secretBox.ts";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A key pair in AWS's format: a 20-character id starting with AKIA and a 40-character secret. */
export function generateAccessKey(): AccessKey {
  const id = [...randomBytes(16)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString("base64").replaceAll("/", "+") };
}

/** A key's record, its secret sealed; the clear secret exists only in what the caller holds. */
export function accessKeyRecord(
  kek: Buffer,
  key: AccessKey,
  policy: AccessPolicy,
  now: Date,
  description?: string,
): Omit<AccessKeyRecord, "version"> {
  return {
    accessKeyId: key.accessKeyId,
    sealedSecret: seal(kek, key.secretAccessKey, key.accessKeyId),
    policy,
    ...(description && { description }),
    createdAtMs: now.getTime(),
  };
}

export interface KnownKey extends Caller {
  secretAccessKey: string;
}

/** Opened secrets kept at most (then forgotten all at once): far more keys than any deployment has. */
const MAX_OPENED = 10_000;

/**
 * Reads a key for a request: from the store every time, with no cache, so that a deleted key (or
 * a changed policy) takes effect at the next call. A secret that does not open (another key
 * encryption key) is an unknown key.
 */
export function keyReader(store: Store, kek: KeyEncryptionKeyProvider) {
  // Each sealed secret is opened once per key encryption key (an AES-GCM decryption per request
  // otherwise); the record is still read every time.
  const opened = new WeakMap<Buffer, Map<string, string | undefined>>();
  const openOnce = (key: Buffer, sealed: string, accessKeyId: string) => {
    let secrets = opened.get(key);
    if (!secrets || secrets.size >= MAX_OPENED) {
      secrets = new Map();
      opened.set(key, secrets);
    }
    const id = `${accessKeyId}\u0000${sealed}`;
    if (!secrets.has(id)) secrets.set(id, open(key, sealed, accessKeyId));
    return secrets.get(id);
  };
  return async (accessKeyId: string): Promise<KnownKey | undefined> => {
    const record = await store.getAccessKey(accessKeyId);
    if (!record) return undefined;
    const secretAccessKey = openOnce(await kek.get(), record.sealedSecret, accessKeyId);
    return secretAccessKey === undefined ? undefined : { accessKeyId, secretAccessKey, policy: record.policy };
  };
}

/**
 * Makes sure a key that exists outside the store (local mode's admin key and bootstrap token)
 * is in it with this secret, policy and description; rewrites it when one differs.
 */
export async function ensureAccessKey(
  store: Store,
  kek: KeyEncryptionKeyProvider,
  key: AccessKey,
  policy: AccessPolicy,
  description: string,
  now = new Date(),
): Promise<void> {
  const existing = await store.getAccessKey(key.accessKeyId);
  const known = await keyReader(store, kek)(key.accessKeyId);
  if (
    known?.secretAccessKey === key.secretAccessKey &&
    JSON.stringify(known.policy) === JSON.stringify(policy) &&
    existing?.description === description
  ) {
    return;
  }
  const record = accessKeyRecord(await kek.get(), key, policy, now, description);
  await store.commit([put("accessKey", existing ? { ...record, version: existing.version } : record)]);
}
