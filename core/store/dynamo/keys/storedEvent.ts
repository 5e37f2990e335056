import type { StoredEventRecord } from "../../../model/records.ts";
import { ttlOf } from "../items.ts";

/**
 * Stored ECS events: a cluster's in one partition, sorted by their time-ordered ids, so that a
 * cluster's latest are one Query newest first; every cluster's also through one `ordered`
 * partition (ListEvents without a cluster), the index's sort key the id then the cluster.
 */
export const eventsOf = (cluster: string) => `EVENTS#${cluster}`;

export const ALL_EVENTS = "EVENTS";

export const storedEventItem = (r: StoredEventRecord) => ({
  pk: eventsOf(r.cluster),
  sk: r.id,
  gsi1pk: ALL_EVENTS,
  gsi1sk: `${r.id}#${r.cluster}`,
  kind: "storedEvent",
  ...r,
  ttl: ttlOf(r.expiresAt),
});

export function storedEventOf(item: Record<string, unknown>): StoredEventRecord {
  const { cluster, id, time, source, detailType, resources, detail, expiresAt } = item as unknown as StoredEventRecord;
  return { cluster, id, time, source, detailType, resources, detail, expiresAt };
}
