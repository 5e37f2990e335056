import { createCipheriv, createDecipheriv } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * `resource.enc`, a function's links as SST's CLI seals them beside its code (pkg/runtime
 * runtime.go) and the `sst` package opens them at cold start (SST_KEY, SST_KEY_FILE):
 * AES-256-GCM with a zero nonce, ciphertext then tag, over the links as Go's json.Marshal writes
 * a map (keys sorted; <, > and & escaped).
 */
export function seal(key: string, links: Record<string, unknown>): Buffer {
  const sorted = Object.fromEntries(
    Object.keys(links)
      .sort()
      .map((k) => [k, links[k]]),
  );
  const json = JSON.stringify(sorted).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(key, "base64"), Buffer.alloc(12));
  return Buffer.concat([cipher.update(json, "utf8"), cipher.final(), cipher.getAuthTag()]);
}

/** The links sealed in `<dir>/resource.enc`, for a check of what a function was given. */
export function openResourceFile(dir: string, key: string): Record<string, Record<string, unknown>> {
  const data = readFileSync(join(dir, "resource.enc"));
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(key, "base64"), Buffer.alloc(12));
  decipher.setAuthTag(data.subarray(-16));
  return JSON.parse(Buffer.concat([decipher.update(data.subarray(0, -16)), decipher.final()]).toString("utf8"));
}
