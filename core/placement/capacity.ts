/**
 * What placement asks of an instance's resources (read with core/model/resourceList.ts): whether a
 * demand fits, the record as a plan sees it once a task is reserved on it, and the store writes
 * that take a reservation, give it back, or follow a re-registration. Everything here is pure.
 * Host port 0 means "dynamic" (bridge mode picks an ephemeral port when the container starts): it
 * never conflicts and is never reserved, so a Reservation's ports are fixed host ports only.
 */

import type { Resource } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord } from "../model/records.ts";
import type { HostPorts, Reservation, ResourceWrite } from "../model/reservation.ts";
import { type Remaining, readResources, withRemaining } from "../model/resourceList.ts";

export type ResourceReason = "RESOURCE:CPU" | "RESOURCE:MEMORY" | "RESOURCE:PORTS" | "RESOURCE:PORTS_UDP";

/** Why a demand does not fit, with a sentence for `Failure.detail`. */
export interface Shortfall {
  reason: ResourceReason;
  detail: string;
}

/**
 * The instance's remaining resources. Read once per frozen list (the stores share their decoded
 * records, frozen, between launches): placement reads every instance's on each launch. Callers
 * never change what they get back (reserve makes new sets).
 */
export function remaining(record: ContainerInstanceRecord): Remaining {
  const list = record.instance.remainingResources;
  if (!list || !Object.isFrozen(list)) return readResources(list);
  let read = readOnce.get(list);
  if (!read) {
    read = readResources(list);
    readOnce.set(list, read);
  }
  return read;
}

const readOnce = new WeakMap<object, Remaining>();

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
  // Most tasks ask for no fixed host port: nothing to look at then.
  const tcp = demand.ports.length === 0 ? [] : hostPorts(demand.ports).filter((p) => left.ports.has(p));
  if (tcp.length > 0) return { reason: "RESOURCE:PORTS", detail: `Host ports in use: ${tcp.join(", ")}.` };
  const udp = demand.udpPorts.length === 0 ? [] : hostPorts(demand.udpPorts).filter((p) => left.udpPorts.has(p));
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
 * The write that reserves `count` tasks' worth of `demand` on the instance, and counts them in
 * their group: committed only if it all still fits when the commit lands, whatever else was
 * reserved since the record was read.
 */
export function reservationWrite(
  record: Pick<ContainerInstanceRecord, "cluster" | "id">,
  demand: Reservation,
  group: string | undefined,
  count = 1,
): ResourceWrite {
  return {
    kind: "resources",
    cluster: record.cluster,
    id: record.id,
    cpu: -demand.cpu * count,
    memory: -demand.memory * count,
    take: { ports: hostPorts(demand.ports), udpPorts: hostPorts(demand.udpPorts) },
    free: { ports: [], udpPorts: [] },
    groups: group === undefined ? {} : { [group]: count },
    reserve: true,
  };
}

/**
 * The write that gives a stopped task's reservation back, and takes it out of its group's count.
 * The ports the instance reserves for itself stay taken. It is applied exactly once because it
 * commits with the task record that stops holding the reservation (on that record's version).
 * The count is taken back only if the instance as read counts the group: a task placed before
 * instances kept counts was never in one, and a count never goes below zero.
 */
export function releaseWrite(
  record: ContainerInstanceRecord,
  reservation: Reservation,
  group: string | undefined,
): ResourceWrite {
  const own = readResources(record.instance.registeredResources);
  const theirs = (ports: number[], reserved: Set<number>) => hostPorts(ports).filter((p) => !reserved.has(p));
  const counted = group === undefined ? 0 : (record.residentGroups?.[group] ?? 0);
  return {
    kind: "resources",
    cluster: record.cluster,
    id: record.id,
    cpu: reservation.cpu,
    memory: reservation.memory,
    take: { ports: [], udpPorts: [] },
    free: { ports: theirs(reservation.ports, own.ports), udpPorts: theirs(reservation.udpPorts, own.udpPorts) },
    groups: group !== undefined && counted > 0 ? { [group]: -1 } : {},
    ...(group !== undefined && counted === 1 && { emptied: [group] }),
    reserve: false,
  };
}

/**
 * The write that follows a re-registration from `before` to `after` registered resources: the
 * difference of CPU and memory, and the instance's own ports taken or freed. A delta, so that the
 * tasks' reservations (and any committed meanwhile) stay where they are; a port the instance
 * stops reserving for itself stays in use while a task (`held`) still holds it.
 */
export function reregistrationWrite(
  record: ContainerInstanceRecord,
  before: Resource[] | undefined,
  after: Resource[],
  held: HostPorts = { ports: [], udpPorts: [] },
): ResourceWrite {
  const [was, now] = [readResources(before), readResources(after)];
  const minus = (a: Set<number>, b: Set<number>) => [...a].filter((p) => p > 0 && !b.has(p));
  const freed = (a: Set<number>, b: Set<number>, tasks: number[]) => minus(a, b).filter((p) => !tasks.includes(p));
  return {
    kind: "resources",
    cluster: record.cluster,
    id: record.id,
    cpu: now.cpu - was.cpu,
    memory: now.memory - was.memory,
    take: { ports: minus(now.ports, was.ports), udpPorts: minus(now.udpPorts, was.udpPorts) },
    free: {
      ports: freed(was.ports, now.ports, held.ports),
      udpPorts: freed(was.udpPorts, now.udpPorts, held.udpPorts),
    },
    groups: {},
    reserve: false,
  };
}
