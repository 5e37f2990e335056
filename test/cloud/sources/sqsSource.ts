import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/**
 * Lambda's SQS event source mapping, as the graph configures it (batch size, batching window,
 * ReportBatchItemFailures): it long-polls the queue, hands a batch to the function as Lambda's
 * SQS event, deletes what succeeded, and leaves the rest to come back after the visibility
 * timeout, so that the queue's own redrive policy (moto applies it at receive) moves a message
 * to the dead-letter queue after maxReceiveCount receives. FIFO queues: one batch in flight at a
 * time, so a message group's order is the queue's. The one liberty: `retryAfterSeconds` shortens
 * the visibility timeout of failed messages (the graph's is 60 s), so that a test sees the
 * redrive in seconds; it says so where it is set.
 */
export interface SqsSourceConfig {
  sqs: SQSClient;
  /** The queue's URL at the stand-in, and its ARN (what records carry). */
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
  invoke(event: SQSEvent): Promise<unknown>;
  retryAfterSeconds?: number;
}

export interface EventSource {
  stop(): Promise<void>;
}

export function startSqsSource(config: SqsSourceConfig): EventSource {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const { Messages = [] } = await config.sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: config.queueUrl,
            MaxNumberOfMessages: config.batchSize,
            WaitTimeSeconds: Math.max(1, config.maximumBatchingWindowInSeconds),
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        )
        .catch((error) => {
          if (!stopped) console.error(`[sqs ${config.queueArn}] receive failed:`, error);
          return { Messages: [] as Message[] };
        });
      if (Messages.length === 0 || stopped) continue;
      const records = Messages.map((m) => recordOf(m, config));
      const failed = await config.invoke({ Records: records }).then(
        (result) => failures(result as SQSBatchResponse | undefined, records, config.reportBatchItemFailures),
        // The function failed as a whole (its error is in its log): the whole batch comes back.
        () => new Set(records.map((r) => r.messageId)),
      );
      const done = Messages.filter((m) => !failed.has(m.MessageId as string));
      const retry = Messages.filter((m) => failed.has(m.MessageId as string));
      if (done.length > 0) {
        await config.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: config.queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      if (retry.length > 0 && config.retryAfterSeconds !== undefined) {
        await config.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: config.queueUrl,
            Entries: retry.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: config.retryAfterSeconds,
            })),
          }),
        );
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}

/** Which messages to leave on the queue, from the function's partial batch response. */
function failures(result: SQSBatchResponse | undefined, records: SQSRecord[], partial: boolean): Set<string> {
  if (!partial || !result?.batchItemFailures) return new Set();
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  // Lambda treats a response naming an unknown (or empty) id as a failure of the whole batch.
  for (const id of failed) if (!ids.has(id)) return ids;
  return failed;
}

function recordOf(m: Message, config: SqsSourceConfig): SQSRecord {
  return {
    messageId: m.MessageId as string,
    receiptHandle: m.ReceiptHandle as string,
    body: m.Body ?? "",
    attributes: m.Attributes as SQSRecord["attributes"],
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        { stringValue: v.StringValue, dataType: v.DataType as string, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: m.MD5OfBody as string,
    eventSource: "aws:sqs",
    eventSourceARN: config.queueArn,
    awsRegion: config.region,
  };
}
