import type { ContainerDefinition, TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";

/** What a placed task holds on its container instance until it stops. */
export interface Reservation {
  cpu: number;
  memory: number;
  ports: number[];
  udpPorts: number[];
}

/**
 * A change of a container instance's remaining resources. Stores keep them apart from the
 * record (a versioned put of the instance never overwrites them, except the put that creates it,
 * which starts them from its `remainingResources`), and apply each change as a delta on what is
 * stored at commit time, not on what was read: such changes commute, so concurrent placements on
 * one instance all commit as long as they fit, and a drain or an attribute change between them
 * loses none. Each moves the instance's `resourcesVersion` on, never its `version`.
 */
export interface ResourceWrite {
  kind: "resources";
  cluster: string;
  /** The container instance's id. */
  id: string;
  /** Added to the CPU units and MiB left: negative to take, positive to give back. */
  cpu: number;
  memory: number;
  /** Host ports that become in use, and those that become free. */
  take: HostPorts;
  free: HostPorts;
  /**
   * Added to the instance's count of tasks per group (`service:web`, `family:app`): a launch
   * adds its tasks of its group, a release at stop takes its task's back, a re-registration
   * changes none. A count may not go below zero: a write that would take more than is counted
   * fails with ConflictError (the caller re-reads, and takes back only what the read counts).
   */
  groups: Record<string, number>;
  /**
   * Groups this write empties, as the caller read them (a release of a group's last task): the
   * store drops their entries, on the condition that they still hold exactly what the write takes
   * (else ConflictError), so that an instance's counts do not keep every group it ever ran.
   */
  emptied?: string[];
  /**
   * A reservation: commits only if the instance is live and ACTIVE, keeps at least -cpu CPU
   * units and -memory MiB, and has none of `take`'s ports in use. Otherwise (someone else took
   * them first, or the instance drained) the commit fails with ConflictError. Without it, the
   * instance need only be live.
   */
  reserve: boolean;
}

export interface HostPorts {
  ports: number[];
  udpPorts: number[];
}

/**
 * What one task of a task definition holds on its container instance: task-level cpu/memory when
 * set, else the sum over containers (memoryReservation, the soft limit, when given, else memory),
 * with RunTask's overrides applied; and the fixed host ports it binds (a bridge-mode mapping
 * without a hostPort gets a dynamic port from Docker and reserves nothing).
 */
export function reservationOf(taskDefinition: TaskDefinition, overrides: TaskOverride = {}): Reservation {
  const containers = (taskDefinition.containerDefinitions ?? []).map((c) => withOverride(c, overrides));
  const sum = (f: (c: ContainerDefinition) => number) => containers.reduce((total, c) => total + f(c), 0);
  const taskCpu = overrides.cpu ?? taskDefinition.cpu;
  const taskMemory = overrides.memory ?? taskDefinition.memory;
  const hostPorts = (protocol: string) =>
    containers.flatMap((c) =>
      (c.portMappings ?? [])
        .filter((p) => (p.protocol ?? "tcp") === protocol && (p.hostPort ?? 0) > 0)
        .map((p) => p.hostPort as number),
    );
  return {
    cpu: taskCpu ? Number(taskCpu) : sum((c) => c.cpu ?? 0),
    memory: taskMemory ? Number(taskMemory) : sum((c) => c.memoryReservation ?? c.memory ?? 0),
    ports: taskDefinition.networkMode === "awsvpc" ? [] : hostPorts("tcp"),
    udpPorts: taskDefinition.networkMode === "awsvpc" ? [] : hostPorts("udp"),
  };
}

function withOverride(container: ContainerDefinition, overrides: TaskOverride): ContainerDefinition {
  const o = overrides.containerOverrides?.find((c) => c.name === container.name);
  if (!o) return container;
  return {
    ...container,
    cpu: o.cpu ?? container.cpu,
    memory: o.memory ?? container.memory,
    memoryReservation: o.memoryReservation ?? container.memoryReservation,
  };
}
