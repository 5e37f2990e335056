import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { passes } from "../../infra/filterPattern.ts";
import type { EventSource } from "./sqsSource.ts";

/**
 * Lambda's DynamoDB stream event source mapping, as the graph configures it: every shard read
 * from the starting position (LATEST: from when the mapping exists), records dropped unless one
 * of the mapping's filter patterns matches them (Lambda's event filtering, test/infra/
 * filterPattern.ts), batches of at most batchSize in stream order, and on a partial batch
 * failure (ReportBatchItemFailures) the batch retried from the failed record, bisected on a
 * function error, up to maximumRetryAttempts, after which the records are skipped (and said to
 * be, on the test's output): a stream never stalls on a poison record. With an on-failure
 * destination, what was skipped is sent there as Lambda does: the batch's shard and sequence
 * numbers (DDBStreamBatchInfo), not the records.
 */
export interface StreamSourceConfig {
  streams: DynamoDBStreamsClient;
  /** The stream at the stand-in (DynamoDB Local's own ARN), and the ARN records carry (the graph's). */
  streamArn: string;
  eventSourceArn: string;
  region: string;
  batchSize: number;
  filters: unknown[];
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  maximumRetryAttempts: number;
  invoke(event: DynamoDBStreamEvent): Promise<unknown>;
  /** The mapping's on-failure destination: told of every batch skipped after its retries. */
  onFailure?(record: StreamFailureRecord): Promise<void>;
  pollMs?: number;
}

/** What Lambda sends an on-failure destination for a stream batch it gave up on. */
export interface StreamFailureRecord {
  requestContext: { condition: "RetryAttemptsExhausted"; approximateInvokeCount: number };
  version: "1.0";
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export async function startStreamSource(config: StreamSourceConfig): Promise<EventSource> {
  const iterators = new Map<string, string | undefined>();
  // LATEST: the shards as they are now, from their ends; shards that appear later, from their starts.
  await discoverShards(config, iterators, "LATEST");
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      try {
        await discoverShards(config, iterators, "TRIM_HORIZON");
        for (const [shard, iterator] of iterators) {
          if (!iterator) continue;
          const page = await config.streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
          iterators.set(shard, page.NextShardIterator);
          const records = (page.Records ?? []).map((r) => recordOf(r, config)).filter((r) => passes(config.filters, r));
          for (let i = 0; i < records.length; i += config.batchSize) {
            await deliver(records.slice(i, i + config.batchSize), config, shard);
          }
        }
      } catch (error) {
        if (!stopped) console.error(`[stream ${config.eventSourceArn}] polling failed:`, error);
      }
      await new Promise((resolve) => setTimeout(resolve, config.pollMs ?? 200));
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

async function discoverShards(
  config: StreamSourceConfig,
  iterators: Map<string, string | undefined>,
  position: "LATEST" | "TRIM_HORIZON",
) {
  const { StreamDescription } = await config.streams.send(new DescribeStreamCommand({ StreamArn: config.streamArn }));
  for (const shard of StreamDescription?.Shards ?? []) {
    const id = shard.ShardId as string;
    if (iterators.has(id)) continue;
    const { ShardIterator } = await config.streams.send(
      new GetShardIteratorCommand({ StreamArn: config.streamArn, ShardId: id, ShardIteratorType: position }),
    );
    iterators.set(id, ShardIterator);
  }
}

/** One batch: retried from the first failure (or halved on a function error) until it passes or runs out of tries. */
async function deliver(batch: DynamoDBRecord[], config: StreamSourceConfig, shard: string) {
  let pending = batch;
  let attempts = 0;
  while (pending.length > 0) {
    let from: number;
    try {
      const result = (await config.invoke({ Records: pending })) as DynamoDBBatchResponse | undefined;
      const failed = config.reportBatchItemFailures ? result?.batchItemFailures?.[0]?.itemIdentifier : undefined;
      if (failed === undefined) return;
      from = pending.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
      if (from < 0) from = 0;
    } catch {
      from = 0;
      if (config.bisectBatchOnFunctionError && pending.length > 1) {
        // Lambda splits a failing batch in two and retries each half on its own.
        const half = Math.ceil(pending.length / 2);
        await deliver(pending.slice(0, half), config, shard);
        await deliver(pending.slice(half), config, shard);
        return;
      }
    }
    attempts += 1;
    if (attempts > config.maximumRetryAttempts) {
      const skipped = pending.slice(from);
      console.error(
        `[stream ${config.eventSourceArn}] skipping ${skipped.length} record(s) after ${attempts} attempts`,
      );
      await config.onFailure?.(failureRecord(skipped, attempts, shard, config.eventSourceArn));
      return;
    }
    pending = pending.slice(from);
  }
}

function failureRecord(skipped: DynamoDBRecord[], attempts: number, shard: string, streamArn: string) {
  const arrival = (r: DynamoDBRecord | undefined) =>
    new Date((r?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();
  return {
    requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: attempts },
    version: "1.0",
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: shard,
      startSequenceNumber: skipped[0]?.dynamodb?.SequenceNumber as string,
      endSequenceNumber: skipped.at(-1)?.dynamodb?.SequenceNumber as string,
      approximateArrivalOfFirstRecord: arrival(skipped[0]),
      approximateArrivalOfLastRecord: arrival(skipped.at(-1)),
      batchSize: skipped.length,
      streamArn,
    },
  } satisfies StreamFailureRecord;
}

function recordOf(r: _Record, config: StreamSourceConfig): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord["eventName"],
    eventVersion: r.eventVersion,
    eventSource: "aws:dynamodb",
    awsRegion: config.region,
    eventSourceARN: config.eventSourceArn,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor((d.ApproximateCreationDateTime?.getTime() ?? Date.now()) / 1000),
      Keys: d.Keys as never,
      ...(d.NewImage && { NewImage: d.NewImage as never }),
      ...(d.OldImage && { OldImage: d.OldImage as never }),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as never,
    },
  };
}
