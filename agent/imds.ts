/**
 * The EC2 instance identity document and its signature, from IMDSv2 (a session token first, as
 * instances that require v2 refuse v1 reads). Only asked for when ECS_ENABLE_IMDS says the agent
 * runs on EC2: elsewhere 169.254.169.254 is nobody's, and a short timeout keeps a wrong guess cheap.
 */
import { request } from "node:http";

const IMDS = "http://169.254.169.254";
const TIMEOUT_MS = 2000;

export interface InstanceIdentity {
  document: string;
  signature: string;
  /**
   * The Auto Scaling group that launched the instance: its `aws:autoscaling:groupName` tag, which
   * IMDS shows when the launch template allows instance tags in metadata; absent otherwise.
   */
  autoScalingGroup?: string;
}

export async function fetchInstanceIdentity(base = IMDS): Promise<InstanceIdentity> {
  const token = await call(`${base}/latest/api/token`, "PUT", { "x-aws-ec2-metadata-token-ttl-seconds": "60" });
  if (!token.ok) throw new Error(`IMDSv2 token request answered HTTP ${token.status}`);
  const get = async (path: string) => {
    const response = await call(`${base}${path}`, "GET", { "x-aws-ec2-metadata-token": token.text });
    if (!response.ok) throw new Error(`IMDS ${path} answered HTTP ${response.status}`);
    return response.text;
  };
  const tag = await get("/latest/meta-data/tags/instance/aws:autoscaling:groupName").catch(() => undefined);
  return {
    document: await get("/latest/dynamic/instance-identity/document"),
    signature: await get("/latest/dynamic/instance-identity/signature"),
    ...(tag && { autoScalingGroup: tag }),
  };
}

/**
 * One request to IMDS over node:http, which the AWS SDK loads anyway (fetch would load Node's
 * undici beside it for these three requests, ≈ 3 MiB for the agent's lifetime).
 */
function call(url: string, method: string, headers: Record<string, string>) {
  return new Promise<{ ok: boolean; status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method, headers, signal: AbortSignal.timeout(TIMEOUT_MS) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, status, text });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
