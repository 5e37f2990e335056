import type { EventPublisher, PutEventsEntry } from "../core/events/types.ts";

/**
 * Local mode's event bus: what would go to EventBridge is kept, the latest `capacity` entries,
 * for tests and for a look (`BERTH_LOG_LEVEL=debug` prints each as it comes).
 */
export interface EventRing extends EventPublisher {
  /** The entries kept, oldest first. */
  entries(): PutEventsEntry[];
}

export function eventRing(capacity = 1000, debug = process.env.BERTH_LOG_LEVEL === "debug"): EventRing {
  const kept: PutEventsEntry[] = [];
  return {
    async publish(entries) {
      for (const entry of entries) {
        if (debug)
          console.debug(
            `berth: event ${entry.Source} ${entry.DetailType} ${entry.Resources.join(" ")} ${entry.Detail}`,
          );
        kept.push(entry);
      }
      if (kept.length > capacity) kept.splice(0, kept.length - capacity);
    },
    entries: () => [...kept],
  };
}
