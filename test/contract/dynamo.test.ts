import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerInstanceRecord, TaskRecord } from "../../core/model/records.ts";
import { releaseWrite, reservationWrite } from "../../core/placement/capacity.ts";
import { containerInstanceKey } from "../../core/store/dynamo/keys/containerInstance.ts";
import { taskKey } from "../../core/store/dynamo/keys/task.ts";
import { openDynamoStore } from "../../core/store/dynamo.ts";
import { put } from "../../core/store/port.ts";
import {
  type DynamoDbLocal,
  dynamoDbLocalAvailable,
  localClientConfig,
  startDynamoDbLocal,
} from "../support/dynamodbLocal.ts";
import { containerInstance, runStoreContract } from "./store.contract.ts";

const ARN = "arn:aws:ecs:us-east-1:000000000000";

describe.runIf(dynamoDbLocalAvailable())("DynamoDB Local", () => {
  let local: DynamoDbLocal;
  beforeAll(async () => {
    local = await startDynamoDbLocal();
  });
  afterAll(() => local?.stop());

  // A new table for each case: creating one on DynamoDB Local takes milliseconds.
  runStoreContract("DynamoDB", () =>
    openDynamoStore({ ...localClientConfig(local.endpoint), table: `berth-${randomUUID()}` }),
  );

  describe("reads that race", () => {
    it("lists every instance even when another read caches a newer version of one meanwhile", async () => {
      // A client whose next BatchGetItem waits until the test lets it through.
      const client = new DynamoDBClient(localClientConfig(local.endpoint));
      let gate: Promise<void> | undefined;
      let open = () => {};
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === "BatchGetItemCommand" && gate) await gate;
          return next(args);
        },
        { step: "initialize" },
      );
      const store = await openDynamoStore({ client, table: `berth-${randomUUID()}` });
      try {
        await store.commit([put("containerInstance", containerInstance("web", "a"))]);
        await store.commit([put("containerInstance", containerInstance("web", "b"))]);
        const a = (await store.getContainerInstance("web", "a")) as ContainerInstanceRecord; // cached at its version

        gate = new Promise((resolve) => {
          open = resolve;
        });
        // The listing finds a cached and b not: it waits on b's BatchGetItem...
        const listing = store.listContainerInstances("web");
        await new Promise((resolve) => setTimeout(resolve, 200));
        // ...while a moves on and a read caches its new version.
        const attributes = [...(a.instance.attributes ?? []), { name: "stack", value: "blue" }];
        await store.commit([put("containerInstance", { ...a, instance: { ...a.instance, attributes } })]);
        await store.getContainerInstance("web", "a");
        open();
        expect((await listing).map((r) => r.id).sort()).toEqual(["a", "b"]);
      } finally {
        await store.close();
        client.destroy();
      }
    });
  });

  describe("stored events", () => {
    it("reads at most the call's share of events, however few the filter matches", async () => {
      // Counts the items DynamoDB evaluates for the events' Queries (the clusters' list is an index's).
      const client = new DynamoDBClient(localClientConfig(local.endpoint));
      let evaluated = 0;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const out = await next(args);
          const input = args.input as { IndexName?: string };
          if (context.commandName === "QueryCommand" && input.IndexName === undefined)
            evaluated += (out.output as { ScannedCount?: number }).ScannedCount ?? 0;
          return out;
        },
        { step: "initialize" },
      );
      const store = await openDynamoStore({ client, table: `berth-${randomUUID()}` });
      try {
        const clusters = ["web", "api"];
        await store.commit(
          clusters.map((name) =>
            put("cluster", {
              name,
              cluster: { clusterArn: `${ARN}:cluster/${name}`, clusterName: name, status: "ACTIVE" },
            }),
          ),
        );
        await store.putEvents(
          clusters.flatMap((cluster) =>
            Array.from({ length: 150 }, (_, i) => ({
              cluster,
              id: `${String(i).padStart(15, "0")}-0000000000-${cluster}`,
              time: i,
              source: "aws.ecs",
              detailType: i === 0 ? "ECS Service Action" : "ECS Task State Change",
              resources: [`${ARN}:task/${cluster}/t${i}`],
              detail: "{}",
              expiresAt: Date.now() + 3_600_000,
            })),
          ),
        );
        for (const cluster of ["web", undefined]) {
          const reads: number[] = [];
          const found: string[] = [];
          let after: string | undefined;
          do {
            evaluated = 0;
            const page = await store.listEvents({
              cluster,
              detailType: "ECS Service Action",
              limit: 10,
              reads: 40,
              after,
            });
            reads.push(evaluated);
            found.push(...page.items.map((e) => e.cluster));
            after = page.next;
          } while (after !== undefined && reads.length < 50);
          expect(found.sort()).toEqual(cluster ? ["web"] : ["api", "web"]);
          // 40 a call, and each cluster once more at most (every partition is read at each call).
          expect(Math.max(...reads)).toBeLessThanOrEqual(40 + (cluster ? 0 : clusters.length));
          // 150 events a cluster: more than one call reads, and the cursor moves on by about a
          // call's share of each partition (not by an item: 8 calls over the two of them).
          expect(reads.length).toBeGreaterThan(3);
          expect(reads.length).toBeLessThanOrEqual(cluster ? 4 : 8);
        }
      } finally {
        await store.close();
        client.destroy();
      }
    });
  });

  describe("items as DynamoDB keeps them", () => {
    it("keeps no entry for a group whose last task left the instance", async () => {
      const client = new DynamoDBClient(localClientConfig(local.endpoint));
      const table = `berth-${randomUUID()}`;
      const store = await openDynamoStore({ client, table });
      const raw = async () =>
        (
          await DynamoDBDocumentClient.from(client).send(
            new GetCommand({ TableName: table, Key: containerInstanceKey("web", "a"), ConsistentRead: true }),
          )
        ).Item;
      try {
        await store.commit([put("containerInstance", containerInstance("web", "a"))]);
        const record = (await store.getContainerInstance("web", "a")) as ContainerInstanceRecord;
        const demand = { cpu: 0, memory: 128, ports: [], udpPorts: [] };
        await store.commit([reservationWrite(record, demand, "family:app")]);
        expect((await raw())?.residentGroups).toEqual({ "family:app": 1 });
        const placed = (await store.getContainerInstance("web", "a")) as ContainerInstanceRecord;
        await store.commit([releaseWrite(placed, demand, "family:app")]);
        expect((await raw())?.residentGroups).toEqual({});
      } finally {
        await store.close();
        client.destroy();
      }
    });

    it("gives a STOPPED task DynamoDB's TTL (epoch seconds) and takes it out of the live tasks index", async () => {
      const client = new DynamoDBClient(localClientConfig(local.endpoint));
      const table = `berth-${randomUUID()}`;
      const store = await openDynamoStore({ client, table });
      const raw = async (id: string) =>
        (
          await DynamoDBDocumentClient.from(client).send(
            new GetCommand({ TableName: table, Key: taskKey("web", id), ConsistentRead: true }),
          )
        ).Item;
      try {
        const running = stoppable("t1");
        await store.commit([put("task", running)]);
        expect(await raw("t1")).toMatchObject({ gsi4pk: "TASKS#web", lastStatus: "RUNNING" });
        expect((await raw("t1"))?.ttl).toBeUndefined();

        const expiresAt = Date.now() + 3_600_000 + 1;
        const read = (await store.getTask("web", "t1")) as TaskRecord;
        await store.commit([put("task", { ...read, task: { ...read.task, lastStatus: "STOPPED" }, expiresAt })]);
        const stopped = await raw("t1");
        expect(stopped?.ttl).toBe(Math.ceil(expiresAt / 1000));
        expect(stopped?.expiresAt).toBe(expiresAt);
        expect(stopped?.gsi4pk).toBeUndefined();
        expect(await store.countTasks("web")).toEqual({ pending: 0, running: 0 });
      } finally {
        await store.close();
        client.destroy();
      }
    });
  });
});

function stoppable(id: string): Omit<TaskRecord, "version"> {
  return {
    cluster: "web",
    id,
    reservation: { cpu: 0, memory: 128, ports: [], udpPorts: [] },
    holdsReservation: true,
    essentialContainers: ["main"],
    acknowledged: false,
    task: {
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/web/${id}`,
      lastStatus: "RUNNING",
      desiredStatus: "RUNNING",
    },
  };
}
