import type { TaskDefinitionStatus } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessKeyRecord, AuditEventRecord } from "../../core/auth/records.ts";
import type { MetricAlarm } from "../../core/model/metricAlarm.ts";
import type {
  AccountSettingsRecord,
  AlarmRecord,
  CapacityProviderRecord,
  ClusterRecord,
  ContainerInstanceRecord,
  HeartbeatRecord,
  IdempotencyRecord,
  ServiceRecord,
  StoredEventRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from "../../core/model/records.ts";
import type { ResourceWrite } from "../../core/model/reservation.ts";
import { readResources, resourceList } from "../../core/model/resourceList.ts";
import { ConflictError, type EventQuery, type Page, type PageRequest, put, type Store } from "../../core/store/port.ts";

/**
 * What every Store implementation must do, whatever it keeps its records in. Run it with a
 * factory that returns a new, empty store each time (see sqlite.test.ts); a DynamoDB store runs
 * the same cases.
 *
 * Records are written through `put` (expectedVersion from the record's version, null when it
 * has none) exactly as the actions write them. Versions are only compared with each other,
 * never with fixed numbers: how a store counts is its own business.
 */
export function runStoreContract(name: string, newStore: () => Promise<Store>) {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await newStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /**
     * Commits the same writes until they go through (true) or keep conflicting (false): a
     * reservation that no longer fits fails every time, a transaction that lost a race to another
     * (DynamoDB's TransactionConflict) goes through on a later try.
     */
    const commitPersistently = async (writes: Parameters<Store["commit"]>[0], tries = 30) => {
      for (let i = 0; i < tries; i++) {
        try {
          await store.commit(writes);
          return true;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        }
      }
      return false;
    };

    describe("get and put of each record kind", () => {
      it("keeps a cluster and reads it back as written, with a version", async () => {
        await store.commit([put("cluster", cluster("web"))]);
        const read = await store.getCluster("web");
        expect(read).toMatchObject(cluster("web"));
        expect(typeof read?.version).toBe("number");
        expect(await store.getCluster("other")).toBeUndefined();
      });

      it("keeps a task definition by family and revision, timestamps as Dates", async () => {
        const td = taskDefinition("app", 1);
        await store.commit([put("taskDefinition", td)]);
        const read = await store.getTaskDefinition("app", 1);
        expect(read).toMatchObject(td);
        expect(read?.taskDefinition.registeredAt).toBeInstanceOf(Date);
        expect(read?.taskDefinition.registeredAt?.getTime()).toBe(td.taskDefinition.registeredAt?.getTime());
        expect(await store.getTaskDefinition("app", 2)).toBeUndefined();
        expect(await store.getTaskDefinition("other", 1)).toBeUndefined();
      });

      it("keeps a container instance per cluster", async () => {
        const ci = containerInstance("web", "ci1", { ec2InstanceId: "i-0001" });
        await store.commit([put("containerInstance", ci)]);
        expect(await store.getContainerInstance("web", "ci1")).toMatchObject(ci);
        expect(await store.getContainerInstance("other", "ci1")).toBeUndefined();
        expect(await store.getContainerInstance("web", "ci2")).toBeUndefined();
      });

      it("keeps a task per cluster, with its reservation and Dates", async () => {
        const t = task("web", "t1", { containerInstanceId: "ci1", lastStatus: "RUNNING" });
        await store.commit([put("task", t)]);
        const read = await store.getTask("web", "t1");
        expect(read).toMatchObject(t);
        expect(read?.reservation).toEqual(t.reservation);
        expect(read?.task.createdAt).toEqual(t.task.createdAt);
        expect(await store.getTask("other", "t1")).toBeUndefined();
      });

      it("keeps an idempotency record with its response", async () => {
        const record: Omit<IdempotencyRecord, "version"> = {
          key: "RunTask/web/token-1",
          request: "sha256:abc",
          response: { tasks: [{ taskArn: "arn:t1", createdAt: new Date(1_700_000_000_000) }], failures: [] },
        };
        await store.commit([put("idempotency", record)]);
        expect(await store.getIdempotency("RunTask/web/token-1")).toMatchObject(record);
        expect(await store.getIdempotency("RunTask/web/token-2")).toBeUndefined();
      });

      it("keeps each principal's account settings apart, and replaces them by version", async () => {
        const root = "arn:aws:iam::000000000000:root";
        const role = "arn:aws:iam::000000000000:role/deployer";
        await store.commit([
          put("accountSettings", { principalArn: root, settings: [{ name: "containerInsights", value: "enabled" }] }),
          put("accountSettings", { principalArn: role, settings: [] }),
        ]);
        const read = await store.getAccountSettings(root);
        expect(read?.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
        expect((await store.getAccountSettings(role))?.settings).toEqual([]);
        expect(await store.getAccountSettings("arn:aws:iam::000000000000:user/nobody")).toBeUndefined();
        await store.commit([put("accountSettings", { ...(read as AccountSettingsRecord), settings: [] })]);
        expect((await store.getAccountSettings(root))?.settings).toEqual([]);
        await expect(store.commit([put("accountSettings", read as AccountSettingsRecord)])).rejects.toThrow(
          ConflictError,
        );
      });

      it("replaces a record when written with the version it read, and moves the version on", async () => {
        await store.commit([put("cluster", cluster("web"))]);
        const first = (await store.getCluster("web")) as ClusterRecord;
        await store.commit([put("cluster", { ...first, cluster: { ...first.cluster, status: "INACTIVE" } })]);
        const second = (await store.getCluster("web")) as ClusterRecord;
        expect(second.cluster.status).toBe("INACTIVE");
        expect(second.version).not.toBe(first.version);
      });

      it("keeps a future expiresAt as written and still shows the record", async () => {
        const expiresAt = Date.now() + 3_600_000;
        await store.commit([put("cluster", { ...cluster("web"), expiresAt })]);
        const read = (await store.getCluster("web")) as ClusterRecord;
        expect(read.expiresAt).toBe(expiresAt);
        // A record read back must be writable again as it is (e.g. a stopped task released later).
        await store.commit([put("cluster", read)]);
        expect((await store.getCluster("web"))?.expiresAt).toBe(expiresAt);
      });
    });

    describe("optimistic versions", () => {
      it("refuses to create a record that exists (expectedVersion null)", async () => {
        await store.commit([put("cluster", cluster("web"))]);
        await expect(store.commit([put("cluster", cluster("web", { status: "INACTIVE" }))])).rejects.toBeInstanceOf(
          ConflictError,
        );
        expect((await store.getCluster("web"))?.cluster.status).toBe("ACTIVE");
      });

      it("refuses a write with a stale version", async () => {
        await store.commit([put("task", task("web", "t1"))]);
        const read = (await store.getTask("web", "t1")) as TaskRecord;
        await store.commit([put("task", { ...read, task: { ...read.task, desiredStatus: "STOPPED" } })]);
        // `read` is now stale: a second writer that read the same version loses.
        await expect(
          store.commit([put("task", { ...read, task: { ...read.task, lastStatus: "RUNNING" } })]),
        ).rejects.toBeInstanceOf(ConflictError);
        const now = (await store.getTask("web", "t1")) as TaskRecord;
        expect(now.task.desiredStatus).toBe("STOPPED");
        expect(now.task.lastStatus).toBe("PENDING");
      });

      it("refuses an update of a record that does not exist", async () => {
        const read = { ...cluster("web"), version: 1 } as ClusterRecord;
        await expect(store.commit([put("cluster", read)])).rejects.toBeInstanceOf(ConflictError);
        expect(await store.getCluster("web")).toBeUndefined();
      });

      it("lets exactly one of two writers that read the same version win", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        const results = await Promise.allSettled(
          ["A", "B"].map((who) =>
            store.commit([
              put("containerInstance", { ...read, instance: { ...read.instance, versionInfo: { agentVersion: who } } }),
            ]),
          ),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(ConflictError);
      });
    });

    describe("commit is atomic", () => {
      it("writes every record of a batch", async () => {
        await store.commit([
          put("cluster", cluster("web")),
          put("containerInstance", containerInstance("web", "ci1")),
          put("task", task("web", "t1")),
          put("task", task("web", "t2")),
        ]);
        expect(await store.getCluster("web")).toBeDefined();
        expect(await store.getContainerInstance("web", "ci1")).toBeDefined();
        expect(await store.getTask("web", "t1")).toBeDefined();
        expect(await store.getTask("web", "t2")).toBeDefined();
      });

      it("writes nothing when any write of the batch conflicts, wherever it sits", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1")), put("task", task("web", "t0"))]);
        const instance = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        const placement = () => [
          put("task", task("web", "t1")),
          reservation("ci1", { cpu: 1024, memory: 1024, ports: [8080] }),
          put("task", task("web", "t2")),
        ];
        for (const conflictAt of [0, 1, 2]) {
          // The same batch, with one write made to conflict: t0 exists already, or it does not fit.
          const batch = placement();
          batch[conflictAt] = conflictAt === 1 ? reservation("ci1", { memory: 16385 }) : put("task", task("web", "t0"));
          await expect(store.commit(batch)).rejects.toBeInstanceOf(ConflictError);
          expect(await store.getTask("web", "t1")).toBeUndefined();
          expect(await store.getTask("web", "t2")).toBeUndefined();
          const after = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
          expect(after.version).toBe(instance.version);
          expect(after.resourcesVersion).toBe(instance.resourcesVersion);
          expect(after.instance.remainingResources).toEqual(instance.instance.remainingResources);
        }
        // And the batch without a conflict goes through.
        await store.commit(placement());
        expect(await store.getTask("web", "t1")).toBeDefined();
        expect(left(await store.getContainerInstance("web", "ci1"))).toEqual({
          cpu: 3072,
          memory: 15360,
          ports: new Set([22, 8080]),
          udpPorts: new Set(),
        });
      });

      it("accepts an empty batch", async () => {
        await store.commit([]);
      });
    });

    describe("lookups by an empty id", () => {
      it("find nothing, as for any id no record has", async () => {
        await store.commit([put("cluster", cluster("web"))]);
        expect(await store.getContainerInstance("web", "")).toBeUndefined();
        expect(await store.getTask("web", "")).toBeUndefined();
        expect(await store.getService("web", "")).toBeUndefined();
        expect(await store.getHeartbeat("web", "")).toBeUndefined();
        expect(await store.getAccessKey("")).toBeUndefined();
      });
    });

    describe("remaining resources of container instances", () => {
      it("refuses a resource write in the commit that creates its instance, and writes nothing", async () => {
        await expect(
          store.commit([put("containerInstance", containerInstance("web", "ci1")), reservation("ci1", { cpu: 512 })]),
        ).rejects.toThrow(/creates a container instance/);
        expect(await store.getContainerInstance("web", "ci1")).toBeUndefined();
      });

      it("starts from the creating record's remainingResources, and reads back what deltas made of them", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const created = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        expect(created.instance.remainingResources).toEqual(
          containerInstance("web", "ci1").instance.remainingResources,
        );
        await store.commit([reservation("ci1", { cpu: 512, memory: 1024, ports: [80, 443], udpPorts: [53] })]);
        await store.commit([release("ci1", { cpu: 256, memory: 512, ports: [443] })]);
        const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        expect(left(read)).toEqual({ cpu: 3840, memory: 15872, ports: new Set([22, 80]), udpPorts: new Set([53]) });
        // The record's version is the rest's; the resources count their own.
        expect(read.version).toBe(created.version);
        expect(read.resourcesVersion).toBeGreaterThan(created.resourcesVersion as number);
        // Every read path shows the same.
        expect(left((await store.listContainerInstances("web"))[0])).toEqual(left(read));
      });

      it("keeps a delta committed after a record was read when that record is put back", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        await store.commit([reservation("ci1", { cpu: 1024, memory: 4096, ports: [8080] })]);
        // A drain written from the read before the reservation, with its stale remainingResources.
        await store.commit([put("containerInstance", { ...read, instance: { ...read.instance, status: "DRAINING" } })]);
        const after = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        expect(after.instance.status).toBe("DRAINING");
        expect(left(after)).toEqual({ cpu: 3072, memory: 12288, ports: new Set([22, 8080]), udpPorts: new Set() });
      });

      it("reserves only on a live ACTIVE instance with room and the ports free; releases wherever it exists", async () => {
        await store.commit([
          put("containerInstance", containerInstance("web", "ci1")),
          put("containerInstance", containerInstance("web", "drained", { status: "DRAINING" })),
          put("containerInstance", { ...containerInstance("web", "gone"), expiresAt: Date.now() - 1000 }),
        ]);
        for (const refused of [
          reservation("ci1", { cpu: 4097 }),
          reservation("ci1", { memory: 16385 }),
          reservation("ci1", { ports: [22] }),
          reservation("drained", { memory: 1 }),
          reservation("gone", { memory: 1 }),
          reservation("nowhere", { memory: 1 }),
          release("gone", { memory: 1 }),
          release("nowhere", { memory: 1 }),
        ]) {
          await expect(store.commit([refused]), JSON.stringify(refused)).rejects.toBeInstanceOf(ConflictError);
        }
        // No item was made by a delta on an instance that is not there.
        expect(await store.getContainerInstance("web", "nowhere")).toBeUndefined();
        expect(left(await store.getContainerInstance("web", "ci1"))).toMatchObject({ cpu: 4096, memory: 16384 });
        await store.commit([reservation("ci1", { cpu: 4096, memory: 16384, ports: [8080] })]);
        await store.commit([release("drained", { memory: 100 })]);
        expect(left(await store.getContainerInstance("web", "drained"))).toMatchObject({ memory: 16484 });
        expect(left(await store.getContainerInstance("web", "ci1"))).toMatchObject({ cpu: 0, memory: 0 });
      });

      it("takes a record write and a resource write of one instance in one commit (re-registration)", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        await store.commit([reservation("ci1", { cpu: 1024, memory: 1024, ports: [8080] })]);
        const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        await store.commit([
          put("containerInstance", {
            ...read,
            instance: { ...read.instance, registeredResources: resources(8192, 16384) },
          }),
          { ...release("ci1", { cpu: 4096 }), take: { ports: [2375], udpPorts: [] } },
          put("task", task("web", "t1")),
        ]);
        const after = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        expect(after.instance.registeredResources).toEqual(resources(8192, 16384));
        expect(left(after)).toEqual({
          cpu: 7168,
          memory: 15360,
          ports: new Set([22, 2375, 8080]),
          udpPorts: new Set(),
        });
        expect(after.version).toBeGreaterThan(read.version);
      });

      it("gives a re-created instance the new record's resources, not those of the expired one", async () => {
        await store.commit([
          put("containerInstance", { ...containerInstance("web", "ci1"), expiresAt: Date.now() - 1 }),
        ]);
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        expect(left(await store.getContainerInstance("web", "ci1"))).toMatchObject({ cpu: 4096, memory: 16384 });
      });
    });

    describe("tasks per group on container instances", () => {
      const groups = async (id = "ci1") => (await store.getContainerInstance("web", id))?.residentGroups;

      it("drops a group its last task leaves, and refuses that release once another task joined", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        await store.commit([reservation("ci1", { memory: 256, groups: { "family:app": 1 } })]);
        // Read with one task of family:app; a launch of the group lands before the release does.
        const emptying = { ...release("ci1", { memory: 256, groups: { "family:app": -1 } }), emptied: ["family:app"] };
        await store.commit([reservation("ci1", { memory: 256, groups: { "family:app": 1 } })]);
        await expect(store.commit([emptying])).rejects.toBeInstanceOf(ConflictError);
        expect(await groups()).toEqual({ "family:app": 2 });
        await store.commit([release("ci1", { memory: 256, groups: { "family:app": -1 } })]);
        await store.commit([emptying]);
        expect(await groups()).toEqual({});
        expect(left(await store.getContainerInstance("web", "ci1"))).toMatchObject({ memory: 16384 });
      });

      it("counts a launch's tasks in its group and a release's back out, on every read path", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        expect(await groups()).toEqual({});
        await store.commit([reservation("ci1", { memory: 512, groups: { "service:web": 2 } })]);
        await store.commit([reservation("ci1", { memory: 256, groups: { "family:app": 1 } })]);
        expect(await groups()).toEqual({ "service:web": 2, "family:app": 1 });
        await store.commit([release("ci1", { memory: 256, groups: { "service:web": -1 } })]);
        await store.commit([release("ci1", { memory: 256, groups: { "family:app": -1 } })]);
        // A group whose tasks are all gone is left out.
        expect(await groups()).toEqual({ "service:web": 1 });
        expect((await store.listContainerInstances("web"))[0].residentGroups).toEqual({ "service:web": 1 });
        // A re-registration's write changes no count.
        await store.commit([release("ci1", { cpu: 1024 })]);
        expect(await groups()).toEqual({ "service:web": 1 });
      });

      it("counts exactly the tasks of many concurrent launches of one group on one instance", async () => {
        // 40 launches of 512 MiB on 16 GiB: 32 fit, and the count is the tasks that committed.
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const placed = await Promise.all(
          Array.from({ length: 40 }, (_, n) =>
            commitPersistently([
              put("task", task("web", `p${n}`, { group: "service:web", containerInstanceId: "ci1" })),
              reservation("ci1", { memory: 512, groups: { "service:web": 1 } }),
            ]),
          ),
        );
        expect(placed.filter(Boolean)).toHaveLength(32);
        expect(await groups()).toEqual({ "service:web": 32 });
        // And releasing them concurrently takes every one back out.
        await Promise.all(
          Array.from({ length: 32 }, () =>
            commitPersistently([release("ci1", { memory: 512, groups: { "service:web": -1 } })]),
          ),
        );
        expect(await groups()).toEqual({});
        expect(left(await store.getContainerInstance("web", "ci1")).memory).toBe(16384);
      });

      it("keeps the counts through a versioned put of the instance read before them", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        await store.commit([reservation("ci1", { memory: 256, groups: { "service:web": 1 } })]);
        const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        await store.commit([reservation("ci1", { memory: 256, groups: { "service:web": 2 } })]);
        await store.commit([
          put("containerInstance", {
            ...read,
            instance: { ...read.instance, attributes: [{ name: "stack", value: "prod" }] },
          }),
        ]);
        const after = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        expect(after.instance.attributes).toEqual([{ name: "stack", value: "prod" }]);
        expect(after.residentGroups).toEqual({ "service:web": 3 });
      });

      it("never takes a count below zero: such a release changes nothing", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        await store.commit([reservation("ci1", { memory: 256, groups: { "service:web": 1 } })]);
        for (const refused of [
          release("ci1", { memory: 256, groups: { "service:api": -1 } }),
          release("ci1", { memory: 256, groups: { "service:web": -2 } }),
        ]) {
          await expect(
            store.commit([refused, put("task", task("web", "t1"))]),
            JSON.stringify(refused),
          ).rejects.toBeInstanceOf(ConflictError);
        }
        expect(await store.getTask("web", "t1")).toBeUndefined();
        expect(await groups()).toEqual({ "service:web": 1 });
        expect(left(await store.getContainerInstance("web", "ci1")).memory).toBe(16384 - 256);
        // What is counted can be taken back, after which the group is counted anew from zero.
        await store.commit([release("ci1", { memory: 256, groups: { "service:web": -1 } })]);
        await store.commit([reservation("ci1", { memory: 256, groups: { "service:web": 1 } })]);
        expect(await groups()).toEqual({ "service:web": 1 });
      });

      it("gives a re-created instance no counts of the expired one's", async () => {
        await store.commit([
          put("containerInstance", { ...containerInstance("web", "ci1"), expiresAt: Date.now() + 300 }),
        ]);
        await store.commit([reservation("ci1", { memory: 256, groups: { "service:web": 1 } })]);
        await new Promise((resolve) => setTimeout(resolve, 400));
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        expect(await groups()).toEqual({});
      });
    });

    describe("expiry", () => {
      it("hides a record whose expiresAt has passed, and lets a new write take its place", async () => {
        await store.commit([
          put("cluster", { ...cluster("gone"), expiresAt: Date.now() - 1000 }),
          put("task", { ...task("web", "t1", { lastStatus: "STOPPED" }), expiresAt: Date.now() - 1000 }),
          put("containerInstance", { ...containerInstance("web", "ci1"), expiresAt: Date.now() - 1000 }),
          put("idempotency", { key: "k", request: "r", response: {}, expiresAt: Date.now() - 1000 }),
        ]);
        expect(await store.getCluster("gone")).toBeUndefined();
        expect(await store.getTask("web", "t1")).toBeUndefined();
        expect(await store.getContainerInstance("web", "ci1")).toBeUndefined();
        expect(await store.getIdempotency("k")).toBeUndefined();
        expect((await store.listClusters({ limit: 10 })).items).toEqual([]);
        expect((await store.listTasks({ cluster: "web" }, { limit: 10 })).items).toEqual([]);
        expect(await store.listContainerInstances("web")).toEqual([]);
        expect(await store.countTasks("web")).toEqual({ pending: 0, running: 0 });

        // An expired record is absent: creating it anew (expectedVersion null) works.
        await store.commit([put("cluster", cluster("gone")), put("task", task("web", "t1"))]);
        expect((await store.getCluster("gone"))?.cluster.status).toBe("ACTIVE");
        expect((await store.getTask("web", "t1"))?.task.lastStatus).toBe("PENDING");
      });

      it("hides expired task definitions from lists", async () => {
        await store.commit([
          put("taskDefinition", taskDefinition("app", 1)),
          put("taskDefinition", { ...taskDefinition("old", 1, "DELETE_IN_PROGRESS"), expiresAt: Date.now() - 1000 }),
        ]);
        expect(await store.getTaskDefinition("old", 1)).toBeUndefined();
        const list = await store.listTaskDefinitions({}, { limit: 10 });
        expect(list.items.map(tdKey)).toEqual(["app:1"]);
        const families = await store.listTaskDefinitionFamilies({ status: "ALL" }, { limit: 10 });
        expect(families.items).toEqual(["app"]);
      });

      it("keeps an expired task definition as its family's high mark", async () => {
        await store.commit([
          put("taskDefinition", taskDefinition("app", 1)),
          put("taskDefinition", { ...taskDefinition("app", 2, "DELETE_IN_PROGRESS"), expiresAt: Date.now() - 1000 }),
        ]);
        expect(await store.getTaskDefinition("app", 2)).toBeUndefined();
        expect((await store.lastTaskDefinition("app"))?.revision).toBe(2);
      });
    });

    describe("clusters", () => {
      it("lists clusters by name across pages, none lost or repeated", async () => {
        const names = Array.from({ length: 23 }, (_, i) => `c${String(i).padStart(2, "0")}`);
        await store.commit(shuffled(names).map((n) => put("cluster", cluster(n))));
        for (const limit of [1, 5, 10, 23, 100]) {
          const all = await allPages((page) => store.listClusters(page), limit);
          expect(all.map((c) => c.name)).toEqual(names);
        }
      });
    });

    describe("task definitions", () => {
      const families = ["api", "app", "app-worker", "web"];
      beforeEach(async () => {
        // 4 families × 3 revisions; app:2 is INACTIVE (so app is still an ACTIVE family).
        await store.commit(
          families.flatMap((f) =>
            [1, 2, 3].map((r) =>
              put("taskDefinition", taskDefinition(f, r, f === "app" && r === 2 ? "INACTIVE" : "ACTIVE")),
            ),
          ),
        );
      });
      const ascending = families.flatMap((f) => [1, 2, 3].map((r) => `${f}:${r}`));

      it("lists task definitions ASC by family then revision across pages", async () => {
        for (const limit of [1, 2, 5, 12, 100]) {
          const all = await allPages((page) => store.listTaskDefinitions({ sort: "ASC" }, page), limit);
          expect(all.map(tdKey)).toEqual(ascending);
        }
        const byDefault = await allPages((page) => store.listTaskDefinitions({}, page), 5);
        expect(byDefault.map(tdKey)).toEqual(ascending);
      });

      it("lists task definitions DESC across pages", async () => {
        for (const limit of [1, 2, 5, 12, 100]) {
          const all = await allPages((page) => store.listTaskDefinitions({ sort: "DESC" }, page), limit);
          expect(all.map(tdKey)).toEqual([...ascending].reverse());
        }
      });

      it("filters task definitions by exact family and by status", async () => {
        const app = await allPages((page) => store.listTaskDefinitions({ family: "app" }, page), 2);
        expect(app.map(tdKey)).toEqual(["app:1", "app:2", "app:3"]);
        const appDesc = await allPages((page) => store.listTaskDefinitions({ family: "app", sort: "DESC" }, page), 1);
        expect(appDesc.map(tdKey)).toEqual(["app:3", "app:2", "app:1"]);
        const inactive = await allPages((page) => store.listTaskDefinitions({ status: "INACTIVE" }, page), 1);
        expect(inactive.map(tdKey)).toEqual(["app:2"]);
        const activeApp = await allPages(
          (page) => store.listTaskDefinitions({ family: "app", status: "ACTIVE" }, page),
          1,
        );
        expect(activeApp.map(tdKey)).toEqual(["app:1", "app:3"]);
        expect((await store.listTaskDefinitions({ family: "ap" }, { limit: 10 })).items).toEqual([]);
      });

      it("lists families once each, by prefix and status, across pages", async () => {
        for (const limit of [1, 3, 100]) {
          expect(await allPages((page) => store.listTaskDefinitionFamilies({}, page), limit)).toEqual(families);
          expect(await allPages((page) => store.listTaskDefinitionFamilies({ status: "ALL" }, page), limit)).toEqual(
            families,
          );
        }
        expect(await allPages((page) => store.listTaskDefinitionFamilies({ familyPrefix: "app" }, page), 1)).toEqual([
          "app",
          "app-worker",
        ]);
        expect(await allPages((page) => store.listTaskDefinitionFamilies({ familyPrefix: "x" }, page), 1)).toEqual([]);
        expect(await allPages((page) => store.listTaskDefinitionFamilies({ status: "ACTIVE" }, page), 2)).toEqual(
          families,
        );
        // As on ECS, an INACTIVE family is one without any ACTIVE revision: app still has two.
        expect(await allPages((page) => store.listTaskDefinitionFamilies({ status: "INACTIVE" }, page), 1)).toEqual([]);
        await store.commit([
          put("taskDefinition", taskDefinition("legacy", 1, "INACTIVE")),
          put("taskDefinition", taskDefinition("legacy", 2, "INACTIVE")),
          put("taskDefinition", taskDefinition("zz-old", 1, "INACTIVE")),
        ]);
        for (const limit of [1, 100]) {
          expect(
            await allPages((page) => store.listTaskDefinitionFamilies({ status: "INACTIVE" }, page), limit),
          ).toEqual(["legacy", "zz-old"]);
          expect(await allPages((page) => store.listTaskDefinitionFamilies({ status: "ACTIVE" }, page), limit)).toEqual(
            families,
          );
          expect(await allPages((page) => store.listTaskDefinitionFamilies({}, page), limit)).toEqual([
            ...families.slice(0, 3),
            "legacy",
            "web",
            "zz-old",
          ]);
        }
      });

      it("finds a family's last revision, whatever or with a given status", async () => {
        await store.commit([put("taskDefinition", taskDefinition("web", 4, "INACTIVE"))]);
        expect(tdKey((await store.lastTaskDefinition("web")) as TaskDefinitionRecord)).toBe("web:4");
        expect(tdKey((await store.lastTaskDefinition("web", "ACTIVE")) as TaskDefinitionRecord)).toBe("web:3");
        expect(tdKey((await store.lastTaskDefinition("web", "INACTIVE")) as TaskDefinitionRecord)).toBe("web:4");
        expect(tdKey((await store.lastTaskDefinition("app", "INACTIVE")) as TaskDefinitionRecord)).toBe("app:2");
        expect(await store.lastTaskDefinition("api", "INACTIVE")).toBeUndefined();
        expect(await store.lastTaskDefinition("nope")).toBeUndefined();
        // Revisions compare as numbers, not as text.
        await store.commit([put("taskDefinition", taskDefinition("api", 10))]);
        expect(tdKey((await store.lastTaskDefinition("api")) as TaskDefinitionRecord)).toBe("api:10");
      });
    });

    describe("container instances", () => {
      it("lists a cluster's instances, optionally by status", async () => {
        await store.commit([
          put("containerInstance", containerInstance("web", "a")),
          put("containerInstance", containerInstance("web", "b", { status: "DRAINING" })),
          put("containerInstance", containerInstance("web", "c", { status: "INACTIVE" })),
          put("containerInstance", containerInstance("other", "d")),
        ]);
        expect((await store.listContainerInstances("web")).map((r) => r.id).sort()).toEqual(["a", "b", "c"]);
        expect((await store.listContainerInstances("web", "ACTIVE")).map((r) => r.id)).toEqual(["a"]);
        expect((await store.listContainerInstances("web", "DRAINING")).map((r) => r.id)).toEqual(["b"]);
        expect(await store.listContainerInstances("empty")).toEqual([]);
      });

      it("lists what was committed since the last list: a new instance, a reservation, a new status", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "b"))]);
        const [b] = await store.listContainerInstances("web");
        await store.commit([
          put("containerInstance", containerInstance("web", "a")),
          put("containerInstance", { ...b, instance: { ...b.instance, status: "DRAINING" } }),
        ]);
        await store.commit([
          {
            kind: "resources",
            cluster: "web",
            id: "a",
            cpu: -256,
            memory: -512,
            take: { ports: [80], udpPorts: [] },
            free: { ports: [], udpPorts: [] },
            groups: { g: 1 },
            reserve: true,
          },
        ]);
        const listed = await store.listContainerInstances("web");
        expect(listed.map((r) => [r.id, r.instance.status, r.residentGroups])).toEqual([
          ["a", "ACTIVE", { g: 1 }],
          ["b", "DRAINING", {}],
        ]);
        expect(readResources(listed[0].instance.remainingResources).ports.has(80)).toBe(true);
        expect((await store.listContainerInstances("web", "DRAINING")).map((r) => r.id)).toEqual(["b"]);
      });

      it("finds an instance by EC2 instance id in its cluster, preferring a live registration", async () => {
        await store.commit([
          put("containerInstance", containerInstance("web", "old", { ec2InstanceId: "i-1", status: "INACTIVE" })),
          put("containerInstance", containerInstance("web", "new", { ec2InstanceId: "i-1" })),
          put("containerInstance", containerInstance("web", "other", { ec2InstanceId: "i-2", status: "DRAINING" })),
          put("containerInstance", containerInstance("web", "bare")),
          put("containerInstance", containerInstance("batch", "there", { ec2InstanceId: "i-3" })),
        ]);
        expect((await store.findContainerInstanceByEc2Id("web", "i-1"))?.id).toBe("new");
        expect((await store.findContainerInstanceByEc2Id("web", "i-2"))?.id).toBe("other");
        expect(await store.findContainerInstanceByEc2Id("web", "i-3")).toBeUndefined();
        expect((await store.findContainerInstanceByEc2Id("batch", "i-3"))?.id).toBe("there");
        expect(await store.findContainerInstanceByEc2Id("web", "i-9")).toBeUndefined();
      });

      it("still finds a deregistered instance by EC2 id when it is the only one", async () => {
        await store.commit([
          put("containerInstance", containerInstance("web", "old", { ec2InstanceId: "i-1", status: "INACTIVE" })),
        ]);
        expect((await store.findContainerInstanceByEc2Id("web", "i-1"))?.id).toBe("old");
      });
    });

    describe("several tasks at once", () => {
      it("gets those of the cluster that exist and are live, whatever else is asked, in any order", async () => {
        const ids = Array.from({ length: 120 }, (_, i) => `t${i}`);
        await store.commit(ids.slice(0, 60).map((id) => put("task", task("web", id))));
        await store.commit([
          ...ids.slice(60, 100).map((id) => put("task", task("web", id))),
          put("task", { ...task("web", "expired"), expiresAt: Date.now() - 1000 }),
          put("task", task("other", "o1")),
        ]);
        const got = await store.getTasks("web", [...ids, "expired", "o1", "nope", "t0"]);
        expect(got.map((t) => t.id).sort()).toEqual(ids.slice(0, 100).sort());
        expect(got.find((t) => t.id === "t5")).toEqual(await store.getTask("web", "t5"));
        expect(await store.getTasks("web", [])).toEqual([]);
      });
    });

    describe("tasks", () => {
      // 30 tasks in "web" with a mix of everything the filters look at, 5 in "other".
      const specs = Array.from({ length: 30 }, (_, i) => ({
        id: `t${String(i).padStart(2, "0")}`,
        family: i % 3 === 0 ? "app" : i % 3 === 1 ? "app-worker" : "web",
        lastStatus: ["PROVISIONING", "PENDING", "RUNNING", "STOPPED", "RUNNING"][i % 5],
        desiredStatus: i % 5 === 3 || i % 10 === 4 ? "STOPPED" : "RUNNING",
        startedBy: i % 4 === 0 ? "ecs-svc/123" : undefined,
        group: i % 2 === 0 ? "family:app" : "service:api",
        containerInstanceId: i % 3 === 2 ? undefined : `ci${i % 2}`,
      }));
      beforeEach(async () => {
        await store.commit([
          ...shuffled(specs).map((s) => put("task", task("web", s.id, s))),
          ...["o1", "o2", "o3", "o4", "o5"].map((id) =>
            put("task", task("other", id, { lastStatus: "RUNNING", containerInstanceId: "ci0" })),
          ),
        ]);
      });
      const ids = (pred: (s: (typeof specs)[number]) => boolean) => specs.filter(pred).map((s) => s.id);

      it("lists a cluster's tasks across pages, none lost or repeated", async () => {
        for (const limit of [1, 7, 30, 100]) {
          const all = await allPages((page) => store.listTasks({ cluster: "web" }, page), limit);
          expect(all.map((t) => t.id).sort()).toEqual(ids(() => true));
          expect(new Set(all.map((t) => t.id)).size).toBe(30);
        }
        expect((await allPages((page) => store.listTasks({ cluster: "nope" }, page), 5)).length).toBe(0);
      });

      it.each([
        [
          "desiredStatus RUNNING",
          { desiredStatus: "RUNNING" },
          (s: (typeof specs)[number]) => s.desiredStatus === "RUNNING",
        ],
        [
          "desiredStatus STOPPED",
          { desiredStatus: "STOPPED" },
          (s: (typeof specs)[number]) => s.desiredStatus === "STOPPED",
        ],
        ["family from the task definition ARN", { family: "app" }, (s: (typeof specs)[number]) => s.family === "app"],
        ["startedBy", { startedBy: "ecs-svc/123" }, (s: (typeof specs)[number]) => s.startedBy === "ecs-svc/123"],
        ["group", { group: "service:api" }, (s: (typeof specs)[number]) => s.group === "service:api"],
        [
          "containerInstanceId",
          { containerInstanceId: "ci1" },
          (s: (typeof specs)[number]) => s.containerInstanceId === "ci1",
        ],
        ["notStopped", { notStopped: true }, (s: (typeof specs)[number]) => s.lastStatus !== "STOPPED"],
        [
          "several filters at once",
          { family: "app", desiredStatus: "RUNNING", notStopped: true, containerInstanceId: "ci0" },
          (s: (typeof specs)[number]) =>
            s.family === "app" &&
            s.desiredStatus === "RUNNING" &&
            s.lastStatus !== "STOPPED" &&
            s.containerInstanceId === "ci0",
        ],
      ])("filters tasks by %s, across pages", async (_label, filter, pred) => {
        const expected = ids(pred);
        expect(expected.length).toBeGreaterThan(0);
        for (const limit of [1, 4, 100]) {
          const all = await allPages((page) => store.listTasks({ cluster: "web", ...filter }, page), limit);
          expect(all.map((t) => t.id).sort()).toEqual(expected);
        }
      });

      it("matches a family exactly, not as a prefix", async () => {
        const worker = await allPages((page) => store.listTasks({ cluster: "web", family: "app-worker" }, page), 100);
        expect(worker.map((t) => t.id).sort()).toEqual(ids((s) => s.family === "app-worker"));
        expect((await store.listTasks({ cluster: "web", family: "ap" }, { limit: 100 })).items).toEqual([]);
      });

      it("counts pending (PROVISIONING, PENDING) and running tasks of a cluster", async () => {
        expect(await store.countTasks("web")).toEqual({
          pending: specs.filter((s) => s.lastStatus === "PENDING" || s.lastStatus === "PROVISIONING").length,
          running: specs.filter((s) => s.lastStatus === "RUNNING").length,
        });
        expect(await store.countTasks("other")).toEqual({ pending: 0, running: 5 });
        expect(await store.countTasks("nope")).toEqual({ pending: 0, running: 0 });
      });

      it("sees a task's new status in filters and counts after an update", async () => {
        const read = (await store.getTask("web", "t02")) as TaskRecord;
        expect(read.task.lastStatus).toBe("RUNNING");
        const before = await store.countTasks("web");
        await store.commit([
          put("task", { ...read, task: { ...read.task, lastStatus: "STOPPED", desiredStatus: "STOPPED" } }),
        ]);
        expect(await store.countTasks("web")).toEqual({ ...before, running: before.running - 1 });
        const live = await allPages((page) => store.listTasks({ cluster: "web", notStopped: true }, page), 100);
        expect(live.map((t) => t.id)).not.toContain("t02");
      });
    });

    describe("resident task counts", () => {
      it("counts live placed tasks per instance, group and lastStatus, for all groups or one", async () => {
        await store.commit([
          put("task", task("web", "a1", { group: "g", lastStatus: "RUNNING", containerInstanceId: "ci1" })),
          put("task", task("web", "a2", { group: "g", lastStatus: "RUNNING", containerInstanceId: "ci1" })),
          put("task", task("web", "a3", { group: "g", lastStatus: "PENDING", containerInstanceId: "ci2" })),
          put("task", task("web", "b1", { group: "g#2", lastStatus: "RUNNING", containerInstanceId: "ci1" })),
          put("task", task("web", "s1", { group: "g", lastStatus: "STOPPED", containerInstanceId: "ci1" })),
          put("task", task("web", "u1", { group: "g", lastStatus: "PROVISIONING" })),
          put("task", task("other", "o1", { group: "g", lastStatus: "RUNNING", containerInstanceId: "ci1" })),
        ]);
        const sorted = (counts: Awaited<ReturnType<Store["countResidentTasks"]>>) =>
          counts.map((c) => `${c.containerInstanceId} ${c.group} ${c.lastStatus} ${c.count}`).sort();
        expect(sorted(await store.countResidentTasks("web"))).toEqual([
          "ci1 g RUNNING 2",
          "ci1 g#2 RUNNING 1",
          "ci2 g PENDING 1",
        ]);
        // A group is matched whole: "g" is not a prefix of "g#2".
        expect(sorted(await store.countResidentTasks("web", "g"))).toEqual(["ci1 g RUNNING 2", "ci2 g PENDING 1"]);
        expect(sorted(await store.countResidentTasks("web", "g#2"))).toEqual(["ci1 g#2 RUNNING 1"]);
        expect(await store.countResidentTasks("web", "none")).toEqual([]);
        expect(await store.countResidentTasks("nope")).toEqual([]);
      });
    });

    // What only a real engine with concurrent requests and paged reads can get wrong.
    describe("races and long lists", () => {
      it("lets exactly one of many concurrent writers of one record win, and one of many creators", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        const writers = Array.from({ length: 12 }, (_, i) => i);
        const updates = await Promise.allSettled(
          writers.map((i) =>
            store.commit([
              put("containerInstance", {
                ...read,
                instance: { ...read.instance, versionInfo: { agentVersion: `${i}` } },
              }),
            ]),
          ),
        );
        expect(updates.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of updates) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
        const creates = await Promise.allSettled(writers.map(() => store.commit([put("cluster", cluster("new"))])));
        expect(creates.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      });

      it("commits every one of many concurrent placements on one instance that fits, and no more", async () => {
        // 16 GiB of memory, 40 placers of 512 MiB each: 32 fit, whatever the interleaving. Each
        // commits the same reservation again on a conflict, never re-reading: reservations commute.
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const place = async (n: number) =>
          commitPersistently([
            put("task", task("web", `p${n}`, { containerInstanceId: "ci1" })),
            reservation("ci1", { cpu: 64, memory: 512 }),
          ]);
        const placed = await Promise.all(Array.from({ length: 40 }, (_, n) => place(n)));
        expect(placed.filter(Boolean)).toHaveLength(32);
        expect(left(await store.getContainerInstance("web", "ci1"))).toMatchObject({ cpu: 4096 - 32 * 64, memory: 0 });
        const tasks = await allPages(
          (page) => store.listTasks({ cluster: "web", containerInstanceId: "ci1" }, page),
          100,
        );
        expect(tasks.map((t) => t.id).sort()).toEqual(placed.flatMap((ok, n) => (ok ? [`p${n}`] : [])).sort());
      });

      it("gives a host port to exactly one of many concurrent placements", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const placed = await Promise.all(
          Array.from({ length: 12 }, (_, n) =>
            commitPersistently([
              put("task", task("web", `p${n}`)),
              reservation("ci1", { memory: 100, ports: [8080], udpPorts: [5000 + n] }),
            ]),
          ),
        );
        expect(placed.filter(Boolean)).toHaveLength(1);
        const after = left(await store.getContainerInstance("web", "ci1"));
        expect(after).toMatchObject({ memory: 16284, ports: new Set([22, 8080]) });
        expect(after.udpPorts.size).toBe(1);
      });

      it("loses no reservation to concurrent attribute and status writes of the instance", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        // Writers of the record: read, change, put on the version read, re-read on a conflict.
        const rewrite = async (change: (r: ContainerInstanceRecord) => ContainerInstanceRecord) => {
          for (;;) {
            const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
            try {
              return await store.commit([put("containerInstance", change(read))]);
            } catch (error) {
              if (!(error instanceof ConflictError)) throw error;
            }
          }
        };
        const attribute = (n: number) => (r: ContainerInstanceRecord) => ({
          ...r,
          instance: { ...r.instance, attributes: [...(r.instance.attributes ?? []), { name: `a${n}`, value: "x" }] },
        });
        const placed = await Promise.all([
          ...Array.from({ length: 24 }, (_, n) =>
            commitPersistently([put("task", task("web", `p${n}`)), reservation("ci1", { memory: 256 })]),
          ),
          ...Array.from({ length: 6 }, (_, n) => rewrite(attribute(n)).then(() => undefined)),
        ]);
        const committed = placed.filter((ok) => ok === true).length;
        expect(committed).toBe(24);
        let after = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        expect(left(after).memory).toBe(16384 - 24 * 256);
        expect(after.instance.attributes?.map((a) => a.name).sort()).toEqual(
          ["a0", "a1", "a2", "a3", "a4", "a5", "ecs.availability-zone"].sort(),
        );

        // A drain racing more placements: those that land before it commit, none after it.
        const more = Promise.all(
          Array.from({ length: 24 }, (_, n) =>
            commitPersistently([put("task", task("web", `q${n}`)), reservation("ci1", { memory: 256 })]),
          ),
        );
        await rewrite((r) => ({ ...r, instance: { ...r.instance, status: "DRAINING" } }));
        const landed = (await more).filter(Boolean).length;
        after = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        expect(after.instance.status).toBe("DRAINING");
        expect(left(after).memory).toBe(16384 - (24 + landed) * 256);
        const tasks = await allPages((page) => store.listTasks({ cluster: "web" }, page), 100);
        expect(tasks).toHaveLength(24 + landed);
        await expect(store.commit([reservation("ci1", { memory: 1 })])).rejects.toBeInstanceOf(ConflictError);
      });

      it("gives concurrent registrations of one family distinct revisions", async () => {
        const register = async () => {
          for (;;) {
            const revision = ((await store.lastTaskDefinition("app"))?.revision ?? 0) + 1;
            try {
              await store.commit([put("taskDefinition", taskDefinition("app", revision))]);
              return revision;
            } catch (error) {
              if (!(error instanceof ConflictError)) throw error;
            }
          }
        };
        const revisions = await Promise.all(Array.from({ length: 10 }, register));
        expect([...revisions].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        const listed = await allPages((page) => store.listTaskDefinitions({ family: "app" }, page), 3);
        expect(listed.map(tdKey)).toEqual(revisions.map((_, i) => `app:${i + 1}`));
      });

      it("pages through many records where filters match few, none lost or repeated", async () => {
        // 330 tasks (in commits of at most 100 writes), one in 30 started by "rare".
        const ids = Array.from({ length: 330 }, (_, i) => `t${String(i).padStart(3, "0")}`);
        const rare = ids.filter((_, i) => i % 30 === 7);
        for (let i = 0; i < ids.length; i += 100) {
          await store.commit(
            ids
              .slice(i, i + 100)
              .map((id) =>
                put(
                  "task",
                  task("web", id, { startedBy: rare.includes(id) ? "rare" : "often", lastStatus: "RUNNING" }),
                ),
              ),
          );
        }
        for (const limit of [1, 4, 100]) {
          const found = await allPages((page) => store.listTasks({ cluster: "web", startedBy: "rare" }, page), limit);
          expect(found.map((t) => t.id)).toEqual(rare);
          const all = await allPages(
            (page) => store.listTasks({ cluster: "web", desiredStatus: "RUNNING" }, page),
            limit * 50,
          );
          expect(all.map((t) => t.id)).toEqual(ids);
        }
        expect(await store.countTasks("web")).toEqual({ pending: 0, running: 330 });
      });
    });

    describe("services", () => {
      it("keeps a service per cluster, with its deployments' Dates", async () => {
        const s = service("web", "api");
        await store.commit([put("service", s)]);
        const read = await store.getService("web", "api");
        expect(read).toMatchObject(s);
        expect(read?.service.deployments?.[0].createdAt).toEqual(s.service.deployments?.[0].createdAt);
        expect(await store.getService("other", "api")).toBeUndefined();
        expect(await store.getService("web", "nope")).toBeUndefined();
      });

      it("lists a cluster's services by name across pages, optionally only live ones", async () => {
        const names = Array.from({ length: 12 }, (_, i) => `svc${String(i).padStart(2, "0")}`);
        const inactive = new Set(names.filter((_, i) => i % 4 === 1));
        await store.commit([
          ...shuffled(names).map((n) => put("service", service("web", n, inactive.has(n) ? "INACTIVE" : "ACTIVE"))),
          put("service", service("other", "svc99")),
        ]);
        const all = await allPages((page) => store.listServices({ cluster: "web" }, page), 5);
        expect(all.map((r) => r.name)).toEqual(names);
        const live = await allPages((page) => store.listServices({ cluster: "web", live: true }, page), 2);
        expect(live.map((r) => r.name)).toEqual(names.filter((n) => !inactive.has(n)));
      });

      it("counts a cluster's ACTIVE and DRAINING services", async () => {
        await store.commit([
          put("service", service("web", "a")),
          put("service", service("web", "b")),
          put("service", service("web", "c", "DRAINING")),
          put("service", service("web", "d", "INACTIVE")),
          put("service", service("other", "e")),
        ]);
        expect(await store.countServices("web")).toEqual({ active: 2, draining: 1 });
        expect(await store.countServices("nope")).toEqual({ active: 0, draining: 0 });
      });

      it("lists every live service of every cluster, and drops one that becomes INACTIVE", async () => {
        await store.commit([
          put("service", service("web", "a")),
          put("service", service("web", "b", "DRAINING")),
          put("service", service("api", "c")),
          put("service", service("api", "d", "INACTIVE")),
        ]);
        const names = async () => (await store.listLiveServices()).map((r) => `${r.cluster}/${r.name}`).sort();
        expect(await names()).toEqual(["api/c", "web/a", "web/b"]);
        const read = (await store.getService("web", "b")) as ServiceRecord;
        await store.commit([put("service", { ...read, service: { ...read.service, status: "INACTIVE" } })]);
        expect(await names()).toEqual(["api/c", "web/a"]);
      });

      it("refuses a stale write of a service", async () => {
        await store.commit([put("service", service("web", "a"))]);
        const read = (await store.getService("web", "a")) as ServiceRecord;
        await store.commit([put("service", { ...read, service: { ...read.service, desiredCount: 5 } })]);
        await expect(
          store.commit([put("service", { ...read, service: { ...read.service, desiredCount: 7 } })]),
        ).rejects.toBeInstanceOf(ConflictError);
        expect((await store.getService("web", "a"))?.service.desiredCount).toBe(5);
      });
    });

    describe("heartbeats", () => {
      const beat = (clusterName: string, id: string, at: number, over: Partial<HeartbeatRecord> = {}) => ({
        cluster: clusterName,
        id,
        at,
        ...over,
      });
      const utilization = {
        cpuPercent: 12.5,
        memoryUsedMiB: 2048,
        memoryTotalMiB: 16384,
        tasks: [{ taskArn: `${ARN}:task/web/t1`, cpuPercent: 3.25, memoryMiB: 100 }],
      };

      it("keeps the latest heartbeat per instance, with its utilization, replacing the previous one", async () => {
        expect(await store.putHeartbeat(beat("web", "ci1", 1_000))).toBeUndefined();
        expect(await store.getHeartbeat("web", "ci1")).toEqual(beat("web", "ci1", 1_000));
        // Each beat gives back the one it replaced.
        expect(await store.putHeartbeat(beat("web", "ci1", 2_000, { utilization }))).toEqual(beat("web", "ci1", 1_000));
        expect(await store.getHeartbeat("web", "ci1")).toEqual(beat("web", "ci1", 2_000, { utilization }));
        // A later beat without utilization does not keep the old figures.
        await store.putHeartbeat(beat("web", "ci1", 3_000));
        expect(await store.getHeartbeat("web", "ci1")).toEqual(beat("web", "ci1", 3_000));
        expect(await store.getHeartbeat("other", "ci1")).toBeUndefined();
        expect(await store.getHeartbeat("web", "ci2")).toBeUndefined();
      });

      it("lists a cluster's heartbeats", async () => {
        await store.putHeartbeat(beat("web", "ci1", 1_000));
        await store.putHeartbeat(beat("web", "ci2", 2_000, { utilization }));
        await store.putHeartbeat(beat("other", "ci3", 3_000));
        const listed = await store.listHeartbeats("web");
        expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          beat("web", "ci1", 1_000),
          beat("web", "ci2", 2_000, { utilization }),
        ]);
        expect(await store.listHeartbeats("nope")).toEqual([]);
      });

      it("lists the beats written since the last list: a new instance's and a newer one's", async () => {
        await store.putHeartbeat(beat("web", "ci1", 1_000, { utilization }));
        expect((await store.listHeartbeats("web")).map((h) => h.id)).toEqual(["ci1"]);
        await store.putHeartbeat(beat("web", "ci2", 2_000));
        await store.putHeartbeat(beat("web", "ci1", 3_000));
        const listed = await store.listHeartbeats("web");
        expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          beat("web", "ci1", 3_000),
          beat("web", "ci2", 2_000),
        ]);
      });

      it("hides an expired heartbeat", async () => {
        await store.putHeartbeat(beat("web", "ci1", 1_000, { expiresAt: Date.now() - 1 }));
        await store.putHeartbeat(beat("web", "ci2", 1_000, { expiresAt: Date.now() + 3_600_000 }));
        expect(await store.getHeartbeat("web", "ci1")).toBeUndefined();
        expect((await store.listHeartbeats("web")).map((h) => h.id)).toEqual(["ci2"]);
      });

      it("never conflicts with commits of the instance, nor moves its version", async () => {
        await store.commit([put("containerInstance", containerInstance("web", "ci1"))]);
        const read = (await store.getContainerInstance("web", "ci1")) as ContainerInstanceRecord;
        await store.putHeartbeat(beat("web", "ci1", 1_000));
        expect((await store.getContainerInstance("web", "ci1"))?.version).toBe(read.version);
        await store.commit([put("containerInstance", { ...read, instance: { ...read.instance, status: "DRAINING" } })]);
        await store.putHeartbeat(beat("web", "ci1", 2_000));
        expect((await store.getHeartbeat("web", "ci1"))?.at).toBe(2_000);
      });
    });

    describe("stored events", () => {
      const later = Date.now() + 3_600_000;
      const event = (clusterName: string, id: string, detailType = "ECS Task State Change", over = {}) => ({
        cluster: clusterName,
        id,
        time: 1_000,
        source: "berth.ecs",
        detailType,
        resources: [`${ARN}:task/${clusterName}/${id}`],
        detail: JSON.stringify({ n: id }),
        expiresAt: later,
        ...over,
      });

      const ids = (events: { id: string }[]) => events.map((e) => e.id);
      /** Every page of a listing, following `next` to the end. */
      const pages = async (query: Omit<EventQuery, "after">) => {
        const all: Page<StoredEventRecord>[] = [];
        let after: string | undefined;
        do {
          const page = await store.listEvents({ ...query, after });
          all.push(page);
          after = page.next;
        } while (after !== undefined && all.length < 100);
        return all;
      };
      const listed = async (query: Omit<EventQuery, "after">) => (await pages(query)).flatMap((p) => ids(p.items));

      it("lists a cluster's events newest first, by detail-type, and every cluster's", async () => {
        await store.commit([put("cluster", cluster("web")), put("cluster", cluster("api"))]);
        await store.putEvents([event("web", "e1"), event("web", "e3", "ECS Service Action"), event("api", "e2")]);
        await store.putEvents([event("web", "e4")]);
        const reads = 100;
        expect(await store.listEvents({ cluster: "web", limit: 10, reads })).toEqual({
          items: [event("web", "e4"), event("web", "e3", "ECS Service Action"), event("web", "e1")],
        });
        const first = await store.listEvents({ cluster: "web", limit: 1, reads });
        expect(first.items).toEqual([event("web", "e4")]);
        expect(ids((await store.listEvents({ cluster: "web", limit: 10, reads, after: first.next })).items)).toEqual([
          "e3",
          "e1",
        ]);
        expect(
          ids(
            (await store.listEvents({ cluster: "web", detailType: "ECS Task State Change", limit: 10, reads })).items,
          ),
        ).toEqual(["e4", "e1"]);
        expect(ids((await store.listEvents({ detailType: "ECS Task State Change", limit: 2, reads })).items)).toEqual([
          "e4",
          "e2",
        ]);
        expect(await store.listEvents({ limit: 10, reads })).toEqual({
          items: [event("web", "e4"), event("web", "e3", "ECS Service Action"), event("api", "e2"), event("web", "e1")],
        });
        expect(await listed({ limit: 1, reads })).toEqual(["e4", "e3", "e2", "e1"]);
        expect(await store.listEvents({ cluster: "nope", limit: 10, reads })).toEqual({ items: [] });
      });

      it("reads a bounded number of events a call, and resumes where it stopped, also when nothing matched yet", async () => {
        // 30 task events, the oldest two of them among 3 service actions.
        const id = (i: number) => `e${String(i).padStart(3, "0")}`;
        const actions = [2, 4, 6];
        await store.putEvents(
          Array.from({ length: 33 }, (_, i) =>
            event("web", id(i), actions.includes(i) ? "ECS Service Action" : "ECS Task State Change"),
          ),
        );
        const query = { cluster: "web", detailType: "ECS Service Action", limit: 2, reads: 5 };
        const first = await store.listEvents(query);
        expect(first.items).toEqual([]);
        expect(first.next).toBeDefined();
        const all = await pages(query);
        expect(all.flatMap((p) => ids(p.items))).toEqual([id(6), id(4), id(2)]);
        expect(all.every((p) => p.items.length <= 2)).toBe(true);
        expect(all.at(-1)?.next).toBeUndefined();
        // Unfiltered, more than a page: each page full, the last one's cursor absent.
        const unfiltered = await pages({ cluster: "web", limit: 10, reads: 10 });
        expect(unfiltered.flatMap((p) => ids(p.items))).toEqual(Array.from({ length: 33 }, (_, i) => id(32 - i)));
        expect(unfiltered.slice(0, 3).map((p) => p.items.length)).toEqual([10, 10, 10]);
      });

      it("pages every cluster's events to the end, a filter matching few, events of one id in two clusters", async () => {
        await store.commit([
          put("cluster", cluster("web")),
          put("cluster", cluster("api")),
          put("cluster", cluster("db")),
        ]);
        const id = (i: number) => `e${String(i).padStart(3, "0")}`;
        const events = Array.from({ length: 40 }, (_, i) =>
          event(["web", "api", "db"][i % 3], id(i), i % 10 === 0 ? "ECS Deployment State Change" : undefined),
        );
        // The same id in two clusters: listed by cluster then, both.
        events.push(event("api", id(20)), event("db", id(21)));
        await store.putEvents(events);
        const newestFirst = [...events]
          .sort((a, b) => (a.id === b.id ? (a.cluster < b.cluster ? 1 : -1) : a.id < b.id ? 1 : -1))
          .map((e) => `${e.id}/${e.cluster}`);
        const listedWithCluster = async (query: Omit<EventQuery, "after">) =>
          (await pages(query)).flatMap((p) => p.items.map((e) => `${e.id}/${e.cluster}`));
        expect(await listedWithCluster({ limit: 7, reads: 8 })).toEqual(newestFirst);
        expect(await listedWithCluster({ limit: 3, reads: 3 })).toEqual(newestFirst);
        expect(await listed({ detailType: "ECS Deployment State Change", limit: 2, reads: 4 })).toEqual([
          id(30),
          id(20),
          id(10),
          id(0),
        ]);
      });

      it("keeps an event written twice once, and forgets expired ones", async () => {
        await store.putEvents([event("web", "e1")]);
        await store.putEvents([event("web", "e1"), event("web", "e0", undefined, { expiresAt: Date.now() - 1 })]);
        expect((await store.listEvents({ cluster: "web", limit: 10, reads: 10 })).items).toEqual([event("web", "e1")]);
      });

      it("writes more events than one batch takes", async () => {
        const many = Array.from({ length: 60 }, (_, i) => event("web", `e${String(i).padStart(2, "0")}`));
        await store.putEvents(many);
        expect((await store.listEvents({ cluster: "web", limit: 1000, reads: 1000 })).items.length).toBe(60);
      });
    });

    describe("utilization histories", () => {
      const sample = (at: number, cpuPercent = 10) => ({ at, cpuPercent, memoryUsedMiB: 512.5, memoryTotalMiB: 2048 });
      const future = () => Date.now() + 3_600_000;

      it("keeps one sample per slot, the latest written, oldest first, per instance", async () => {
        await store.putUtilizationSample("web", "ci1", 5, sample(5_000), future());
        await store.putUtilizationSample("web", "ci1", 3, sample(3_000, 30), future());
        await store.putUtilizationSample("web", "ci1", 4, sample(4_000, 40.5), future());
        // A new round of the ring overwrites the slot in place.
        await store.putUtilizationSample("web", "ci1", 3, sample(9_000, 90), future());
        await store.putUtilizationSample("web", "ci2", 3, sample(3_000), future());
        expect(await store.getUtilizationHistory("web", "ci1")).toEqual([
          sample(4_000, 40.5),
          sample(5_000),
          sample(9_000, 90),
        ]);
        expect(await store.getUtilizationHistory("web", "ci2")).toEqual([sample(3_000)]);
        expect(await store.getUtilizationHistory("other", "ci1")).toEqual([]);
        expect(await store.getUtilizationHistory("web", "")).toEqual([]);
      });

      it("forgets a history whose last sample's expiry has passed", async () => {
        await store.putUtilizationSample("web", "ci1", 1, sample(1_000), future());
        await store.putUtilizationSample("web", "ci1", 2, sample(2_000), Date.now() - 1);
        expect(await store.getUtilizationHistory("web", "ci1")).toEqual([]);
      });

      it("is apart from the heartbeats", async () => {
        await store.putUtilizationSample("web", "ci1", 1, sample(1_000), future());
        expect(await store.listHeartbeats("web")).toEqual([]);
        expect(await store.getHeartbeat("web", "ci1")).toBeUndefined();
      });
    });

    describe("access keys and audit events", () => {
      const key = (id: string): Omit<AccessKeyRecord, "version"> => ({
        accessKeyId: id,
        sealedSecret: "v1.sealed",
        policy: { kind: "scoped", actions: ["ecs:Describe*"], resources: [`${ARN}:cluster/web`] },
        createdAtMs: 1_700_000_000_000,
      });
      const keptFor = Date.now() + 3_600_000;
      const event = (atMs: number, n: string): Omit<AuditEventRecord, "version"> => ({
        id: `${String(atMs).padStart(15, "0")}-${n}`,
        atMs,
        accessKeyId: "AKIA1",
        principal: "admin",
        action: "ecs:RunTask",
        resources: [`${ARN}:cluster/web`],
        outcome: "Success",
        expiresAt: keptFor,
      });

      it("keeps keys by id, lists them in id order, and hides a key once expired (deleted)", async () => {
        await store.commit(["AKIAC", "AKIAA", "AKIAB"].map((id) => put("accessKey", key(id))));
        expect(await store.getAccessKey("AKIAA")).toMatchObject(key("AKIAA"));
        const first = await store.listAccessKeys({ limit: 2 });
        expect(first.items.map((k) => k.accessKeyId)).toEqual(["AKIAA", "AKIAB"]);
        const second = await store.listAccessKeys({ limit: 2, after: first.next });
        expect(second.items.map((k) => k.accessKeyId)).toEqual(["AKIAC"]);
        expect(second.next).toBeUndefined();
        const read = (await store.getAccessKey("AKIAB")) as AccessKeyRecord;
        await store.commit([put("accessKey", { ...read, expiresAt: Date.now() - 1 })]);
        expect(await store.getAccessKey("AKIAB")).toBeUndefined();
        expect((await store.listAccessKeys({ limit: 10 })).items.map((k) => k.accessKeyId)).toEqual(["AKIAA", "AKIAC"]);
      });

      it("keeps capacity providers by name and lists them in pages, without expired ones", async () => {
        const provider = (name: string) => ({ name, capacityProvider: { name, status: "ACTIVE" as const } });
        await store.commit([put("capacityProvider", provider("b")), put("capacityProvider", provider("a"))]);
        await store.commit([put("capacityProvider", provider("c"))]);
        await expect(store.commit([put("capacityProvider", provider("a"))])).rejects.toThrow(ConflictError);
        const first = await store.listCapacityProviders({ limit: 2 });
        expect(first.items.map((p) => p.name)).toEqual(["a", "b"]);
        const second = await store.listCapacityProviders({ limit: 2, after: first.next });
        expect(second.items.map((p) => p.name)).toEqual(["c"]);
        expect(second.next).toBeUndefined();
        const read = (await store.getCapacityProvider("b")) as CapacityProviderRecord;
        expect(read.capacityProvider).toEqual({ name: "b", status: "ACTIVE" });
        await store.commit([put("capacityProvider", { ...read, expiresAt: Date.now() - 1 })]);
        expect(await store.getCapacityProvider("b")).toBeUndefined();
        expect((await store.listCapacityProviders({ limit: 10 })).items.map((p) => p.name)).toEqual(["a", "c"]);
        // An expired provider's name can be taken again.
        await store.commit([put("capacityProvider", provider("b"))]);
        expect((await store.getCapacityProvider("b"))?.capacityProvider.status).toBe("ACTIVE");
      });

      it("keeps metric alarms by name, lists them in pages and by the service they watch, without expired ones", async () => {
        const alarm = (name: string, service: string) => ({
          name,
          cluster: "prod",
          service,
          alarm: {
            AlarmName: name,
            StateValue: "INSUFFICIENT_DATA",
            StateUpdatedTimestamp: new Date(1_700_000_000_000),
          } as unknown as MetricAlarm,
          datapoints: [{ startMs: 60_000, sum: 150, count: 2, min: 50, max: 100 }],
        });
        await store.commit([put("alarm", alarm("b-high", "web")), put("alarm", alarm("a-low", "web"))]);
        await store.commit([put("alarm", alarm("c", "api"))]);
        await expect(store.commit([put("alarm", alarm("a-low", "web"))])).rejects.toThrow(ConflictError);
        const first = await store.listAlarms({ limit: 2 });
        expect(first.items.map((a) => a.name)).toEqual(["a-low", "b-high"]);
        const second = await store.listAlarms({ limit: 2, after: first.next });
        expect(second.items.map((a) => a.name)).toEqual(["c"]);
        expect((await store.listServiceAlarms("prod", "web")).map((a) => a.name)).toEqual(["a-low", "b-high"]);
        expect(await store.listServiceAlarms("other", "web")).toEqual([]);
        const read = (await store.getAlarm("b-high")) as AlarmRecord;
        expect(read.alarm.StateUpdatedTimestamp).toEqual(new Date(1_700_000_000_000));
        expect(read.datapoints).toEqual([{ startMs: 60_000, sum: 150, count: 2, min: 50, max: 100 }]);
        // Moved to another service by an update: listed there only.
        await store.commit([put("alarm", { ...read, service: "api" })]);
        expect((await store.listServiceAlarms("prod", "api")).map((a) => a.name)).toEqual(["b-high", "c"]);
        const moved = (await store.getAlarm("b-high")) as AlarmRecord;
        await store.commit([put("alarm", { ...moved, expiresAt: Date.now() - 1 })]);
        expect(await store.getAlarm("b-high")).toBeUndefined();
        expect((await store.listServiceAlarms("prod", "api")).map((a) => a.name)).toEqual(["c"]);
        expect((await store.listAlarms({ limit: 10 })).items.map((a) => a.name)).toEqual(["a-low", "c"]);
        await store.commit([put("alarm", alarm("b-high", "web"))]);
        expect((await store.getAlarm("b-high"))?.service).toBe("web");
      });

      it("lists audit events newest first, in pages, without expired ones", async () => {
        await store.commit([
          put("auditEvent", event(1_000, "a")),
          put("auditEvent", event(3_000, "c")),
          put("auditEvent", event(2_000, "b")),
          put("auditEvent", { ...event(4_000, "d"), expiresAt: Date.now() - 1 }),
        ]);
        const first = await store.listAuditEvents({ limit: 2 });
        expect(first.items.map((e) => e.atMs)).toEqual([3_000, 2_000]);
        expect(first.items[0]).toMatchObject(event(3_000, "c"));
        const second = await store.listAuditEvents({ limit: 2, after: first.next });
        expect(second.items.map((e) => e.atMs)).toEqual([1_000]);
        expect(second.next).toBeUndefined();
      });
    });
  });
}

// --- records -------------------------------------------------------------------------------

const ARN = "arn:aws:ecs:us-east-1:000000000000";

function cluster(name: string, over: { status?: string } = {}): Omit<ClusterRecord, "version"> {
  return {
    name,
    cluster: {
      clusterArn: `${ARN}:cluster/${name}`,
      clusterName: name,
      status: over.status ?? "ACTIVE",
      settings: [{ name: "containerInsights", value: "disabled" }],
      tags: [{ key: "team", value: "a" }],
    },
  };
}

export function taskDefinition(
  family: string,
  revision: number,
  status = "ACTIVE",
): Omit<TaskDefinitionRecord, "version"> {
  return {
    family,
    revision,
    tags: [{ key: "app", value: family }],
    taskDefinition: {
      taskDefinitionArn: `${ARN}:task-definition/${family}:${revision}`,
      family,
      revision,
      status: status as TaskDefinitionStatus,
      containerDefinitions: [{ name: "main", image: "nginx:1.27", memory: 256, essential: true }],
      registeredAt: new Date(1_700_000_000_000 + revision * 1000),
    },
  };
}

/** Resources in the shape ECS answers (and registration stores): every member, all four entries. */
const resources = (cpu: number, memory: number) => resourceList({ cpu, memory, ports: [22], udpPorts: [] });

type Amounts = {
  cpu?: number;
  memory?: number;
  ports?: number[];
  udpPorts?: number[];
  /** Tasks per group added (a reservation) or taken back (a release, negative). */
  groups?: Record<string, number>;
};

/** A reservation on instance `id` of cluster web (all of it, or ConflictError). */
function reservation(id: string, a: Amounts): ResourceWrite {
  return {
    kind: "resources",
    cluster: "web",
    id,
    cpu: -(a.cpu ?? 0),
    memory: -(a.memory ?? 0),
    take: { ports: a.ports ?? [], udpPorts: a.udpPorts ?? [] },
    free: { ports: [], udpPorts: [] },
    groups: a.groups ?? {},
    reserve: true,
  };
}

/** Resources given back to instance `id` of cluster web. */
function release(id: string, a: Amounts): ResourceWrite {
  return {
    kind: "resources",
    cluster: "web",
    id,
    cpu: a.cpu ?? 0,
    memory: a.memory ?? 0,
    take: { ports: [], udpPorts: [] },
    free: { ports: a.ports ?? [], udpPorts: a.udpPorts ?? [] },
    groups: a.groups ?? {},
    reserve: false,
  };
}

/** What an instance as read has left. */
const left = (record: ContainerInstanceRecord | undefined) => readResources(record?.instance.remainingResources);

export function containerInstance(
  clusterName: string,
  id: string,
  over: { status?: string; ec2InstanceId?: string } = {},
): Omit<ContainerInstanceRecord, "version"> {
  return {
    cluster: clusterName,
    id,
    instance: compact({
      containerInstanceArn: `${ARN}:container-instance/${clusterName}/${id}`,
      ec2InstanceId: over.ec2InstanceId,
      status: over.status ?? "ACTIVE",
      agentConnected: true,
      registeredResources: resources(4096, 16384),
      remainingResources: resources(4096, 16384),
      attributes: [{ name: "ecs.availability-zone", value: "us-east-1a" }],
      registeredAt: new Date(1_700_000_000_000),
    }),
  };
}

export function task(
  clusterName: string,
  id: string,
  over: {
    family?: string;
    lastStatus?: string;
    desiredStatus?: string;
    startedBy?: string;
    group?: string;
    containerInstanceId?: string;
  } = {},
): Omit<TaskRecord, "version"> {
  const family = over.family ?? "app";
  return compact({
    cluster: clusterName,
    id,
    containerInstanceId: over.containerInstanceId,
    reservation: { cpu: 256, memory: 512, ports: [8080], udpPorts: [] },
    holdsReservation: true,
    essentialContainers: ["main"],
    acknowledged: false,
    task: compact({
      taskArn: `${ARN}:task/${clusterName}/${id}`,
      clusterArn: `${ARN}:cluster/${clusterName}`,
      taskDefinitionArn: `${ARN}:task-definition/${family}:3`,
      containerInstanceArn: over.containerInstanceId
        ? `${ARN}:container-instance/${clusterName}/${over.containerInstanceId}`
        : undefined,
      lastStatus: over.lastStatus ?? "PENDING",
      desiredStatus: over.desiredStatus ?? "RUNNING",
      startedBy: over.startedBy,
      group: over.group ?? `family:${family}`,
      launchType: "EC2",
      createdAt: new Date(1_700_000_000_000),
    }),
  });
}

function service(clusterName: string, name: string, status = "ACTIVE"): Omit<ServiceRecord, "version"> {
  return {
    cluster: clusterName,
    name,
    request: "{}",
    scheduler: { steady: false },
    service: {
      serviceArn: `${ARN}:service/${clusterName}/${name}`,
      serviceName: name,
      clusterArn: `${ARN}:cluster/${clusterName}`,
      status,
      desiredCount: 2,
      schedulingStrategy: "REPLICA",
      taskDefinition: `${ARN}:task-definition/app:3`,
      deployments: [
        {
          id: "ecs-svc/1234567890123456789",
          status: "PRIMARY",
          taskDefinition: `${ARN}:task-definition/app:3`,
          rolloutState: "IN_PROGRESS",
          createdAt: new Date(1_700_000_000_000),
          updatedAt: new Date(1_700_000_000_000),
        },
      ],
      events: [],
      createdAt: new Date(1_700_000_000_000),
    },
  };
}

/** Drops members set to undefined: a store does not keep them (JSON has no undefined). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const tdKey = (r: TaskDefinitionRecord) => `${r.family}:${r.revision}`;

/** Follows `next` until the end; fails on a page longer than asked or a cursor that loops. */
async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  const cursors = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await list({ limit, after });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.next === undefined) return items;
    expect(cursors.has(page.next)).toBe(false);
    cursors.add(page.next);
    after = page.next;
  }
}

/** A fixed shuffle, so insertion order never happens to be the listing order. */
function shuffled<T>(items: T[]): T[] {
  return items
    .map((item, i) => ({ item, k: (i * 7919) % 101 }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.item);
}
