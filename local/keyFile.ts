import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeKeyEncryptionKey, KEK_BYTES, type KeyEncryptionKeyProvider } from "../core/auth/keyEncryptionKey.ts";

/**
 * Local mode's key encryption key: `master.key` in the data dir (base64, readable by its owner
 * only), made on first start. Losing it makes the stored access keys unreadable: local mode then
 * writes its admin key and bootstrap token again, and other keys must be created anew.
 */
export function keyFileProvider(dataDir: string): KeyEncryptionKeyProvider {
  const file = join(dataDir, "master.key");
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(KEK_BYTES).toString("base64")}\n`, { mode: 0o600 });
  const key = decodeKeyEncryptionKey(readFileSync(file, "utf8"), file);
  return { get: async () => key };
}
