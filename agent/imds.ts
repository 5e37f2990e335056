/**
 * The EC2 instance identity document and its signature, from IMDSv2 (a session token first, as
 * instances that require v2 refuse v1 reads). Only asked for when ECS_ENABLE_IMDS says the agent
 * runs on EC2: elsewhere 169.254.169.254 is nobody's, and a short timeout keeps a wrong guess cheap.
 */
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
  const tokenResponse = await fetch(`${base}/latest/api/token`, {
    method: "PUT",
    headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!tokenResponse.ok) throw new Error(`IMDSv2 token request answered HTTP ${tokenResponse.status}`);
  const token = await tokenResponse.text();
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, {
      headers: { "x-aws-ec2-metadata-token": token },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`IMDS ${path} answered HTTP ${response.status}`);
    return response.text();
  };
  const tag = await fetch(`${base}/latest/meta-data/tags/instance/aws:autoscaling:groupName`, {
    headers: { "x-aws-ec2-metadata-token": token },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).then(
    (response) => (response.ok ? response.text() : undefined),
    () => undefined,
  );
  return {
    document: await get("/latest/dynamic/instance-identity/document"),
    signature: await get("/latest/dynamic/instance-identity/signature"),
    ...(tag && { autoScalingGroup: tag }),
  };
}
