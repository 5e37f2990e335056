import middy from "@middy/core";
import type { ScheduledEvent } from "aws-lambda";
import { purgeDeletedTaskDefinitions } from "../../core/actions/taskDefinitionPurge.ts";
import { type DeclaredProvider, ensureDeclaredProviders } from "../../core/deploy/declaredProviders.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { placeWaitingTasks } from "../../core/operations/placeWaiting.ts";
import { mayHaveWaitingTasks } from "../../core/operations/waitingTasks.ts";
import { scaleCapacityProviders } from "../../core/services/capacityScaling.ts";
import { sweepInstances } from "../../core/services/sweep.ts";
import { everyItem } from "../../core/store/paging.ts";

export interface SweepResult {
  /** Container instances whose agentConnected flipped and was recorded (an ECS event each). */
  flipped: number;
  /** Container instances whose agent is lost (their services' rounds stop and replace their tasks). */
  lost: number;
  /** DELETE_IN_PROGRESS task definition revisions deleted, as nothing used them any more. */
  purged: number;
  /** Capacity providers the deployment declares that this sweep created, brought back to their settings, or added to their cluster. */
  declared: number;
  /** Tasks that waited for capacity and were placed now. */
  placed: number;
  /** Capacity providers whose Auto Scaling group's desired capacity managed scaling changed. */
  scaled: number;
  nudged: number;
  failed: number;
}

/**
 * The periodic sweep (an EventBridge schedule; a timer in local mode). First every cluster's
 * container instances against their heartbeats (core/services/sweep.ts: a stale heartbeat flips
 * agentConnected, recorded so that its event goes out), then a nudge for every live service, so
 * that whatever no event announced (an agent lost, a lost nudge, a back-off that ran out) is
 * reconciled within one period: the service's round replaces the tasks of lost instances.
 * It also deletes the DELETE_IN_PROGRESS task definitions no task or service uses any more
 * (core/actions/taskDefinitionPurge.ts), places the tasks that wait for capacity where there is
 * room now, or stops them after ECS's wait (core/operations/placeWaiting.ts), and sizes the Auto
 * Scaling groups of capacity providers with managed scaling (core/services/capacityScaling.ts),
 * after making the capacity providers the deployment declares exist (core/deploy/declaredProviders.ts).
 * Level-triggered: a sweep with nothing changed writes nothing, and a nudge carries no intent.
 * A cluster, the purge or a nudge that fails is reported and left to the next sweep.
 */
export function createSweeperHandler(ctx: ActionContext, declared: DeclaredProvider[] = []) {
  const handle = async (_event: Partial<ScheduledEvent>): Promise<SweepResult> => {
    const result: SweepResult = {
      flipped: 0,
      lost: 0,
      purged: 0,
      declared: 0,
      placed: 0,
      scaled: 0,
      nudged: 0,
      failed: 0,
    };
    for await (const record of everyItem((page) => ctx.store.listClusters(page))) {
      const cluster = record.name;
      try {
        const swept = await sweepInstances(ctx, cluster);
        result.flipped += swept.flipped;
        result.lost += swept.lost;
      } catch (error) {
        ctx.onBackgroundError?.(error, `sweep of cluster ${cluster}'s instances`);
      }
      if (mayHaveWaitingTasks(record)) {
        try {
          result.placed += (await placeWaitingTasks(ctx, cluster)).placed;
        } catch (error) {
          ctx.onBackgroundError?.(error, `placement of cluster ${cluster}'s waiting tasks`);
        }
      }
    }
    try {
      result.purged = await purgeDeletedTaskDefinitions(ctx);
    } catch (error) {
      ctx.onBackgroundError?.(error, "purge of deleted task definitions");
    }
    const ensured = await ensureDeclaredProviders(ctx, declared);
    result.declared = ensured.filter((e) => e.provider !== "unchanged" || e.associated).length;
    try {
      const scaling = await scaleCapacityProviders(ctx);
      result.scaled = scaling.filter((s) => s.desiredAfter !== s.desiredBefore).length;
    } catch (error) {
      ctx.onBackgroundError?.(error, "managed scaling of capacity providers");
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
