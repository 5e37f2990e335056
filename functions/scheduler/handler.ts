import { processPartialResponse, SqsFifoPartialProcessorAsync } from "@aws-lambda-powertools/batch";
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { parseServiceNudge } from "../../core/notify/serviceNudger.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { reconcileService } from "../../core/services/reconcile.ts";

/**
 * The service scheduler function: a batch of nudges from the scheduler's FIFO queue in, one
 * reconciliation round per service out (core/services/reconcile.ts), with partial batch
 * failures (Powertools' FIFO processor, skipping the rest of a group after a failure so that
 * SQS redelivers them in order). Several nudges of one service in a batch make one round: a round
 * reads everything afresh, so one is enough.
 */
export function createSchedulerHandler(ctx: ActionContext) {
  const handle = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const done = new Set<string>();
    const reconcile = async (record: SQSRecord) => {
      const { cluster, service } = parseServiceNudge(record.body);
      const key = JSON.stringify([cluster, service]);
      if (done.has(key)) return;
      try {
        await reconcileService(ctx, cluster, service);
      } catch (error) {
        report(ctx, error);
        throw error;
      }
      done.add(key);
    };
    return processPartialResponse(event, reconcile, new SqsFifoPartialProcessorAsync(), {
      skipGroupOnError: true,
      throwOnFullBatchFailure: false,
    });
  };
  return middy(handle);
}

function report(ctx: ActionContext, error: unknown) {
  if (ctx.onBackgroundError) ctx.onBackgroundError(error, "service scheduler round");
  else console.error("berth: service scheduler round failed:", error);
}
