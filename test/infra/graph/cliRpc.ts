import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type BuildInput, buildFunction } from "./functionBuild.ts";

/**
 * The few calls SST's components make back to its CLI while a program runs (their
 * components/rpc/rpc.ts: JSON-RPC 1.0 over HTTP at $SST_SERVER/rpc): the account's bootstrap
 * (the bucket function code is uploaded to), and the function build. `Runtime.AddTarget` and
 * `Provider.Aws.Appsync` are made by `sst dev` only; any other call fails the evaluation, as an
 * unknown method fails a deploy.
 */
export interface CliRpc {
  url: string;
  close(): Promise<void>;
}

export async function startCliRpc(opts: { root: string; work: string; account: string }): Promise<CliRpc> {
  const methods: Record<string, (args: never) => Promise<unknown>> = {
    "Provider.Aws.Bootstrap": async ({ region }: { region: string }) => ({
      // SST's bootstrap stack: one asset bucket and ECR repository per account and region.
      asset: `sst-asset-${opts.account}-${region}`,
      assetEcrRegistryId: opts.account,
      assetEcrUrl: `${opts.account}.dkr.ecr.${region}.amazonaws.com/sst-asset`,
      state: `sst-state-${opts.account}-${region}`,
      appsyncHttp: "",
      appsyncRealtime: "",
    }),
    "Runtime.Build": (input: BuildInput) => buildFunction(opts.root, opts.work, input),
  };

  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", async () => {
      const { method, params } = JSON.parse(body) as { method: string; params: [never] };
      const handler = methods[method];
      const reply = handler
        ? await handler(params[0]).then(
            (result) => ({ result }),
            (error: Error) => ({ error: error.message }),
          )
        : { error: `rpc: can't find method ${method} (not stubbed: the evaluation does not cover it)` };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
