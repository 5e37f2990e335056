import { describe, expect, it } from "vitest";
import { withAuditInCommit } from "../../../../core/auth/auditInCommit.ts";
import type { AuditEventRecord } from "../../../../core/auth/records.ts";
import { put } from "../../../../core/store/port.ts";
import { openSqliteStore } from "../../../../core/store/sqlite.ts";
import { task } from "../../../contract/store.contract.ts";

const event = (id: string): Omit<AuditEventRecord, "version"> => ({
  id,
  atMs: 1,
  accessKeyId: "AKIAEXAMPLE",
  principal: "admin",
  action: "ecs:RunTask",
  resources: [],
  outcome: "Success",
});

async function auditedStore() {
  const store = await openSqliteStore(":memory:");
  const commits: number[] = [];
  const counting = new Proxy(store, {
    get: (target, prop) =>
      prop === "commit"
        ? async (writes: Parameters<typeof store.commit>[0]) => {
            commits.push(writes.length);
            return target.commit(writes);
          }
        : Reflect.get(target, prop).bind(target),
  });
  return { store, commits, audited: withAuditInCommit(counting, () => event("e1")) };
}

describe("an action's audit event in its own commit", () => {
  it("rides along with the first commit that lands, once", async () => {
    const { store, commits, audited } = await auditedStore();
    await audited.store.commit([put("task", task("web", "t1"))]);
    await audited.store.commit([put("task", task("web", "t2"))]);
    expect(commits).toEqual([2, 1]);
    expect(audited.written()).toMatchObject({ id: "e1", version: 1 });
    expect((await store.listAuditEvents({ limit: 10 })).items.map((e) => e.id)).toEqual(["e1"]);
  });

  it("waits for a commit that lands: one that conflicts leaves it for the next", async () => {
    const { store, audited } = await auditedStore();
    await store.commit([put("task", task("web", "t1"))]);
    await expect(audited.store.commit([put("task", task("web", "t1"))])).rejects.toThrow(/version/);
    expect(audited.written()).toBeUndefined();
    await audited.store.commit([put("task", task("web", "t2"))]);
    expect(audited.written()?.id).toBe("e1");
  });

  it("goes with one of two concurrent commits only, and with none once the action is over", async () => {
    const { store, commits, audited } = await auditedStore();
    await Promise.all([
      audited.store.commit([put("task", task("web", "t1"))]),
      audited.store.commit([put("task", task("web", "t2"))]),
    ]);
    expect(commits.sort()).toEqual([1, 2]);

    const later = await auditedStore();
    later.audited.close();
    await later.audited.store.commit([put("task", task("web", "t3"))]);
    expect(later.commits).toEqual([1]);
    expect(later.audited.written()).toBeUndefined();
    expect((await store.listAuditEvents({ limit: 10 })).items).toHaveLength(1);
  });
});
