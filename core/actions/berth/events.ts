import { clusterName } from "../../model/arn.ts";
import type { ActionContext } from "../../operations/context.ts";
import { invalidParameter } from "../../protocol/errors.ts";
import { Members } from "./input.ts";
import type { ListEventsResponse } from "./shapes.ts";

const DEFAULT_RESULTS = 100;
const MAX_RESULTS = 1000;

/**
 * Berth's ListEvents: the ECS events the events function published lately (it keeps each in the
 * store for a day, core/events/stored.ts), newest first, so that a person (the web console) can
 * read what EventBridge rules saw: EventBridge keeps nothing to list. Without a cluster, every
 * cluster's (authorization asks for `*` then: core/auth/touchedResources.ts).
 */
export async function ListEvents(input: unknown, ctx: ActionContext): Promise<ListEventsResponse> {
  const members = Members.of(input);
  const cluster = members.string("cluster");
  const detailType = members.string("detailType");
  const maxResults = members.integer("maxResults") ?? DEFAULT_RESULTS;
  if (maxResults < 1 || maxResults > MAX_RESULTS) {
    throw invalidParameter(`maxResults must be between 1 and ${MAX_RESULTS}.`);
  }
  const events = await ctx.store.listEvents({
    cluster: cluster === undefined ? undefined : clusterName(cluster),
    detailType,
    limit: maxResults,
  });
  return {
    events: events.map((e) => ({
      time: new Date(e.time),
      source: e.source,
      detailType: e.detailType,
      resources: e.resources,
      detail: e.detail,
    })),
  };
}
