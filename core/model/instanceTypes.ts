import table from "./instanceTypes.json" with { type: "json" };

/** What EC2 publishes of an instance type's size: its default vCPUs and its memory in MiB. */
export interface InstanceTypeSize {
  vcpus: number;
  memoryMiB: number;
}

/**
 * Where an instance type's size is looked up: EC2's DescribeInstanceTypes on AWS
 * (core/aws/ec2.ts), the table shipped with Berth otherwise. Undefined for a type it does not know.
 */
export type InstanceTypeSizes = (instanceType: string) => Promise<InstanceTypeSize | undefined>;

const shipped: Record<string, number[]> = table;

/**
 * The table shipped in the repository (core/model/instanceTypes.json, generated from EC2's own
 * DescribeInstanceTypes answers by scripts/generate-instance-types.py): for local mode, which has
 * no EC2 to ask.
 */
export const shippedInstanceTypeSizes: InstanceTypeSizes = async (instanceType) => {
  const entry = Object.hasOwn(shipped, instanceType) ? shipped[instanceType] : undefined;
  return entry && { vcpus: entry[0], memoryMiB: entry[1] };
};
