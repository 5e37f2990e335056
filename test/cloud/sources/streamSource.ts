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
 * be, on the test's output): a stream never stalls on a poison record.
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
  pollMs?: number;
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
            await deliver(records.slice(i, i + config.batchSize), config);
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
async function deliver(batch: DynamoDBRecord[], config: StreamSourceConfig) {
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
        await deliver(pending.slice(0, half), config);
        await deliver(pending.slice(half), config);
        return;
      }
    }
    attempts += 1;
    if (attempts > config.maximumRetryAttempts) {
      console.error(
        `[stream ${config.eventSourceArn}] skipping ${pending.length - from} record(s) after ${attempts} attempts`,
      );
      return;
    }
    pending = pending.slice(from);
  }
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
