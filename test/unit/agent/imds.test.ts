import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fetchInstanceIdentity } from "../../../agent/imds.ts";

/** An IMDSv2 peer on a free port: a token first, then the paths it knows (tags only when `tags` is given). */
async function imds(tags?: Record<string, string>): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.method === "PUT" && req.url === "/latest/api/token") return res.end("token-1");
    if (req.headers["x-aws-ec2-metadata-token"] !== "token-1") return res.writeHead(401).end();
    const paths: Record<string, string> = {
      "/latest/dynamic/instance-identity/document": '{"instanceId":"i-1"}',
      "/latest/dynamic/instance-identity/signature": "sig",
      ...Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [`/latest/meta-data/tags/instance/${k}`, v])),
    };
    const body = paths[req.url ?? ""];
    if (body === undefined) return res.writeHead(404).end();
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
});

describe("the instance identity from IMDSv2", () => {
  it("reads the Auto Scaling group from the instance's tags when IMDS shows them", async () => {
    const peer = await imds({ "aws:autoscaling:groupName": "berth-hosts" });
    server = peer.server;
    expect(await fetchInstanceIdentity(peer.base)).toEqual({
      document: '{"instanceId":"i-1"}',
      signature: "sig",
      autoScalingGroup: "berth-hosts",
    });
  });

  it("names no group when the tags are not shown (or the instance is in none)", async () => {
    const peer = await imds();
    server = peer.server;
    expect(await fetchInstanceIdentity(peer.base)).toEqual({ document: '{"instanceId":"i-1"}', signature: "sig" });
  });
});
