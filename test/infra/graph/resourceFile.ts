import { createCipheriv } from "node:crypto";

/**
 * `resource.enc`, a function's links as SST's CLI seals them beside its code (pkg/runtime
 * runtime.go) and the `sst` package opens them at cold start (SST_KEY, SST_KEY_FILE):
 * AES-256-GCM with a zero nonce, ciphertext then tag, over the links as Go's json.Marshal writes
 * a map (keys sorted; <, >, & and the JavaScript line separators escaped).
 */
export function seal(key: string, links: Record<string, unknown>): Buffer {
  const sorted = Object.fromEntries(
    Object.keys(links)
      .sort()
      .map((k) => [k, links[k]]),
  );
  const json = JSON.stringify(sorted).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(key, "base64"), Buffer.alloc(12));
  return Buffer.concat([cipher.update(json, "utf8"), cipher.final(), cipher.getAuthTag()]);
}
