import { randomUUID } from "node:crypto";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storedEventOf } from "../../core/events/stored.ts";
import type { EventPublisher, PutEventsEntry } from "../../core/events/types.ts";
import type { StoredEventRecord, TaskRecord } from "../../core/model/records.ts";
import { clusterKey } from "../../core/store/dynamo/keys/cluster.ts";
import { heartbeatKey } from "../../core/store/dynamo/keys/heartbeat.ts";
import { storedEventItem } from "../../core/store/dynamo/keys/storedEvent.ts";
import { taskKey } from "../../core/store/dynamo/keys/task.ts";
import { utilizationHistoryKey } from "../../core/store/dynamo/keys/utilizationHistory.ts";
import { openDynamoStore } from "../../core/store/dynamo.ts";
import { put, type Store } from "../../core/store/port.ts";
import { createEventsHandler } from "../../functions/events/handler.ts";
import {
  type DynamoDbLocal,
  dynamoDbLocalAvailable,
  localClientConfig,
  startDynamoDbLocal,
} from "../support/dynamodbLocal.ts";
import { type Image, streamRecord } from "../support/streamRecords.ts";
import { passes } from "./filterPattern.ts";
import { evaluateGraph, type Graph } from "./graph.ts";

/**
 * The filter on the events function's stream mapping, as a deploy would create it (the
 * evaluated graph, test/infra/graph.ts), judged on the items the DynamoDB
 * store really writes (on DynamoDB Local, read back as the stream would image them): writes of
 * tasks invoke the function; heartbeats, clusters and deletions do not, and would make no
 * event if they did.
 */
describe.runIf(dynamoDbLocalAvailable())("the events function's stream filter", () => {
  let graph: Graph;
  let local: DynamoDbLocal;
  let client: DynamoDBClient;
  let store: Store;
  const table = `berth-${randomUUID()}`;
  const items: Record<
    "taskCreated" | "taskRunning" | "cluster" | "heartbeat" | "heartbeatAgain" | "storedEvent" | "utilizationHistory",
    Image
  > = {} as never;

  const task: Omit<TaskRecord, "version"> = {
    cluster: "c",
    id: "t1",
    task: {
      taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
      lastStatus: "PENDING",
      desiredStatus: "RUNNING",
    },
    reservation: { cpu: 0, memory: 128, ports: [], udpPorts: [] },
    holdsReservation: true,
    essentialContainers: ["app"],
    acknowledged: false,
  };

  const raw = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: key.pk }, sk: { S: key.sk } } })))
      .Item as Image;

  beforeAll(async () => {
    graph = await evaluateGraph("dev");
    local = await startDynamoDbLocal();
    client = new DynamoDBClient(localClientConfig(local.endpoint));
    store = await openDynamoStore({ client, table });
    await store.commit([put("task", task), put("cluster", { name: "c", cluster: { clusterName: "c" } })]);
    items.taskCreated = await raw(taskKey("c", "t1"));
    items.cluster = await raw(clusterKey("c"));
    await store.commit([put("task", { ...task, version: 1, task: { ...task.task, lastStatus: "RUNNING" } })]);
    items.taskRunning = await raw(taskKey("c", "t1"));
    await store.putHeartbeat({ cluster: "c", id: "i1", at: 1 });
    items.heartbeat = await raw(heartbeatKey("c", "i1"));
    await store.putHeartbeat({ cluster: "c", id: "i1", at: 2 });
    items.heartbeatAgain = await raw(heartbeatKey("c", "i1"));
    const kept = storedEventOf({
      Source: "berth.ecs",
      DetailType: "ECS Task State Change",
      Detail: JSON.stringify({ clusterArn: task.task.clusterArn, version: 1 }),
      Resources: [task.task.taskArn as string],
      Time: new Date(),
    }) as StoredEventRecord;
    await store.putEvents([kept]);
    items.storedEvent = await raw(storedEventItem(kept));
    const sample = { at: Date.now(), cpuPercent: 1, memoryUsedMiB: 1, memoryTotalMiB: 2 };
    await store.putUtilizationSample("c", "i1", 0, sample, Date.now() + 60_000);
    items.utilizationHistory = await raw(utilizationHistoryKey("c", "i1"));
  }, 240_000);
  afterAll(async () => {
    await store?.close();
    client?.destroy();
    await local?.stop();
  });

  /** The mapping's filter patterns, as Lambda is given them (JSON strings). */
  const filters = () => {
    const mapping = graph.resources.find(
      (r) => r.type === "aws:lambda/eventSourceMapping:EventSourceMapping" && r.inputs.filterCriteria,
    );
    if (!mapping) throw new Error("no event source mapping has a filter");
    const criteria = mapping.inputs.filterCriteria as { filters: { pattern: string }[] };
    return criteria.filters.map((f) => JSON.parse(f.pattern) as unknown);
  };

  /** The records Lambda would drop, and what the events function would publish of them anyway. */
  const dropped = () => [
    streamRecord(1, { new: items.heartbeat }),
    streamRecord(2, { new: items.heartbeatAgain, old: items.heartbeat }),
    streamRecord(3, { new: items.cluster }),
    streamRecord(4, { old: items.taskRunning }),
    // What the events function itself writes back, and the utilization histories.
    streamRecord(5, { new: items.storedEvent }),
    streamRecord(6, { new: items.utilizationHistory }),
  ];

  it("has at most Lambda's five patterns", () => {
    expect(filters().length).toBeGreaterThan(0);
    expect(filters().length).toBeLessThanOrEqual(5);
  });

  it("passes a task's creation and its status change", () => {
    expect(passes(filters(), streamRecord(1, { new: items.taskCreated }))).toBe(true);
    expect(passes(filters(), streamRecord(2, { new: items.taskRunning, old: items.taskCreated }))).toBe(true);
  });

  it("drops heartbeats, other kinds (the events it keeps among them) and deletions", () => {
    for (const record of dropped()) expect(passes(filters(), record), record.eventID).toBe(false);
  });

  it("drops nothing the events function would have published, which ignores such records itself", async () => {
    const published: PutEventsEntry[] = [];
    const publisher: EventPublisher = { publish: async (entries) => void published.push(...entries) };
    const handler = createEventsHandler({ publisher, partition: { region: "us-east-1", accountId: "000000000000" } });
    expect(await handler({ Records: dropped() }, {} as never)).toEqual({ batchItemFailures: [] });
    expect(published).toEqual([]);
    await handler({ Records: [streamRecord(5, { new: items.taskRunning, old: items.taskCreated })] }, {} as never);
    expect(published.map((e) => e.DetailType)).toEqual(["ECS Task State Change"]);
  });
});
