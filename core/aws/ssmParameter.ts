import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import { SSMClient } from "@aws-sdk/client-ssm";

export interface SsmReadOptions {
  /** The SDK client to read with (a region or an endpoint of its own); the default chain's otherwise. */
  client?: SSMClient;
  /**
   * How long Powertools keeps a value before reading the parameter again; 0 reads it on every
   * call, for callers that pace their own reads (the bootstrap token's rotation does).
   */
  maxAgeSeconds?: number;
}

/**
 * Reads an SSM (SecureString) parameter's value, decrypted, through Powertools for AWS Lambda's
 * Parameters utility (its SSMProvider caches per the max age); an empty or missing one is an error.
 */
export function ssmSecureString(parameterName: string, options: SsmReadOptions = {}) {
  const provider = new SSMProvider({ awsSdkV3Client: options.client ?? new SSMClient({}) });
  const maxAge = options.maxAgeSeconds ?? 5;
  return async (): Promise<string> => {
    const value = await provider.get(parameterName, { decrypt: true, maxAge });
    if (!value) throw new Error(`The SSM parameter ${parameterName} has no value.`);
    return value;
  };
}
