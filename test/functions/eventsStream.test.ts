import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CreateCluster } from "../../core/actions/clusters.ts";
import { RegisterContainerInstance } from "../../core/actions/containerInstances.ts";
import { RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import { RunTask, StopTask } from "../../core/actions/tasks.ts";
import { EVENT_KINDS } from "../../core/events/build.ts";
import type { PutEventsEntry } from "../../core/events/types.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { openDynamoStore } from "../../core/store/dynamo.ts";
import type { Store } from "../../core/store/port.ts";
import { createEventsHandler } from "../../functions/events/handler.ts";
import type { EventSource } from "../cloud/sources/sqsSource.ts";
import { type StreamFailureRecord, startStreamSource } from "../cloud/sources/streamSource.ts";
import { localClientConfig } from "../support/dynamodbLocal.ts";
import { until } from "../support/poll.ts";

/**
 * The events function fed by DynamoDB Local's real stream of a store's table, through the test
 * harness's stream event source mapping (test/cloud/sources/streamSource.ts) configured as
 * infra/events.ts configures Lambda's (test/infra/graph.test.ts checks the infra: its filter,
 * partial batch responses, bisect, 5 retries, an on-failure destination). Beside it a second
 * consumer of the same stream whose PutEvents never fails: what the events would have been.
 * PutEvents failing for a while loses no event and doubles none; PutEvents failing for good
 * skips nothing without the batch's shard and sequence numbers at the on-failure destination.
 */
const partition = { region: "us-east-1", accountId: "000000000000" };
const mapping = {
  batchSize: 100,
  filters: [{ dynamodb: { NewImage: { kind: { S: [...EVENT_KINDS] } } } }],
  reportBatchItemFailures: true,
  bisectBatchOnFunctionError: true,
  maximumRetryAttempts: 5,
  pollMs: 50,
};

describe("the events function on the table's stream, PutEvents failing", { timeout: 60_000 }, () => {
  let store: Store;
  let ctx: ActionContext;
  let streamArn: string;
  let streams: DynamoDBStreamsClient;
  const sources: EventSource[] = [];
  beforeAll(async () => {
    const endpoint = inject("dynamodbEndpoint");
    const table = `berth-test-events-${randomUUID()}`;
    store = await openDynamoStore({ ...localClientConfig(endpoint), table });
    const ddb = new DynamoDBClient(localClientConfig(endpoint));
    streamArn = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn as string;
    ddb.destroy();
    streams = new DynamoDBStreamsClient(localClientConfig(endpoint));
    ctx = { store, partition, now: () => new Date() };
    await CreateCluster({ clusterName: "c" }, ctx);
    await RegisterTaskDefinition(
      { family: "app", containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }] },
      ctx,
    );
  });
  afterAll(async () => {
    for (const s of sources) await s.stop();
    streams?.destroy();
    await store?.close();
  });

  /** A consumer of the stream from now on: the events function publishing through `publish`. */
  const consumer = async (
    publish: (entries: PutEventsEntry[]) => Promise<void>,
    onFailure?: (r: StreamFailureRecord) => Promise<void>,
  ) => {
    const handler = createEventsHandler({ publisher: { publish }, partition });
    const sequences: string[] = [];
    sources.push(
      await startStreamSource({
        ...mapping,
        streams,
        streamArn,
        eventSourceArn: streamArn,
        region: partition.region,
        invoke: (event: DynamoDBStreamEvent) => {
          for (const r of event.Records) sequences.push(r.dynamodb?.SequenceNumber as string);
          return handler(event, {} as never);
        },
        onFailure,
      }),
    );
    return sequences;
  };
  /** Writes that make ECS events: an instance, tasks started and stopped. */
  const workload = async () => {
    await RegisterContainerInstance(
      {
        cluster: "c",
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
        ],
      },
      ctx,
    );
    for (let i = 0; i < 4; i++) {
      const { tasks } = await RunTask({ cluster: "c", taskDefinition: "app", count: 2 }, ctx);
      await StopTask({ cluster: "c", task: tasks?.[0]?.taskArn as string }, ctx);
    }
  };
  const detailOf = (e: PutEventsEntry) => `${e.DetailType} ${e.Detail}`;

  it("publishes every event exactly once, in order, when PutEvents fails for a while", async () => {
    const expected: PutEventsEntry[] = [];
    await consumer(async (entries) => {
      expected.push(...entries);
    });
    const published: PutEventsEntry[] = [];
    let calls = 0;
    let refused = 0;
    await consumer(async (entries) => {
      // The 2nd to the 4th calls fail (throttling, say), each retried by the mapping.
      if (++calls >= 2 && calls <= 4) {
        refused++;
        throw new Error("ThrottlingException");
      }
      published.push(...entries);
    });
    await workload();
    await until(
      "the events of every write",
      async () => expected.length > 0 && published.length >= expected.length,
      20_000,
    );
    // A moment more: anything published twice would come now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(refused).toBe(3);
    expect(published.map(detailOf)).toEqual(expected.map(detailOf));
    expect(new Set(published.map(detailOf)).size).toBe(published.length);
  });

  it("records every batch it skips at the on-failure destination when PutEvents keeps failing", async () => {
    const seen = await consumer(async () => {});
    const failures: StreamFailureRecord[] = [];
    await consumer(
      async () => {
        throw new Error("AccessDeniedException");
      },
      async (record) => {
        failures.push(record);
      },
    );
    await workload();
    const covered = (sequence: string) =>
      failures.some(
        ({ DDBStreamBatchInfo: b }) =>
          BigInt(b.startSequenceNumber) <= BigInt(sequence) && BigInt(sequence) <= BigInt(b.endSequenceNumber),
      );
    await until("every record skipped on record", async () => seen.length > 0 && seen.every(covered), 30_000);
    for (const { DDBStreamBatchInfo: b, requestContext } of failures) {
      expect(b.streamArn).toBe(streamArn);
      expect(requestContext).toEqual({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 6 });
    }
  });
});
