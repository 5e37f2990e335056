import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

/** What the readers need of an SSM client (a real SSMClient, or a fake in tests). */
export interface SsmParameterReader {
  send(command: GetParameterCommand): Promise<{ Parameter?: { Value?: string } }>;
}

/** Reads an SSM (SecureString) parameter's value, decrypted, each time it is called; an empty one is an error. */
export function ssmSecureString(parameterName: string, client: SsmParameterReader = new SSMClient({})) {
  return async (): Promise<string> => {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    if (!Parameter?.Value) throw new Error(`The SSM parameter ${parameterName} has no value.`);
    return Parameter.Value;
  };
}
