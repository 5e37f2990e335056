import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export interface SchedulerPoller {
  /** Ends the long poll, waits for the batch under way, releases the client. */
  stop(): Promise<void>;
}

export interface PollerOptions {
  sqs: SQSClientConfig;
  queueUrl: string;
  /** The scheduler function, as Lambda's SQS event source mapping calls it. */
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  region: string;
  onError: (error: unknown) => void;
}

/** A failed message is offered again after this long (Lambda waits for the visibility timeout). */
const RETRY_AFTER_SECONDS = 1;
/** A message that failed this many times is dropped: the sweep nudges its service again anyway. */
const MAX_RECEIVES = 10;

/**
 * What Lambda's SQS event source mapping does for the scheduler function, in local mode (as
 * `sst dev` would run it): long-poll the FIFO queue, hand each batch to the handler as an
 * SQSEvent, delete what it handled and let the reported failures come back.
 */
export function startSchedulerPoller(options: PollerOptions): SchedulerPoller {
  const client = new SQSClient(options.sqs);
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 20,
            MessageSystemAttributeNames: ["All"],
          }),
          { abortSignal: abort.signal },
        );
        if (Messages.length > 0) await handle(client, options, Messages);
      } catch (error) {
        if (abort.signal.aborted) return;
        options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
      client.destroy();
    },
  };
}

async function handle(client: SQSClient, options: PollerOptions, messages: Message[]) {
  const records = messages.map((m) => recordOf(m, options));
  const { batchItemFailures } = await options.handler({ Records: records }, { awsRequestId: "local" } as Context);
  const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter(
    (m) => !failed.has(m.MessageId as string) || Number(m.Attributes?.ApproximateReceiveCount) >= MAX_RECEIVES,
  );
  if (done.length > 0) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  for (const m of messages.filter((m) => !done.includes(m))) {
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: options.queueUrl,
        ReceiptHandle: m.ReceiptHandle,
        VisibilityTimeout: RETRY_AFTER_SECONDS,
      }),
    );
  }
}

function recordOf(message: Message, options: PollerOptions): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId as string,
    receiptHandle: message.ReceiptHandle as string,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? "1",
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? "local",
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId,
      SequenceNumber: attributes.SequenceNumber,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:${options.region}:000000000000:${options.queueUrl.slice(options.queueUrl.lastIndexOf("/") + 1)}`,
    awsRegion: options.region,
  };
}
