import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SSMClient } from "@aws-sdk/client-ssm";

/**
 * A small SSM API server for tests: it answers GetParameter in SSM's JSON 1.1 protocol from the
 * parameters a test puts in it. A test peer, not a mock of Berth's code: Berth's readers
 * (core/aws/ssmParameter.ts, Powertools' SSMProvider over @aws-sdk/client-ssm) talk HTTP to it,
 * so the SDK's and Powertools' request building, decryption flag and caching run for real.
 */
export interface TestSsmServer {
  parameters: Map<string, string>;
  /** The GetParameter requests received, as sent. */
  calls: { Name: string; WithDecryption?: boolean }[];
  /** An SDK client that talks to this server. */
  client(): SSMClient;
  close(): Promise<void>;
}

export async function startSsmServer(): Promise<TestSsmServer> {
  const parameters = new Map<string, string>();
  const calls: TestSsmServer["calls"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(payload));
      };
      if (req.headers["x-amz-target"] !== "AmazonSSM.GetParameter") {
        return reply(400, { __type: "InvalidAction", message: `Not served here: ${req.headers["x-amz-target"]}` });
      }
      const input = JSON.parse(body) as TestSsmServer["calls"][number];
      calls.push(input);
      const value = parameters.get(input.Name);
      if (value === undefined)
        return reply(400, { __type: "ParameterNotFound", message: `Parameter ${input.Name} not found.` });
      reply(200, { Parameter: { Name: input.Name, Type: "SecureString", Value: value, Version: 1 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    parameters,
    calls,
    client: () =>
      new SSMClient({
        endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      }),
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
