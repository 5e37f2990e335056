import type { Ec2IdentityOptions, Partition } from "../../model/config.ts";
import { type InstanceIdentity, parseIdentityDocument } from "../../model/instanceIdentity.ts";
import { clientException, serverError } from "../../protocol/errors.ts";
import { identitySignatureVerifies, rsaCertificateFor } from "./signature.ts";

/** What EC2 says of an instance (DescribeInstances); undefined when it knows none by that id. */
export interface Ec2InstanceFacts {
  state: string;
  tags: Record<string, string>;
  launchTime?: Date;
}

/** The port to EC2 (core/aws/ec2.ts over @aws-sdk/client-ec2). */
export type DescribeEc2Instance = (instanceId: string) => Promise<Ec2InstanceFacts | undefined>;

/** Checks a registration's identity document; answers its fields, or throws the reason it is refused. */
export type InstanceIdentityCheck = (registration: {
  document?: string;
  signature?: string;
}) => Promise<InstanceIdentity>;

/** Clock skew allowed between EC2 and this control plane. */
const SKEW_MS = 5 * 60 * 1000;

/**
 * The EC2 identity check of RegisterContainerInstance, when configured (BERTH_EC2_IDENTITY_CHECK):
 * the document must carry AWS's signature for this control plane's Region, be of its Region and
 * account, be of the instance's current run, and EC2 must confirm the instance exists, is running
 * and carries the required tag. Every refusal is a ClientException that says which check failed;
 * EC2 being unreachable is a ServerException (the agent retries).
 *
 * Freshness: an identity document is fixed for a run of the instance (IMDS serves the same one
 * until it stops), so its age says nothing by itself. Its `pendingTime` is the start of the run it
 * was issued for: one in the future is refused, and so is one from before EC2's LaunchTime of the
 * instance (a document kept from an earlier run, replayed after a stop and start).
 */
export function instanceIdentityCheck(
  options: Ec2IdentityOptions,
  partition: Partition,
  describe: DescribeEc2Instance,
  now: () => Date = () => new Date(),
): InstanceIdentityCheck {
  const refuse = (reason: string) => clientException(`EC2 identity check failed: ${reason}`);
  return async ({ document, signature }) => {
    if (!document?.trim() || !signature?.trim()) {
      throw refuse(
        "RegisterContainerInstance must carry instanceIdentityDocument and instanceIdentityDocumentSignature (the agent sends them with ECS_ENABLE_IMDS=true).",
      );
    }
    if (!identitySignatureVerifies(document, signature, rsaCertificateFor(partition.region))) {
      throw refuse(
        `the instance identity document's signature does not verify against AWS's RSA certificate for ${partition.region}.`,
      );
    }
    const identity = parseIdentityDocument(document) as InstanceIdentity;
    if (identity.region !== partition.region) {
      throw refuse(`the instance is in region ${identity.region}; this control plane is in ${partition.region}.`);
    }
    if (identity.accountId !== partition.accountId) {
      throw refuse(`the instance belongs to account ${identity.accountId}, not ${partition.accountId}.`);
    }
    const instanceId = identity.instanceId;
    if (!instanceId) throw refuse("the instance identity document names no instanceId.");
    if (identity.pendingTime && identity.pendingTime.getTime() > now().getTime() + SKEW_MS) {
      throw refuse(`the document's pendingTime ${identity.pendingTime.toISOString()} is in the future.`);
    }
    let facts: Ec2InstanceFacts | undefined;
    try {
      facts = await describe(instanceId);
    } catch (error) {
      throw serverError(`Could not confirm ${instanceId} with EC2 DescribeInstances: ${(error as Error).message}`);
    }
    if (!facts) throw refuse(`EC2 knows no instance ${instanceId}.`);
    if (facts.state !== "running") throw refuse(`EC2 instance ${instanceId} is ${facts.state}, not running.`);
    const launched = facts.launchTime?.getTime();
    if (identity.pendingTime && launched !== undefined && identity.pendingTime.getTime() < launched - SKEW_MS) {
      throw refuse(
        `the document is from an earlier run of ${instanceId} (pendingTime ${identity.pendingTime.toISOString()}, launched ${facts.launchTime?.toISOString()}).`,
      );
    }
    const tag = options.requiredTag;
    if (tag && (facts.tags[tag.key] === undefined || (tag.value !== undefined && facts.tags[tag.key] !== tag.value))) {
      const wanted = tag.value === undefined ? `a tag ${tag.key}` : `the tag ${tag.key}=${tag.value}`;
      throw refuse(`EC2 instance ${instanceId} does not carry ${wanted}, which this control plane requires.`);
    }
    return identity;
  };
}
