/**
 * An instance's resources as ECS describes them: a `Resource` list with CPU and MEMORY as INTEGER
 * (`integerValue`) and PORTS and PORTS_UDP as STRINGSET (`stringSetValue`). In `registeredResources`
 * the port sets are the ports the instance reserves for itself (22, 2375, 51678, ...); in
 * `remainingResources` they are every host port in use: the reserved ones plus those held by tasks.
 *
 * Everything here is pure: `reserve` and `release` return an updated copy of the record.
 * Host port 0 means "dynamic" (bridge mode picks an ephemeral port when the container starts): it
 * never conflicts and is never reserved, so a Reservation's ports are fixed host ports only.
 */
import type { Resource } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord, Reservation } from "../store/records.ts";

export type ResourceReason = "RESOURCE:CPU" | "RESOURCE:MEMORY" | "RESOURCE:PORTS" | "RESOURCE:PORTS_UDP";

/** What an instance has left: CPU units and MiB free, host ports taken. */
export interface Remaining {
  cpu: number;
  memory: number;
  /** TCP host ports in use. */
  ports: Set<number>;
  /** UDP host ports in use. */
  udpPorts: Set<number>;
}

/** Why a demand does not fit, with a sentence for `Failure.detail`. */
export interface Shortfall {
  reason: ResourceReason;
  detail: string;
}

const integer = (list: Resource[] | undefined, name: string): number | undefined => {
  const found = list?.find((r) => r.name === name);
  return found?.integerValue ?? found?.longValue ?? found?.doubleValue;
};

const portSet = (list: Resource[] | undefined, name: string): Set<number> =>
  new Set((list?.find((r) => r.name === name)?.stringSetValue ?? []).map(Number).filter(Number.isInteger));

/** Reads a Resource list; a missing CPU or MEMORY entry counts as none left. */
export function readResources(list: Resource[] | undefined): Remaining {
  return {
    cpu: integer(list, "CPU") ?? 0,
    memory: integer(list, "MEMORY") ?? 0,
    ports: portSet(list, "PORTS"),
    udpPorts: portSet(list, "PORTS_UDP"),
  };
}

/** The instance's remaining resources. */
export function remaining(record: ContainerInstanceRecord): Remaining {
  return readResources(record.instance.remainingResources);
}

/** The fixed host ports of a port list: dynamic ports (0) dropped, duplicates removed. */
export function hostPorts(ports: readonly number[]): number[] {
  return [...new Set(ports.filter((p) => Number.isInteger(p) && p > 0))];
}

/** The first resource the demand lacks on this instance, with details, or undefined if it fits. */
export function shortfall(record: ContainerInstanceRecord, demand: Reservation): Shortfall | undefined {
  return shortfallIn(remaining(record), demand);
}

/** `shortfall` against remaining resources already read. */
export function shortfallIn(left: Remaining, demand: Reservation): Shortfall | undefined {
  if (demand.cpu > left.cpu) {
    return { reason: "RESOURCE:CPU", detail: `Needs ${demand.cpu} CPU units, ${left.cpu} remaining.` };
  }
  if (demand.memory > left.memory) {
    return { reason: "RESOURCE:MEMORY", detail: `Needs ${demand.memory} MiB of memory, ${left.memory} remaining.` };
  }
  const tcp = hostPorts(demand.ports).filter((p) => left.ports.has(p));
  if (tcp.length > 0) return { reason: "RESOURCE:PORTS", detail: `Host ports in use: ${tcp.join(", ")}.` };
  const udp = hostPorts(demand.udpPorts).filter((p) => left.udpPorts.has(p));
  if (udp.length > 0) return { reason: "RESOURCE:PORTS_UDP", detail: `UDP host ports in use: ${udp.join(", ")}.` };
  return undefined;
}

/** The first resource the demand lacks on this instance (`RESOURCE:CPU`, ...), or undefined if it fits. */
export function fits(record: ContainerInstanceRecord, demand: Reservation): ResourceReason | undefined {
  return shortfall(record, demand)?.reason;
}

/** The record with the demand taken from its remaining resources. Throws if it does not fit:
 * callers check `fits` first (placement does), so this is a broken invariant, not a user error. */
export function reserve(record: ContainerInstanceRecord, demand: Reservation): ContainerInstanceRecord {
  const missing = shortfall(record, demand);
  if (missing) throw new Error(`Cannot reserve on container instance ${record.id}: ${missing.reason}`);
  const left = remaining(record);
  return withRemaining(record, {
    cpu: left.cpu - demand.cpu,
    memory: left.memory - demand.memory,
    ports: new Set([...left.ports, ...hostPorts(demand.ports)]),
    udpPorts: new Set([...left.udpPorts, ...hostPorts(demand.udpPorts)]),
  });
}

/**
 * The record with a stopped task's reservation given back. CPU and memory never exceed what the
 * instance registered (a release applied twice cannot create capacity), and the ports the instance
 * reserves for itself stay taken.
 */
export function release(record: ContainerInstanceRecord, reservation: Reservation): ContainerInstanceRecord {
  const left = remaining(record);
  const registered = record.instance.registeredResources;
  const cap = (name: string, value: number) => Math.min(value, integer(registered, name) ?? value);
  const own = readResources(registered);
  const free = (inUse: Set<number>, ports: number[], reserved: Set<number>) => {
    const next = new Set(inUse);
    for (const p of hostPorts(ports)) if (!reserved.has(p)) next.delete(p);
    return next;
  };
  return withRemaining(record, {
    cpu: cap("CPU", left.cpu + reservation.cpu),
    memory: cap("MEMORY", left.memory + reservation.memory),
    ports: free(left.ports, reservation.ports, own.ports),
    udpPorts: free(left.udpPorts, reservation.udpPorts, own.udpPorts),
  });
}

/** A Resource list in ECS's shape, e.g. an instance's registeredResources at registration. */
export function resourceList(r: Remaining | Reservation): Resource[] {
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

const sortedPorts = (ports: Iterable<number>): string[] =>
  [...new Set(ports)]
    .filter((p) => p > 0)
    .sort((a, b) => a - b)
    .map(String);

/** Writes the four resources back into remainingResources, keeping any other entries (GPU, ...) as they were. */
function withRemaining(record: ContainerInstanceRecord, next: Remaining): ContainerInstanceRecord {
  const fresh = resourceList(next);
  const list = record.instance.remainingResources ?? [];
  const merged = list.map((r) => ({ ...r, ...fresh.find((f) => f.name === r.name) }));
  for (const f of fresh) if (!list.some((r) => r.name === f.name)) merged.push(f);
  return { ...record, instance: { ...record.instance, remainingResources: merged } };
}
