/**
 * The port for the key that seals access key secrets at rest (32 bytes, AES-256). Local mode
 * keeps it in a file in the data dir (local/keyFile.ts); on AWS it is an SSM SecureString
 * (core/aws/ssmKeyEncryptionKey.ts). Implementations cache it for the process's lifetime.
 */
export interface KeyEncryptionKeyProvider {
  get(): Promise<Buffer>;
}

export const KEK_BYTES = 32;

/** A key read from text (base64, as stored in a file or parameter), checked for its size. */
export function decodeKeyEncryptionKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEK_BYTES) {
    throw new Error(
      `The key encryption key in ${where} must be ${KEK_BYTES} bytes in base64, not ${key.length} bytes.`,
    );
  }
  return key;
}
