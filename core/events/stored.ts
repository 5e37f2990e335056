import { createHash } from "node:crypto";
import { clusterName, parseArn } from "../model/arn.ts";
import type { StoredEventRecord } from "../model/records.ts";
import type { Store } from "../store/port.ts";
import type { EventPublisher, PutEventsEntry } from "./types.ts";

/**
 * How long published events stay readable (ListEvents, the console's Events page). EventBridge
 * keeps nothing to list, so the events function also writes each event to the store, where it
 * expires after this.
 */
export const EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * A publisher that keeps every event about a cluster in the store, then hands the entries to
 * `next` (EventBridge on AWS, local mode's ring). The store first: its writes are idempotent
 * (an event's id is derived from the event), so a batch retried after `next` failed writes the
 * same items again rather than sending EventBridge the same events twice.
 */
export function alsoStored(store: Store, next: EventPublisher, retentionMs = EVENT_RETENTION_MS): EventPublisher {
  return {
    async publish(entries) {
      const kept = entries.flatMap((entry) => {
        const record = storedEventOf(entry, retentionMs);
        return record ? [record] : [];
      });
      if (kept.length > 0) await store.putEvents(kept);
      await next.publish(entries);
    },
  };
}

/** The record of an entry, or nothing for an event about no cluster. */
export function storedEventOf(entry: PutEventsEntry, retentionMs = EVENT_RETENTION_MS): StoredEventRecord | undefined {
  const cluster = clusterOf(entry);
  if (cluster === undefined) return undefined;
  const time = entry.Time.getTime();
  return {
    cluster,
    id: eventId(entry),
    time,
    source: entry.Source,
    detailType: entry.DetailType,
    resources: entry.Resources,
    detail: entry.Detail,
    expiresAt: time + retentionMs,
  };
}

/**
 * Sorts by time, then by the resource's version (a task's events in one millisecond stay in
 * order), then a digest of the event: the same event always gets the same id.
 */
export function eventId(entry: PutEventsEntry): string {
  const { version } = JSON.parse(entry.Detail) as { version?: unknown };
  const digest = createHash("sha256")
    .update(`${entry.DetailType}\n${entry.Resources.join(",")}\n${entry.Detail}`)
    .digest("hex")
    .slice(0, 16);
  const sequence = typeof version === "number" ? String(version).padStart(10, "0") : "0".repeat(10);
  return `${String(entry.Time.getTime()).padStart(15, "0")}-${sequence}-${digest}`;
}

/**
 * The cluster an event is about: its detail's clusterArn (tasks, service actions), else the
 * cluster a long ARN of its resource names (instances, deployments). A short ARN (an account
 * setting's) names none: such an event is kept for no cluster rather than for a wrong one.
 */
export function clusterOf(entry: { Detail: string; Resources: string[] }): string | undefined {
  const { clusterArn } = JSON.parse(entry.Detail) as { clusterArn?: unknown };
  if (typeof clusterArn === "string") return clusterName(clusterArn);
  const parts = parseArn(entry.Resources[0] ?? "")?.parts ?? [];
  return parts.length > 1 ? parts[0] : undefined;
}
