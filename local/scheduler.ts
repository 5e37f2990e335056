import type { Context } from "aws-lambda";
import { ensureSchedulerQueue, sqsServiceNudger } from "../core/aws/schedulerQueue.ts";
import type { ActionContext } from "../core/operations/context.ts";
import { createSchedulerHandler } from "../functions/scheduler/handler.ts";
import { createSweeperHandler } from "../functions/sweeper/handler.ts";
import type { SchedulerOptions } from "./config.ts";
import { startSchedulerPoller } from "./schedulerPoller.ts";

/** The service scheduler's FIFO queue on the embedded SQS server. */
const QUEUE_NAME = "berth-scheduler.fifo";

export interface LocalScheduler {
  stop(): Promise<void>;
}

/**
 * The service scheduler in local mode, wired as on AWS: actions nudge a FIFO queue (here on the
 * embedded SQS server), a poller feeds its batches to the scheduler function as Lambda would, and
 * a timer runs the sweeper function as the EventBridge schedule would. Sets the context's
 * nudger and timings.
 */
export async function startLocalScheduler(
  context: ActionContext,
  sqs: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } },
  options: SchedulerOptions,
): Promise<LocalScheduler> {
  const config = { endpoint: sqs.endpoint, region: sqs.region, credentials: sqs.credentials };
  const queueUrl = await ensureSchedulerQueue(config, QUEUE_NAME);
  const nudger = sqsServiceNudger({ ...config, queueUrl });
  context.serviceNudger = nudger;
  context.lostInstanceGraceMs = options.lostInstanceGraceSeconds * 1000;
  context.serviceStartBackoffMs = options.startBackoffSeconds * 1000;
  const report = (what: string) => (error: unknown) => console.error(`berth: ${what} failed:`, error);
  const poller = startSchedulerPoller({
    sqs: config,
    queueUrl,
    region: sqs.region,
    handler: createSchedulerHandler(context),
    onError: report("service scheduler queue poll"),
  });
  const sweeper = createSweeperHandler(context);
  const timer = setInterval(() => {
    sweeper({}, { awsRequestId: "local-sweep" } as Context).catch(report("service sweep"));
  }, options.sweepSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await poller.stop();
      context.serviceNudger = undefined;
      await nudger.close();
    },
  };
}
