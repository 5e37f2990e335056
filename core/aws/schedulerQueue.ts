import { createHash, randomUUID } from "node:crypto";
import { CreateQueueCommand, SendMessageCommand, SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import { type ServiceNudger, serviceMessageGroup, serviceNudgeBody } from "../notify/serviceNudger.ts";

/**
 * The ServiceNudger over an SQS FIFO queue (Amazon SQS, or local mode's embedded fauxqs). The
 * message group is the service, so SQS hands one service's nudges to one consumer at a time,
 * in order, while other services' run in parallel.
 *
 * Every nudge gets its own deduplication id. Content-based deduplication (or a time-bucketed
 * id) would drop a nudge sent while the round it duplicates is already running, and the change
 * it announces would wait for the next sweep; the scheduler handler coalesces instead: one round
 * per service per batch, whatever the number of nudges in it.
 */
export interface SqsServiceNudgerOptions extends SQSClientConfig {
  queueUrl: string;
}

export interface SqsServiceNudger extends ServiceNudger {
  close(): Promise<void>;
}

/** SQS takes at most 128 characters of group id; longer cluster/service names are hashed. */
const MAX_GROUP_ID = 128;

export function messageGroupId(cluster: string, service: string): string {
  const group = serviceMessageGroup(cluster, service);
  return group.length <= MAX_GROUP_ID ? group : createHash("sha256").update(group).digest("hex");
}

export function sqsServiceNudger({ queueUrl, ...config }: SqsServiceNudgerOptions): SqsServiceNudger {
  const client = new SQSClient(config);
  const inFlight = new Set<Promise<unknown>>();
  return {
    nudge(cluster, service) {
      const sent = client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: serviceNudgeBody(cluster, service),
          MessageGroupId: messageGroupId(cluster, service),
          MessageDeduplicationId: randomUUID(),
        }),
      );
      inFlight.add(sent);
      sent.then(
        () => inFlight.delete(sent),
        () => inFlight.delete(sent),
      );
      return sent.then(() => undefined);
    },
    async close() {
      await Promise.allSettled(inFlight);
      client.destroy();
    },
  };
}

/**
 * Creates the scheduler's FIFO queue if it does not exist and answers its URL (local mode; on
 * AWS the infrastructure declares it). A short visibility timeout: a message whose receive or
 * delete an SQS outage cut holds its service's FIFO group until it expires (found by
 * test/faults/queueDown.test.ts: 30 s kept a service's rounds waiting 30 s after the queue came
 * back). Local mode's poller handles one batch at a time, so a round longer than this is never
 * received twice at once; a round that failed is offered again after 1 s (schedulerPoller.ts).
 */
export async function ensureSchedulerQueue(config: SQSClientConfig, name: string): Promise<string> {
  const client = new SQSClient(config);
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { FifoQueue: "true", VisibilityTimeout: "5", MessageRetentionPeriod: "3600" },
      }),
    );
    if (!QueueUrl) throw new Error(`CreateQueue of ${name} answered no QueueUrl.`);
    return QueueUrl;
  } finally {
    client.destroy();
  }
}
