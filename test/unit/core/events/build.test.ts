import type { Service, Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { ecsEventsOf } from "../../../../core/events/build.ts";
import { entryOf } from "../../../../core/events/entries.ts";
import type { ServiceRecord, TaskRecord } from "../../../../core/model/records.ts";
import type { RecordChange } from "../../../../core/store/kinds.ts";

const partition = { region: "us-east-1", accountId: "000000000000" };
const at = new Date("2026-01-01T00:00:00Z");
const taskArn = "arn:aws:ecs:us-east-1:000000000000:task/c/t1";

const task = (version: number, fields: Partial<Task>): TaskRecord => ({
  cluster: "c",
  id: "t1",
  version,
  task: { taskArn, clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/c", createdAt: at, ...fields },
  reservation: { cpu: 0, memory: 128, ports: [], udpPorts: [] },
  holdsReservation: true,
  essentialContainers: ["app"],
  acknowledged: false,
});

const service = (version: number, fields: Partial<Service>): ServiceRecord => ({
  cluster: "c",
  name: "web",
  version,
  request: "",
  scheduler: {} as ServiceRecord["scheduler"],
  service: {
    serviceArn: "arn:aws:ecs:us-east-1:000000000000:service/c/web",
    clusterArn: "cl",
    desiredCount: 1,
    ...fields,
  },
});

const names = (change: RecordChange) =>
  ecsEventsOf(change, partition).map((e) => [
    e.detailType,
    e.detail.eventName ?? e.detail.lastStatus,
    e.detail.version,
  ]);

describe("ecsEventsOf", () => {
  it.each<[string, RecordChange, unknown[]]>([
    [
      "a new task",
      { kind: "task", new: task(1, { lastStatus: "PROVISIONING" }) },
      [["ECS Task State Change", "PROVISIONING", 1]],
    ],
    [
      "a task that changed status",
      { kind: "task", old: task(1, { lastStatus: "PENDING" }), new: task(2, { lastStatus: "RUNNING" }) },
      [["ECS Task State Change", "RUNNING", 2]],
    ],
    [
      "a task written again with the same statuses",
      { kind: "task", old: task(1, { lastStatus: "RUNNING" }), new: task(2, { lastStatus: "RUNNING" }) },
      [],
    ],
    ["a task that expired", { kind: "task", old: task(3, { lastStatus: "STOPPED" }) }, []],
    [
      "a service whose desired count changed",
      { kind: "service", old: service(1, {}), new: service(2, { desiredCount: 3 }) },
      [["ECS Service Action", "SERVICE_DESIRED_COUNT_UPDATED", 2]],
    ],
    [
      "a service that said it reached a steady state",
      {
        kind: "service",
        old: service(1, {}),
        new: service(2, {
          events: [{ id: "e1", createdAt: at, message: "(service web) has reached a steady state." }],
        }),
      },
      [["ECS Service Action", "SERVICE_STEADY_STATE", 2]],
    ],
    [
      "a deployment that completed",
      {
        kind: "service",
        old: service(4, { deployments: [{ id: "ecs-svc/1", rolloutState: "IN_PROGRESS" }] }),
        new: service(5, { deployments: [{ id: "ecs-svc/1", rolloutState: "COMPLETED", updatedAt: at }] }),
      },
      [["ECS Deployment State Change", "SERVICE_DEPLOYMENT_COMPLETED", 5]],
    ],
    ["a cluster", { kind: "cluster", new: { name: "c", version: 1, cluster: {} } }, []],
  ])("%s", (_, change, expected) => {
    expect(names(change)).toEqual(expected);
  });

  it("names the resource and keeps ECS's detail fields", () => {
    const [event] = ecsEventsOf({ kind: "task", new: task(7, { lastStatus: "RUNNING", startedAt: at }) }, partition);
    expect(event.resources).toEqual([taskArn]);
    expect(event.time).toEqual(at);
    expect(JSON.parse(entryOf(event, "bus").Detail)).toMatchObject({
      taskArn,
      lastStatus: "RUNNING",
      createdAt: "2026-01-01T00:00:00.000Z",
      version: 7,
    });
  });
});
