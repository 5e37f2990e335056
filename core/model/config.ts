/** Where this control plane lives: every ARN it mints carries these. */
export interface Partition {
  region: string;
  accountId: string;
}

/**
 * EC2 identity checks at registration (core/auth/ec2/identityCheck.ts): off unless configured,
 * as in local mode, where agents are not EC2 instances.
 */
export interface Ec2IdentityOptions {
  /** The tag EC2 must show on the instance: a key with this value, or with any value when `value` is absent. */
  requiredTag?: { key: string; value?: string };
  /** Where the EC2 API is (a VPC endpoint, a test server); EC2's own endpoint for the Region when absent. */
  endpoint?: string;
}

/**
 * The checks from the environment: on with BERTH_EC2_IDENTITY_CHECK=1 or a BERTH_EC2_REQUIRED_TAG
 * (`key=value`, or `key` for any value); BERTH_EC2_ENDPOINT points the EC2 client elsewhere.
 */
export function ec2IdentityOptionsFromEnv(env: Record<string, string | undefined>): Ec2IdentityOptions | undefined {
  const on = env.BERTH_EC2_IDENTITY_CHECK;
  if (on !== undefined && !["0", "1", ""].includes(on)) {
    throw new Error(`BERTH_EC2_IDENTITY_CHECK must be 1 or 0, not '${on}'.`);
  }
  const tagText = env.BERTH_EC2_REQUIRED_TAG?.trim();
  if (on !== "1" && !tagText) return undefined;
  let requiredTag: Ec2IdentityOptions["requiredTag"];
  if (tagText) {
    const eq = tagText.indexOf("=");
    const key = eq < 0 ? tagText : tagText.slice(0, eq);
    if (key === "") throw new Error(`BERTH_EC2_REQUIRED_TAG must look like key=value or key, not '${tagText}'.`);
    requiredTag = eq < 0 ? { key } : { key, value: tagText.slice(eq + 1) };
  }
  return { ...(requiredTag && { requiredTag }), ...(env.BERTH_EC2_ENDPOINT && { endpoint: env.BERTH_EC2_ENDPOINT }) };
}
