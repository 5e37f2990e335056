import { decodeKeyEncryptionKey, type KeyEncryptionKeyProvider } from "../auth/keyEncryptionKey.ts";
import { type SsmReadOptions, ssmSecureString } from "./ssmParameter.ts";

/**
 * The key encryption key on AWS: an SSM SecureString parameter holding 32 bytes in base64 (e.g.
 * `openssl rand -base64 32`), read with decryption once per process (a Lambda's lifetime) and
 * then kept in memory. A failed read is not cached, so the next request tries again.
 */
export function ssmKeyEncryptionKey(
  parameterName: string,
  options: Pick<SsmReadOptions, "client"> = {},
): KeyEncryptionKeyProvider {
  let key: Promise<Buffer> | undefined;
  const value = ssmSecureString(parameterName, { ...options, maxAgeSeconds: 0 });
  const read = async () => decodeKeyEncryptionKey(await value(), `the SSM parameter ${parameterName}`);
  return {
    get() {
      key ??= read().catch((error) => {
        key = undefined;
        throw error;
      });
      return key;
    },
  };
}
