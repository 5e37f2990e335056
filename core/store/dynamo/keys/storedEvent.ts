import type { StoredEventRecord } from "../../../model/records.ts";
import { ttlOf } from "../items.ts";

/**
 * Stored ECS events: a cluster's in one partition, sorted by their time-ordered ids, so that a
 * cluster's latest are one Query newest first. No index: a copy in one would double each
 * event's write, for the rare listing of every cluster's (a Query per cluster instead).
 */
export const eventsOf = (cluster: string) => `EVENTS#${cluster}`;

export const storedEventItem = (r: StoredEventRecord) => ({
  pk: eventsOf(r.cluster),
  sk: r.id,
  kind: "storedEvent",
  ...r,
  ttl: ttlOf(r.expiresAt),
});

export function storedEventOf(item: Record<string, unknown>): StoredEventRecord {
  const { cluster, id, time, source, detailType, resources, detail, expiresAt } = item as unknown as StoredEventRecord;
  return { cluster, id, time, source, detailType, resources, detail, expiresAt };
}
