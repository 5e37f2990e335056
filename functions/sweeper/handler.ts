import middy from "@middy/core";
import type { ScheduledEvent } from "aws-lambda";
import type { ActionContext } from "../../core/actions/context.ts";
import { sweepInstances } from "../../core/services/sweep.ts";

export interface SweepResult {
  /** Container instances whose agentConnected flipped and was recorded (an ECS event each). */
  flipped: number;
  /** Container instances whose agent is lost (their services' rounds stop and replace their tasks). */
  lost: number;
  nudged: number;
  failed: number;
}

const PAGE = 100;

/**
 * The periodic sweep (an EventBridge schedule; a timer in local mode). First every cluster's
 * container instances against their heartbeats (core/services/sweep.ts: a stale heartbeat flips
 * agentConnected, recorded so that its event goes out), then a nudge for every live service, so
 * that whatever no event announced (an agent lost, a lost nudge, a back-off that ran out) is
 * reconciled within one period: the service's round replaces the tasks of lost instances.
 * Level-triggered: a sweep with nothing changed writes nothing, and a nudge carries no intent.
 * A cluster or nudge that fails is reported and left to the next sweep.
 */
export function createSweeperHandler(ctx: ActionContext) {
  const handle = async (_event: Partial<ScheduledEvent>): Promise<SweepResult> => {
    const result: SweepResult = { flipped: 0, lost: 0, nudged: 0, failed: 0 };
    for await (const cluster of clusterNames(ctx)) {
      try {
        const swept = await sweepInstances(ctx, cluster);
        result.flipped += swept.flipped;
        result.lost += swept.lost;
      } catch (error) {
        ctx.onBackgroundError?.(error, `sweep of cluster ${cluster}'s instances`);
      }
    }
    const nudger = ctx.serviceNudger;
    if (!nudger) return result;
    const services = await ctx.store.listLiveServices();
    const results = await Promise.allSettled(services.map((s) => nudger.nudge(s.cluster, s.name)));
    const failed = results.filter((r) => r.status === "rejected");
    for (const f of failed) ctx.onBackgroundError?.((f as PromiseRejectedResult).reason, "sweep nudge");
    return { ...result, nudged: results.length - failed.length, failed: failed.length };
  };
  return middy(handle);
}

async function* clusterNames(ctx: ActionContext) {
  let after: string | undefined;
  do {
    const page = await ctx.store.listClusters({ limit: PAGE, after });
    for (const record of page.items) yield record.name;
    after = page.next;
  } while (after);
}
