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
      if (wanted !== undefined && clusterOf(entry) !== wanted) continue;
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

/**
 * The cluster an event is about: its detail's clusterArn (tasks, service actions), else the
 * cluster a long ARN of its resource names (instances, deployments). A short ARN (an account
 * setting's) names none: such an event is listed for no cluster rather than for a wrong one.
 */
function clusterOf(entry: { Detail: string; Resources: string[] }): string | undefined {
  const { clusterArn } = JSON.parse(entry.Detail) as { clusterArn?: unknown };
  if (typeof clusterArn === "string") return clusterName(clusterArn);
  const parts = parseArn(entry.Resources[0] ?? "")?.parts ?? [];
  return parts.length > 1 ? parts[0] : undefined;
}
