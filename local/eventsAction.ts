import { Members } from "../core/actions/berth/input.ts";
import { BERTH_TARGET_PREFIX, type ListEventsResponse, type ListedEvent } from "../core/actions/berth/shapes.ts";
import { clusterName, parseArn } from "../core/model/arn.ts";
import { invalidParameter } from "../core/protocol/errors.ts";
import type { TargetApi } from "../core/protocol/handle.ts";
import type { EventRing } from "./eventRing.ts";

const DEFAULT_RESULTS = 100;
const MAX_RESULTS = 1000;

/**
 * Berth's ListEvents, local mode only: the ECS events kept in the ring (what the events
 * function published), newest first, so a person (the web console) can read what EventBridge
 * rules would have seen. On AWS the events go to EventBridge, which keeps nothing to list, so
 * the action is not there; a client gets UnknownOperationException and says so.
 */
export function withListEvents(apis: TargetApi[], ring: EventRing): TargetApi[] {
  const ListEvents = async (input: unknown): Promise<ListEventsResponse> => {
    const members = Members.of(input);
    const cluster = members.string("cluster");
    const wanted = cluster === undefined ? undefined : clusterName(cluster);
    const detailType = members.string("detailType");
    const maxResults = members.integer("maxResults") ?? DEFAULT_RESULTS;
    if (maxResults < 1 || maxResults > MAX_RESULTS) {
      throw invalidParameter(`maxResults must be between 1 and ${MAX_RESULTS}.`);
    }
    const events: ListedEvent[] = [];
    for (const entry of ring.entries().reverse()) {
      if (events.length >= maxResults) break;
      if (detailType !== undefined && entry.DetailType !== detailType) continue;
      // Every ECS event is about a task, instance or service, whose ARN names its cluster.
      if (wanted !== undefined && !entry.Resources.some((arn) => parseArn(arn)?.parts[0] === wanted)) continue;
      events.push({
        time: entry.Time,
        source: entry.Source,
        detailType: entry.DetailType,
        resources: entry.Resources,
        detail: entry.Detail,
      });
    }
    return { events };
  };
  return apis.map((api) =>
    api.prefix === BERTH_TARGET_PREFIX ? { ...api, actions: { ...api.actions, ListEvents } } : api,
  );
}
