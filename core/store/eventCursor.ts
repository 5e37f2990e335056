/**
 * Where a listing of stored events stopped: the last event read (an event's id, then its
 * cluster: every cluster's are listed by id, then cluster, both descending). The next page holds
 * the events after it in that order. A cursor this module did not make (a crafted nextToken) is
 * read as an id alone, the events before it.
 */
export interface EventPosition {
  id: string;
  cluster: string;
}

export const eventCursor = (p: EventPosition) => `${p.id} ${p.cluster}`;

export function eventPosition(cursor: string): EventPosition {
  const space = cursor.indexOf(" ");
  return space < 0 ? { id: cursor, cluster: "" } : { id: cursor.slice(0, space), cluster: cursor.slice(space + 1) };
}

/** Newest first: a positive number when `a` comes before `b`. */
export function compareEventPositions(a: EventPosition, b: EventPosition): number {
  if (a.id !== b.id) return a.id > b.id ? 1 : -1;
  return a.cluster === b.cluster ? 0 : a.cluster > b.cluster ? 1 : -1;
}
