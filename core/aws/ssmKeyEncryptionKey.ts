import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { decodeKeyEncryptionKey, type KeyEncryptionKeyProvider } from "../auth/keyEncryptionKey.ts";

/** What the provider needs of an SSM client (a real SSMClient, or a fake in tests). */
export interface SsmParameterReader {
  send(command: GetParameterCommand): Promise<{ Parameter?: { Value?: string } }>;
}

/**
 * The key encryption key on AWS: an SSM SecureString parameter holding 32 bytes in base64 (e.g.
 * `openssl rand -base64 32`), read with decryption once per process (a Lambda's lifetime) and
 * then kept in memory. A failed read is not cached, so the next request tries again.
 */
export function ssmKeyEncryptionKey(
  parameterName: string,
  client: SsmParameterReader = new SSMClient({}),
): KeyEncryptionKeyProvider {
  let key: Promise<Buffer> | undefined;
  const read = async () => {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    if (!Parameter?.Value) throw new Error(`The SSM parameter ${parameterName} has no value.`);
    return decodeKeyEncryptionKey(Parameter.Value, `the SSM parameter ${parameterName}`);
  };
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
