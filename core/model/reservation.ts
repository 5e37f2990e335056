import type { ContainerDefinition, TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import type { Reservation } from "../store/records.ts";

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
