/**
 * An instance's resources as ECS describes them: a `Resource` list with CPU and MEMORY as INTEGER
 * (`integerValue`) and PORTS and PORTS_UDP as STRINGSET (`stringSetValue`). In `registeredResources`
 * the port sets are the ports the instance reserves for itself (22, 2375, 51678, ...); in
 * `remainingResources` they are every host port in use: the reserved ones plus those held by tasks.
 * Placement reads them; the stores write the remaining ones back into the record they read.
 */
import type { Resource } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord } from "./records.ts";

/** What an instance has left: CPU units and MiB free, host ports taken. */
export interface Remaining {
  cpu: number;
  memory: number;
  /** TCP host ports in use. */
  ports: Set<number>;
  /** UDP host ports in use. */
  udpPorts: Set<number>;
}

/** CPU units, MiB and host ports, as lists: what a task holds, or what an instance has left. */
export interface Amounts {
  cpu: number;
  memory: number;
  ports: Iterable<number>;
  udpPorts: Iterable<number>;
}

/**
 * The TCP host ports an ECS container instance keeps for itself unless told otherwise (the ECS
 * agent's ECS_RESERVED_PORTS default): SSH, the Docker daemon's ports, and the agent's own.
 */
export const STANDARD_RESERVED_PORTS: readonly number[] = [22, 2375, 2376, 51678, 51679];

export const integerResource = (list: Resource[] | undefined, name: string): number | undefined => {
  const found = list?.find((r) => r.name === name);
  return found?.integerValue ?? found?.longValue ?? found?.doubleValue;
};

const portSet = (list: Resource[] | undefined, name: string): Set<number> =>
  new Set((list?.find((r) => r.name === name)?.stringSetValue ?? []).map(Number).filter(Number.isInteger));

/** Reads a Resource list; a missing CPU or MEMORY entry counts as none left. */
export function readResources(list: Resource[] | undefined): Remaining {
  return {
    cpu: integerResource(list, "CPU") ?? 0,
    memory: integerResource(list, "MEMORY") ?? 0,
    ports: portSet(list, "PORTS"),
    udpPorts: portSet(list, "PORTS_UDP"),
  };
}

/** A Resource list in ECS's shape, e.g. an instance's registeredResources at registration. */
export function resourceList(r: Amounts): Resource[] {
  return [
    { name: "CPU", type: "INTEGER", integerValue: r.cpu, doubleValue: 0, longValue: 0 },
    { name: "MEMORY", type: "INTEGER", integerValue: r.memory, doubleValue: 0, longValue: 0 },
    {
      name: "PORTS",
      type: "STRINGSET",
      stringSetValue: sortedPorts(r.ports),
      doubleValue: 0,
      longValue: 0,
      integerValue: 0,
    },
    {
      name: "PORTS_UDP",
      type: "STRINGSET",
      stringSetValue: sortedPorts(r.udpPorts),
      doubleValue: 0,
      longValue: 0,
      integerValue: 0,
    },
  ];
}

export const sortedPorts = (ports: Iterable<number>): string[] =>
  [...new Set(ports)]
    .filter((p) => p > 0)
    .sort((a, b) => a - b)
    .map(String);

/** Writes the four resources back into remainingResources, keeping any other entries (GPU, ...) as they were. */
export function withRemaining(record: ContainerInstanceRecord, next: Amounts): ContainerInstanceRecord {
  const fresh = resourceList(next);
  const list = record.instance.remainingResources ?? [];
  const merged = list.map((r) => ({ ...r, ...fresh.find((f) => f.name === r.name) }));
  for (const f of fresh) if (!list.some((r) => r.name === f.name)) merged.push(f);
  return { ...record, instance: { ...record.instance, remainingResources: merged } };
}
