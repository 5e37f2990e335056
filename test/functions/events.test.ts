import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import type { EventPublisher, PutEventsEntry } from "../../core/events/types.ts";
import type { TaskRecord } from "../../core/model/records.ts";
import { itemOf } from "../../core/store/dynamo/items.ts";
import { createEventsHandler } from "../../functions/events/handler.ts";
import { streamRecord } from "../support/streamRecords.ts";

/**
 * The events function on a DynamoDB stream batch as Lambda delivers it (items marshalled as the
 * store writes them), publishing to an in-memory publisher that records each PutEvents call.
 */
const partition = { region: "us-east-1", accountId: "000000000000" };
const createdAt = new Date("2026-01-01T00:00:00Z");

function taskRecord(id: string, version: number, lastStatus: string): TaskRecord {
  return {
    cluster: "c",
    id,
    version,
    task: {
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${id}`,
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
      lastStatus,
      desiredStatus: "RUNNING",
      createdAt,
    },
    reservation: { cpu: 0, memory: 128, ports: [], udpPorts: [] },
    holdsReservation: true,
    essentialContainers: ["app"],
    acknowledged: true,
  };
}

/** A stream record of a task's write, its images as the store writes the task's item. */
function taskStreamRecord(sequence: number, now: TaskRecord, old?: TaskRecord): DynamoDBRecord {
  const image = (r: TaskRecord) =>
    marshall({ ...itemOf("task", r), version: r.version }, { removeUndefinedValues: true });
  return streamRecord(sequence, { new: image(now), old: old && image(old) });
}

function recorder(failOnCall?: number): EventPublisher & { calls: PutEventsEntry[][] } {
  const calls: PutEventsEntry[][] = [];
  return {
    calls,
    async publish(entries) {
      if (calls.length + 1 === failOnCall) {
        calls.push([]);
        throw new Error("throttled");
      }
      calls.push(entries);
    },
  };
}

const invoke = (publisher: EventPublisher, event: DynamoDBStreamEvent) =>
  createEventsHandler({ publisher, partition })(event, {} as never);

describe("the events function", () => {
  it("turns a stream batch into the exact PutEvents entries", async () => {
    const publisher = recorder();
    const response = await invoke(publisher, {
      Records: [
        taskStreamRecord(1, taskRecord("t1", 1, "PROVISIONING")),
        taskStreamRecord(2, taskRecord("t1", 2, "PENDING"), taskRecord("t1", 1, "PROVISIONING")),
        // Written again without a visible change: no event.
        taskStreamRecord(3, taskRecord("t1", 3, "PENDING"), taskRecord("t1", 2, "PENDING")),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    const detail = (version: number, lastStatus: string) =>
      JSON.stringify({
        taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
        clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c",
        lastStatus,
        desiredStatus: "RUNNING",
        createdAt: "2026-01-01T00:00:00.000Z",
        version,
      });
    expect(publisher.calls).toEqual([
      [
        {
          Source: "berth.ecs",
          DetailType: "ECS Task State Change",
          Detail: detail(1, "PROVISIONING"),
          Resources: ["arn:aws:ecs:us-east-1:000000000000:task/c/t1"],
          Time: createdAt,
        },
        {
          Source: "berth.ecs",
          DetailType: "ECS Task State Change",
          Detail: detail(2, "PENDING"),
          Resources: ["arn:aws:ecs:us-east-1:000000000000:task/c/t1"],
          Time: createdAt,
        },
      ],
    ]);
  });

  it("publishes at most 10 entries a call and reports the first record of a failed call", async () => {
    const records = Array.from({ length: 25 }, (_, i) =>
      taskStreamRecord(i + 1, taskRecord(`t${i + 1}`, 1, "PENDING")),
    );
    const ok = recorder();
    await invoke(ok, { Records: records });
    expect(ok.calls.map((c) => c.length)).toEqual([10, 10, 5]);

    const failing = recorder(2);
    const response = await invoke(failing, { Records: records });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "11" }] });
    expect(failing.calls.map((c) => c.length)).toEqual([10, 0]);
  });
});
