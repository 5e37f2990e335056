import type { ContainerInstanceRecord } from "../model/records.ts";
import type { ResourceWrite } from "../model/reservation.ts";
import { readResources, withRemaining } from "../model/resourceList.ts";
import { DecodedCache } from "./decodedCache.ts";
import type { Write } from "./port.ts";

/**
 * A container instance's remaining resources as both stores keep them: apart from the record's
 * data, so that a versioned put of the record never overwrites a reservation committed since it
 * was read (see ResourceWrite in port.ts). Readers get them back inside `remainingResources`.
 */
export interface Left {
  cpu: number;
  memory: number;
  /** Host ports in use, ascending. */
  ports: number[];
  udpPorts: number[];
  /** Tasks holding a reservation, per group (see residentGroups in records.ts). */
  groups: Record<string, number>;
}

/**
 * What a new instance starts with: the remainingResources of the record that creates it, and no
 * tasks (a re-creation over an expired item does not inherit the old one's).
 */
export function leftOf(record: Omit<ContainerInstanceRecord, "version">): Left {
  const r = readResources(record.instance.remainingResources);
  return { cpu: r.cpu, memory: r.memory, ports: ascending(r.ports), udpPorts: ascending(r.udpPorts), groups: {} };
}

/**
 * `left` after the write, or undefined when it cannot apply: a reservation that does not fit, a
 * count that would go below zero, or a group it empties that holds more than it takes. Groups
 * whose count reaches zero are dropped.
 */
export function afterWrite(left: Left, write: ResourceWrite): Left | undefined {
  const groups = { ...left.groups };
  for (const [group, delta] of Object.entries(write.groups)) {
    const count = (groups[group] ?? 0) + delta;
    if (count < 0 || (count !== 0 && write.emptied?.includes(group))) return undefined;
    if (count === 0) delete groups[group];
    else groups[group] = count;
  }
  const next = {
    cpu: left.cpu + write.cpu,
    memory: left.memory + write.memory,
    ports: moved(left.ports, write.take.ports, write.free.ports),
    udpPorts: moved(left.udpPorts, write.take.udpPorts, write.free.udpPorts),
    groups,
  };
  if (!write.reserve) return next;
  const taken = (inUse: number[], ports: number[]) => ports.some((p) => inUse.includes(p));
  const fits =
    next.cpu >= 0 &&
    next.memory >= 0 &&
    !taken(left.ports, write.take.ports) &&
    !taken(left.udpPorts, write.take.udpPorts);
  return fits ? next : undefined;
}

/** The record as read: its remaining resources as the store keeps them, in remainingResources. */
export const withLeft = (
  record: ContainerInstanceRecord,
  left: Left,
  resourcesVersion: number,
): ContainerInstanceRecord => ({
  ...withRemaining(record, left),
  resourcesVersion,
  residentGroups: counted(left.groups),
});

/** The groups with tasks (a zero left by a release that did not say it empties the group is skipped). */
const counted = (groups: Record<string, number>) => Object.fromEntries(Object.entries(groups).filter(([, n]) => n > 0));

const moved = (inUse: number[], take: number[], free: number[]) =>
  ascending(new Set([...inUse, ...take].filter((p) => !free.includes(p))));

const ascending = (ports: Iterable<number>) => [...new Set(ports)].sort((a, b) => a - b);

/**
 * One resource write per instance per commit (a launch sums its tasks' into one): DynamoDB can
 * change an attribute only once per request, and a sum says the same more plainly.
 */
export function checkResourceWrites(writes: Write[]) {
  const seen = new Set<string>();
  // The put that creates an instance sets its resources from scratch: a delta on them in the same
  // commit would touch the same attributes twice, which DynamoDB refuses (SQLite would not).
  const created = new Set(
    writes.flatMap((w) =>
      w.kind === "containerInstance" && w.expectedVersion === null ? [`${w.record.cluster}/${w.record.id}`] : [],
    ),
  );
  for (const w of writes) {
    if (w.kind !== "resources") continue;
    const key = `${w.cluster}/${w.id}`;
    if (seen.has(key)) throw new Error(`A commit takes one resource write per container instance (${key}).`);
    if (created.has(key))
      throw new Error(`A commit that creates a container instance takes no resource write for it (${key}).`);
    seen.add(key);
  }
}

/**
 * Container instances as read, decoded once per version of their data and put together with
 * their remaining resources once per resourcesVersion: placement reads every instance of a
 * cluster on each launch, and between two launches few records change (only some resources).
 */
export class InstanceCache {
  private readonly records = new DecodedCache<ContainerInstanceRecord>();
  private readonly views = new DecodedCache<ContainerInstanceRecord>();

  /** Whether the record's data at this version is decoded already (so need not be fetched). */
  has(key: string, version: number): boolean {
    return this.records.peek(key, version) !== undefined;
  }

  get(
    key: string,
    head: { version: number; resourcesVersion: number; left: () => Left },
    decode: () => ContainerInstanceRecord,
  ): ContainerInstanceRecord {
    return this.views.get(key, `${head.version}/${head.resourcesVersion}`, () => {
      return withLeft(this.records.get(key, head.version, decode), head.left(), head.resourcesVersion);
    });
  }
}
