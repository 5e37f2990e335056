import type { ContainerInstance, Resource } from "@aws-sdk/client-ecs";
import type { ContainerInstanceUtilization } from "../../core/actions/berth/shapes.ts";

const amount = (resources: Resource[] | undefined, name: string) =>
  resources?.find((r) => r.name === name)?.integerValue ?? 0;

/**
 * An instance's CPU units and MiB: registered, reserved by tasks (registered − remaining), and
 * used as last measured (undefined until an agent's heartbeat reports it).
 */
export interface Capacity {
  cpu: Amounts;
  memory: Amounts;
}
interface Amounts {
  total: number;
  reserved: number;
  used?: number;
}

export function capacityOf(instance: ContainerInstance, utilization?: ContainerInstanceUtilization): Capacity {
  const cpu = amount(instance.registeredResources, "CPU");
  const memory = amount(instance.registeredResources, "MEMORY");
  return {
    // The agent reports host CPU in percent of all cores; in CPU units that is a share of the registered units.
    cpu: {
      total: cpu,
      reserved: cpu - amount(instance.remainingResources, "CPU"),
      used: utilization?.cpuPercent === undefined ? undefined : (utilization.cpuPercent * cpu) / 100,
    },
    memory: {
      total: memory,
      reserved: memory - amount(instance.remainingResources, "MEMORY"),
      used: utilization?.memoryUsedMiB,
    },
  };
}

/** The sum of many instances' capacities (a cluster's). */
export function totalCapacity(capacities: Capacity[]): Capacity {
  const zero = (): Amounts => ({ total: 0, reserved: 0 });
  const sum: Capacity = { cpu: zero(), memory: zero() };
  for (const c of capacities) {
    for (const kind of ["cpu", "memory"] as const) {
      sum[kind].total += c[kind].total;
      sum[kind].reserved += c[kind].reserved;
      const used = c[kind].used;
      if (used !== undefined) sum[kind].used = (sum[kind].used ?? 0) + used;
    }
  }
  return sum;
}
