import type { StoredEventRecord } from "../../model/records.ts";
import { compareEventPositions, type EventPosition, eventCursor, eventPosition } from "../eventCursor.ts";
import type { EventQuery, Page } from "../port.ts";
import { eventsOf, storedEventOf } from "./keys/storedEvent.ts";
import type { QuerySpec, Reader } from "./query.ts";

/** Each Query asks for this many at least, so that a filter matching few takes few round trips. */
const BATCH = 100;

/** Where a cluster's partition has been read down to (newest first), or that it is read out. */
interface Partition {
  cluster: string;
  readTo?: EventPosition;
  done: boolean;
}

/** Before anything is read: the page's cursor, or "top" (the newest event of all). */
type Frontier = EventPosition | "top";

/**
 * One page of stored events of some clusters, newest first, merged from one Query partition per
 * cluster, each Query bounded (`Limit` counts the items a filter drops), `query.reads` items in
 * all (and one Query per cluster at least: a cursor moves only once every partition was read
 * past it, the partitions not read yet sharing what is left alike). The partition read next is
 * the one whose reading is furthest behind: every event at or before its position is known in
 * every cluster, so those can be listed. When the reads run out, the page ends there, and the
 * cursor resumes from there.
 */
export async function listEventsPage(
  reader: Reader,
  clusters: string[],
  query: EventQuery,
): Promise<Page<StoredEventRecord>> {
  const start: Frontier = query.after === undefined ? "top" : eventPosition(query.after);
  if (start !== "top" && start.id === "") return { items: [] };
  const partitions: Partition[] = clusters.map((cluster) => ({ cluster, done: false }));
  const matched: StoredEventRecord[] = [];
  let reads = 0;
  for (;;) {
    const behind = furthestBehind(partitions);
    const frontier = behind === undefined ? undefined : (behind.readTo ?? start);
    const known = matched
      .filter((e) => frontier === undefined || (frontier !== "top" && compareEventPositions(e, frontier) >= 0))
      .sort((a, b) => compareEventPositions(b, a));
    if (known.length > query.limit) {
      const items = known.slice(0, query.limit);
      return { items, next: eventCursor(items[items.length - 1]) };
    }
    if (behind === undefined) return { items: known };
    if (reads >= query.reads && behind.readTo !== undefined) return { items: known, next: eventCursor(behind.readTo) };
    // Partitions not read yet share what is left alike: one read most of it, the others' first
    // reads would be of an item each, and the cursor would move by one.
    const unread = partitions.filter((p) => !p.done && p.readTo === undefined).length;
    const share = Math.floor((query.reads - reads) / Math.max(1, unread));
    const limit = Math.max(1, Math.min(Math.max(query.limit + 1, BATCH), share));
    const out = await reader.once(specOf(behind, start, query.detailType), limit);
    reads += Math.max(1, out.evaluated);
    matched.push(...out.items.map(storedEventOf));
    if (out.last === undefined) behind.done = true;
    else behind.readTo = { id: out.last.sk as string, cluster: behind.cluster };
  }
}

/** The partition not read out whose reading is furthest behind: one not read yet, else the highest position. */
function furthestBehind(partitions: Partition[]): Partition | undefined {
  let behind: Partition | undefined;
  for (const p of partitions) {
    if (p.done) continue;
    if (p.readTo === undefined) return p;
    if (behind?.readTo === undefined || compareEventPositions(p.readTo, behind.readTo) > 0) behind = p;
  }
  return behind;
}

/** The Query of a partition's next events: after where it was read to, else after the cursor. */
function specOf(p: Partition, start: Frontier, detailType: string | undefined): QuerySpec {
  const spec: QuerySpec = { partition: eventsOf(p.cluster), descending: true };
  if (p.readTo !== undefined) spec.range = { before: p.readTo.id };
  // In cluster order, a cluster before the cursor's has its event of the cursor's id still to come.
  else if (start !== "top") spec.range = p.cluster < start.cluster ? { to: start.id } : { before: start.id };
  if (detailType !== undefined) spec.filters = (e) => [e.eq("detailType", detailType)];
  return spec;
}
