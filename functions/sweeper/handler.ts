import middy from "@middy/core";
import type { ScheduledEvent } from "aws-lambda";
import type { ActionContext } from "../../core/actions/context.ts";

/**
 * The periodic sweep (an EventBridge schedule; a timer in local mode): nudges every live
 * service, so that whatever no event announced (an agent that went silent, a lost nudge, a
 * back-off that ran out) is reconciled within one period. Level-triggered: the nudge carries
 * no intent, the round reads the store.
 */
export function createSweeperHandler(ctx: ActionContext) {
  const handle = async (_event: Partial<ScheduledEvent>): Promise<{ nudged: number; failed: number }> => {
    const nudger = ctx.serviceNudger;
    if (!nudger) return { nudged: 0, failed: 0 };
    const services = await ctx.store.listLiveServices();
    const results = await Promise.allSettled(services.map((s) => nudger.nudge(s.cluster, s.name)));
    const failed = results.filter((r) => r.status === "rejected");
    for (const f of failed) ctx.onBackgroundError?.((f as PromiseRejectedResult).reason, "sweep nudge");
    return { nudged: results.length - failed.length, failed: failed.length };
  };
  return middy(handle);
}
