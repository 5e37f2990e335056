import {
  type _InstanceType,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import type { DescribeEc2Instance } from "../auth/ec2/identityCheck.ts";
import { instanceIdentityCheck } from "../auth/ec2/identityCheck.ts";
import { type Ec2IdentityOptions, ec2IdentityOptionsFromEnv, type Partition } from "../model/config.ts";
import type { InstanceTypeSizes } from "../model/instanceTypes.ts";

/**
 * DescribeInstances of one instance through @aws-sdk/client-ec2 (the only module of core/ that
 * touches the EC2 SDK); needs `ec2:DescribeInstances`. An id EC2 does not know is undefined,
 * whether EC2 answers InvalidInstanceID.NotFound or (for an instance terminated long ago) nothing.
 */
export function ec2InstanceDescriber(client: EC2Client): DescribeEc2Instance {
  return async (instanceId) => {
    const answer = await client
      .send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))
      .catch((error: Error) => {
        if (error.name?.startsWith("InvalidInstanceID.")) return undefined;
        throw error;
      });
    const instance = answer?.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
    if (!instance) return undefined;
    return {
      state: instance.State?.Name ?? "unknown",
      tags: Object.fromEntries((instance.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
      launchTime: instance.LaunchTime,
    };
  };
}

/** The EC2 identity check of registrations, as configured; undefined when it is off. */
export function ec2IdentityCheck(options: Ec2IdentityOptions | undefined, partition: Partition) {
  if (!options) return undefined;
  const client = new EC2Client({ region: partition.region, ...(options.endpoint && { endpoint: options.endpoint }) });
  return instanceIdentityCheck(options, partition, ec2InstanceDescriber(client));
}

/** The check as the environment configures it (BERTH_EC2_*), for the functions on AWS. */
export const ec2IdentityCheckFromEnv = (partition: Partition, env = process.env) =>
  ec2IdentityCheck(ec2IdentityOptionsFromEnv(env), partition);

/**
 * An instance type's size as EC2 publishes it (DescribeInstanceTypes; needs
 * `ec2:DescribeInstanceTypes`), for registrations without totalResources. A type EC2 does not
 * know (InvalidInstanceType) is undefined.
 */
export function ec2InstanceTypeSizes(client: EC2Client): InstanceTypeSizes {
  return async (instanceType) => {
    const answer = await client
      .send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as _InstanceType] }))
      .catch((error: Error) => {
        if (error.name?.startsWith("InvalidInstanceType")) return undefined;
        throw error;
      });
    const found = answer?.InstanceTypes?.find((t) => t.InstanceType === instanceType);
    const vcpus = found?.VCpuInfo?.DefaultVCpus;
    const memoryMiB = found?.MemoryInfo?.SizeInMiB;
    return vcpus === undefined || memoryMiB === undefined ? undefined : { vcpus, memoryMiB };
  };
}

/** EC2's instance type sizes in the partition's region, for the functions on AWS. */
export const ec2InstanceTypeSizesFor = (partition: Partition) =>
  ec2InstanceTypeSizes(new EC2Client({ region: partition.region }));
