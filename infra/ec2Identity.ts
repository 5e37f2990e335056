import { ec2IdentityOptionsFromEnv } from "../core/model/config.ts";
import { agentCluster } from "./parameters.ts";

/**
 * The API's EC2 identity check of registering container instances (core/auth/ec2/): on by
 * default on AWS, where every host is an EC2 instance. The instance identity document's
 * signature is verified against AWS's certificate for the region, and DescribeInstances must find
 * the instance running and tagged `berth:cluster=<the agents' cluster>`, a tag the hosts' launch
 * template puts on every instance it launches. Deploy with BERTH_EC2_IDENTITY_CHECK=0 to turn it
 * off (hosts that are not EC2 instances), or BERTH_EC2_REQUIRED_TAG=key=value for another tag.
 */
const enabled = process.env.BERTH_EC2_IDENTITY_CHECK !== "0";

/** The API function's settings for the check, as core/model/config.ts reads them. */
export const ec2IdentityEnvironment: Record<string, string> = enabled
  ? {
      BERTH_EC2_IDENTITY_CHECK: "1",
      BERTH_EC2_REQUIRED_TAG: process.env.BERTH_EC2_REQUIRED_TAG ?? `berth:cluster=${agentCluster}`,
    }
  : {};

/** The tag, parsed as the API will parse it. */
export const ec2RequiredTag = ec2IdentityOptionsFromEnv(ec2IdentityEnvironment)?.requiredTag;

/** What the check calls: DescribeInstances, which IAM cannot scope to resources. */
export const ec2IdentityPermissions = enabled ? [{ actions: ["ec2:DescribeInstances"], resources: ["*"] }] : [];
