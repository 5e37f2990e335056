import type { Resource } from "@aws-sdk/client-ecs";
import type { InstanceIdentity } from "../model/instanceIdentity.ts";
import { shippedInstanceTypeSizes } from "../model/instanceTypes.ts";
import { STANDARD_RESERVED_PORTS } from "../model/resourceList.ts";
import { invalidParameter } from "../protocol/errors.ts";
import type { ActionContext } from "./context.ts";

/**
 * The resources a container instance registered without `totalResources` is taken to have: the
 * API does not require them (the ECS agent measures the host and always sends them), so they
 * come from the identity document's instance type as EC2 publishes it: CPU is its vCPUs × 1024
 * units, MEMORY its memory in MiB, PORTS the standard reserved ports, PORTS_UDP none.
 *
 * MEMORY is EC2's figure as is. The ECS agent registers the memory the operating system reports
 * (less than EC2's figure by what the kernel keeps, which varies with the AMI) minus
 * ECS_RESERVED_MEMORY (0 by default); without a host to measure, Berth has no honest way to guess
 * the kernel's share, so it takes EC2's figure, and says so in the log line the caller gets.
 */
export async function instanceTypeResources(
  ctx: ActionContext,
  identity: InstanceIdentity | undefined,
): Promise<{ resources: Resource[]; assumed: string }> {
  const type = identity?.instanceType;
  if (!type) {
    throw invalidParameter(
      "totalResources must be given when the instance identity document names no instanceType to derive them from.",
    );
  }
  const size = await (ctx.instanceTypeSizes ?? shippedInstanceTypeSizes)(type);
  if (!size) throw invalidParameter(`Unknown instance type ${type}: give totalResources to register this instance.`);
  const cpu = size.vcpus * 1024;
  const ports = STANDARD_RESERVED_PORTS.map(String);
  return {
    resources: [
      { name: "CPU", type: "INTEGER", integerValue: cpu },
      { name: "MEMORY", type: "INTEGER", integerValue: size.memoryMiB },
      { name: "PORTS", type: "STRINGSET", stringSetValue: ports },
      { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
    ],
    assumed: `CPU ${cpu} (${size.vcpus} vCPUs), MEMORY ${size.memoryMiB} MiB (EC2's figure for ${type}), reserved TCP ports ${ports.join(", ")}`,
  };
}
