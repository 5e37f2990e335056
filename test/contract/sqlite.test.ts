import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { reservationWrite } from "../../core/placement/capacity.ts";
import { put } from "../../core/store/port.ts";
import { openSqliteStore } from "../../core/store/sqlite.ts";
import { containerInstance, runStoreContract, task, taskDefinition } from "./store.contract.ts";

runStoreContract("SQLite in memory", () => openSqliteStore(":memory:"));

const dir = mkdtempSync(join(tmpdir(), "berth-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
// A new file (in a directory that does not exist yet) for each case.
runStoreContract("SQLite file", () => openSqliteStore(join(dir, `db${++n}`, "berth.sqlite")));

describe("SQLite's purge of expired records", () => {
  it("deletes expired rows but keeps expired task definitions, each family's high mark", async () => {
    let clock = Date.UTC(2026, 0, 1);
    const path = join(dir, "purge", "berth.sqlite");
    const store = await openSqliteStore(path, () => clock);
    try {
      await store.commit([
        put("taskDefinition", { ...taskDefinition("app", 1, "DELETE_IN_PROGRESS"), expiresAt: clock }),
        put("task", { ...task("web", "t1", { lastStatus: "STOPPED" }), expiresAt: clock }),
      ]);
      clock += 3_600_000; // past the purge interval: the next commit purges
      await store.commit([put("task", task("web", "t2"))]);
      expect(await store.getTaskDefinition("app", 1)).toBeUndefined();
      expect((await store.lastTaskDefinition("app"))?.revision).toBe(1);
    } finally {
      await store.close();
    }
    const db = new DatabaseSync(path);
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count("tasks"), count("task_definitions")]).toEqual([1, 1]);
    db.close();
  });
});

describe("SQLite file from before instances counted their tasks per group", () => {
  it("fills the counts from the live placed tasks when it is opened", async () => {
    const path = join(dir, "before-groups", "berth.sqlite");
    const old = await openSqliteStore(path);
    await old.commit([
      put("containerInstance", containerInstance("web", "ci1")),
      put("containerInstance", containerInstance("web", "ci2")),
      put("task", task("web", "a1", { group: "service:web", lastStatus: "RUNNING", containerInstanceId: "ci1" })),
      put("task", task("web", "a2", { group: "service:web", lastStatus: "PENDING", containerInstanceId: "ci1" })),
      put("task", task("web", "b1", { group: "family:app", lastStatus: "RUNNING", containerInstanceId: "ci1" })),
      put("task", task("web", "s1", { group: "service:web", lastStatus: "STOPPED", containerInstanceId: "ci1" })),
      put("task", task("web", "u1", { group: "service:web", lastStatus: "PROVISIONING" })),
    ]);
    await old.close();
    // The file as it was before: no resident_groups column.
    const db = new DatabaseSync(path);
    db.exec("ALTER TABLE container_instances DROP COLUMN resident_groups");
    db.close();

    const store = await openSqliteStore(path);
    try {
      expect((await store.getContainerInstance("web", "ci1"))?.residentGroups).toEqual({
        "service:web": 2,
        "family:app": 1,
      });
      expect((await store.getContainerInstance("web", "ci2"))?.residentGroups).toEqual({});
    } finally {
      await store.close();
    }
  });
});

describe("SQLite file shared by two connections", () => {
  it("lists the instances and heartbeats the other connection wrote since the last list", async () => {
    const path = join(dir, "two-connections", "berth.sqlite");
    const [one, other] = [await openSqliteStore(path), await openSqliteStore(path)];
    try {
      await one.commit([put("containerInstance", containerInstance("web", "ci1"))]);
      await one.putHeartbeat({ cluster: "web", id: "ci1", at: 1 });
      // Read once, so that the other connection's writes below land on rows already read.
      expect((await other.listContainerInstances("web")).map((i) => i.id)).toEqual(["ci1"]);
      expect((await other.listHeartbeats("web")).map((h) => h.at)).toEqual([1]);

      await one.commit([
        put("containerInstance", containerInstance("web", "ci2")),
        reservationWrite({ cluster: "web", id: "ci1" }, { cpu: 256, memory: 512, ports: [], udpPorts: [] }, "g"),
      ]);
      await one.putHeartbeat({ cluster: "web", id: "ci1", at: 2 });
      const instances = await other.listContainerInstances("web");
      expect(instances.map((i) => [i.id, i.residentGroups])).toEqual([
        ["ci1", { g: 1 }],
        ["ci2", {}],
      ]);
      expect((await other.listHeartbeats("web")).map((h) => h.at)).toEqual([2]);
    } finally {
      await one.close();
      await other.close();
    }
  });
});
