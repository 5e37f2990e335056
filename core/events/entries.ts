import { ECS_EVENT_SOURCE, type EcsEvent, type PutEventsEntry } from "./types.ts";

/** PutEvents takes at most this many entries a call. */
export const MAX_ENTRIES_PER_CALL = 10;

/** The PutEvents entry of an event; the detail is JSON with timestamps as ISO-8601 strings, as ECS's. */
export const entryOf = (event: EcsEvent, busName?: string): PutEventsEntry => ({
  Source: ECS_EVENT_SOURCE,
  DetailType: event.detailType,
  Detail: JSON.stringify(event.detail),
  Resources: event.resources,
  Time: event.time,
  ...(busName && { EventBusName: busName }),
});

/** Consecutive slices of at most `size`, in order. */
export function chunks<T>(items: T[], size = MAX_ENTRIES_PER_CALL): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
