import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { SecretResolver } from "./engine/types.ts";

/**
 * Secrets named by SSM parameter (a name or an ARN), read with decryption as ECS's agent does.
 * The client is made on first use: most hosts run no task with secrets, and building it would
 * look for AWS credentials for nothing.
 */
export function createSsmResolver(region: string): SecretResolver & { destroy(): void } {
  let ssm: SSMClient | undefined;
  const resolve = async (valueFrom: string) => {
    // A parameter ARN names its own region: arn:aws:ssm:REGION:ACCOUNT:parameter/NAME.
    const arnRegion = /^arn:[^:]+:ssm:([^:]+):/.exec(valueFrom)?.[1];
    const ownRegion = !arnRegion || arnRegion === region;
    if (ownRegion && !ssm) ssm = new SSMClient({ region });
    const client = ownRegion ? (ssm as SSMClient) : new SSMClient({ region: arnRegion });
    try {
      const { Parameter } = await client.send(new GetParameterCommand({ Name: valueFrom, WithDecryption: true }));
      if (Parameter?.Value === undefined) throw new Error(`SSM parameter ${valueFrom} has no value.`);
      return Parameter.Value;
    } catch (error) {
      throw new Error(
        `Fetching secret data from SSM Parameter Store in ${arnRegion ?? region}: ${(error as Error).message}`,
      );
    } finally {
      if (client !== ssm) client.destroy();
    }
  };
  return Object.assign(resolve, { destroy: () => ssm?.destroy() });
}
