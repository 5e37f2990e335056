import type { ActionContext } from "../../operations/context.ts";
import { nextToken, pageRequest } from "../pagination.ts";
import { Members } from "./input.ts";
import type { ListAuditEventsResponse } from "./shapes.ts";

/** The audit trail, newest first (admin keys only): what was called, by which key, and how it ended. */
export async function ListAuditEvents(input: unknown, ctx: ActionContext): Promise<ListAuditEventsResponse> {
  const members = Members.of(input);
  const page = await ctx.store.listAuditEvents(
    pageRequest({ maxResults: members.integer("maxResults"), nextToken: members.string("nextToken") }),
  );
  return {
    auditEvents: page.items.map((e) => ({
      eventTime: e.atMs / 1000,
      accessKeyId: e.accessKeyId,
      principal: e.principal,
      action: e.action,
      resources: e.resources,
      outcome: e.outcome,
    })),
    nextToken: nextToken(page),
  };
}
