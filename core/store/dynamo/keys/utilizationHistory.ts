import type { UtilizationSample } from "../../../model/records.ts";

/**
 * Utilization histories: one item per container instance, a cluster's sharing a partition, each
 * slot of the ring a top-level attribute (`s0`, `s1`, …) that one UpdateItem sets without
 * reading: a nested map would have to exist before a path into it could be set. A sample is a
 * list of four numbers rather than a map, which keeps the item, and so each write, near 2 KB.
 */
export const utilizationHistoryKey = (cluster: string, id: string) => ({ pk: `UTILIZATION#${cluster}`, sk: id });

export const slotAttribute = (slot: number) => `s${slot}`;

const SLOT = /^s\d+$/;

export const sampleValue = (s: UtilizationSample) => [s.at, s.cpuPercent, s.memoryUsedMiB, s.memoryTotalMiB];

/** The samples an item holds, oldest first. */
export function samplesOf(item: Record<string, unknown>): UtilizationSample[] {
  return Object.entries(item)
    .filter(([name, value]) => SLOT.test(name) && Array.isArray(value) && value.length === 4)
    .map(([, value]) => {
      const [at, cpuPercent, memoryUsedMiB, memoryTotalMiB] = value as number[];
      return { at, cpuPercent, memoryUsedMiB, memoryTotalMiB };
    })
    .sort((a, b) => a.at - b.at);
}
