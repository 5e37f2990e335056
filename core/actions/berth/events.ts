import { clusterName } from "../../model/arn.ts";
import type { ActionContext } from "../../operations/context.ts";
import { nextToken, pageRequest } from "../pagination.ts";
import { Members } from "./input.ts";
import type { ListEventsResponse } from "./shapes.ts";

const DEFAULT_RESULTS = 100;
const MAX_RESULTS = 1000;
/**
 * Stored events one call reads at most, whatever its filter matches (an event is about 2 KB: a
 * call reads 2 MB at most on DynamoDB, one Query per cluster besides when it lists every cluster's).
 */
export const EVENTS_READ_PER_CALL = 1000;

/**
 * Berth's ListEvents: the ECS events the events function published lately (it keeps each in the
 * store for a day, core/events/stored.ts), newest first, so that a person (the web console) can
 * read what EventBridge rules saw: EventBridge keeps nothing to list. Without a cluster, every
 * cluster's (authorization asks for `*` then: core/auth/touchedResources.ts). Each call reads a
 * bounded number of stored events: a filter that matches few gives short pages (even empty ones)
 * with a nextToken, and the reader follows it to see further back.
 */
export async function ListEvents(input: unknown, ctx: ActionContext): Promise<ListEventsResponse> {
  const members = Members.of(input);
  const cluster = members.string("cluster");
  const detailType = members.string("detailType");
  const maxResults = members.integer("maxResults") ?? DEFAULT_RESULTS;
  const page = pageRequest({ maxResults, nextToken: members.string("nextToken") }, MAX_RESULTS);
  const events = await ctx.store.listEvents({
    cluster: cluster === undefined ? undefined : clusterName(cluster),
    detailType,
    limit: page.limit,
    reads: EVENTS_READ_PER_CALL,
    after: page.after,
  });
  return {
    nextToken: nextToken(events),
    events: events.items.map((e) => ({
      time: new Date(e.time),
      source: e.source,
      detailType: e.detailType,
      resources: e.resources,
      detail: e.detail,
    })),
  };
}
