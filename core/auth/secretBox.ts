import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Secrets sealed at rest with AES-256-GCM under the key encryption key: `v1.<iv>.<tag>.<data>`
 * in base64url. The access key id is bound in as associated data, so a sealed secret copied onto
 * another key's record does not open.
 */
const VERSION = "v1";

export function seal(kek: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", kek, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

/** The plaintext, or undefined when the box was sealed with another key or tampered with. */
export function open(kek: Buffer, sealed: string, associatedData: string): string | undefined {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || data === undefined) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
