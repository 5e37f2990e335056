import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { ActionContext } from "../../core/actions/context.ts";
import { parseServiceNudge } from "../../core/notify/services.ts";
import { reconcileService } from "../../core/services/reconcile.ts";
import { PartialGroupFailure, processFifoBatch } from "./fifoBatch.ts";

/**
 * The service scheduler function: a batch of nudges from the scheduler's FIFO queue in, one
 * reconciliation round per service out (core/services/reconcile.ts), with partial batch
 * failures so that only the nudges of a service whose round failed come back. Several nudges of
 * one service in a batch make one round: a round reads everything afresh, so one is enough.
 */
export function createSchedulerHandler(ctx: ActionContext) {
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures = await processFifoBatch(
      event.Records,
      (group) => reconcileGroup(ctx, group),
      (error) => report(ctx, error),
    );
    return { batchItemFailures };
  };
  return middy(handle);
}

/** The services a group's nudges name (one, unless group ids were hashed alike), each reconciled once, in order. */
async function reconcileGroup(ctx: ActionContext, group: SQSRecord[]) {
  const done = new Set<string>();
  for (const [i, record] of group.entries()) {
    try {
      const { cluster, service } = parseServiceNudge(record.body);
      const key = JSON.stringify([cluster, service]);
      if (done.has(key)) continue;
      await reconcileService(ctx, cluster, service);
      done.add(key);
    } catch (error) {
      throw new PartialGroupFailure(i, error);
    }
  }
}

function report(ctx: ActionContext, error: unknown) {
  const cause = error instanceof PartialGroupFailure ? error.cause : error;
  if (ctx.onBackgroundError) ctx.onBackgroundError(cause, "service scheduler round");
  else console.error("berth: service scheduler round failed:", cause);
}
