import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AccessPolicy } from "../../../core/auth/records.ts";
import { put, type Store } from "../../../core/store/port.ts";
import { openSqliteStore } from "../../../core/store/sqlite.ts";
import { withSharedAccess } from "../../../local/regionalStore.ts";

/** Another region's store over two real (in-memory SQLite) stores: what goes where. */
describe("another region's store", () => {
  let home: Store;
  let own: Store;
  let region: Store;
  beforeEach(async () => {
    home = await openSqliteStore(":memory:");
    own = await openSqliteStore(":memory:");
    region = withSharedAccess(own, home);
  });
  afterEach(async () => {
    await region.close();
    await home.close();
  });

  const key = (accessKeyId: string, policy: AccessPolicy) =>
    put("accessKey", { accessKeyId, sealedSecret: "sealed", policy, createdAtMs: 0 });
  const page = { limit: 10 };

  it("writes the account's keys and audit trail to the default region's store, and reads them from there", async () => {
    await region.commit([key("AKIAADMIN", { kind: "admin" })]);
    await region.commit([
      put("auditEvent", {
        id: "1",
        atMs: 0,
        accessKeyId: "AKIAADMIN",
        principal: "admin",
        action: "ecs:CreateCluster",
        resources: [],
        outcome: "Success",
      }),
    ]);
    expect(await home.getAccessKey("AKIAADMIN")).toBeDefined();
    expect(await own.getAccessKey("AKIAADMIN")).toBeUndefined();
    expect(await region.getAccessKey("AKIAADMIN")).toBeDefined();
    expect((await region.listAuditEvents(page)).items.map((e) => e.id)).toEqual(["1"]);
    expect((await own.listAuditEvents(page)).items).toEqual([]);
  });

  it("keeps a container instance's own key, and what is committed with it, in the region", async () => {
    const instanceKey = key("AKIAINSTANCE", { kind: "instance", cluster: "default", containerInstanceId: "i-1" });
    await region.commit([put("idempotency", { key: "claim", request: "AKIAINSTANCE", response: {} }), instanceKey]);
    expect(await own.getAccessKey("AKIAINSTANCE")).toBeDefined();
    expect(await home.getAccessKey("AKIAINSTANCE")).toBeUndefined();
    expect(await region.getAccessKey("AKIAINSTANCE")).toBeDefined();
    expect(await own.getIdempotency("claim")).toBeDefined();
  });

  it("does not take the default region's instance keys for its own", async () => {
    await home.commit([key("AKIAHOMEHOST", { kind: "instance", cluster: "default", containerInstanceId: "i-home" })]);
    expect(await home.getAccessKey("AKIAHOMEHOST")).toBeDefined();
    expect(await region.getAccessKey("AKIAHOMEHOST")).toBeUndefined();
  });

  it("refuses a commit that would span both stores, and writes nothing", async () => {
    await expect(
      region.commit([
        put("idempotency", { key: "mixed", request: "r", response: {} }),
        key("AKIAMIXED", { kind: "admin" }),
      ]),
    ).rejects.toThrow(/mixes/);
    expect(await region.getIdempotency("mixed")).toBeUndefined();
    expect(await region.getAccessKey("AKIAMIXED")).toBeUndefined();
  });

  it("commits an action's records with its audit event: the records in the region, the event in the trail", async () => {
    const event = {
      id: "2",
      atMs: 0,
      accessKeyId: "AKIAADMIN",
      principal: "admin" as const,
      action: "ecs:CreateCluster",
      resources: [],
      outcome: "Success" as const,
    };
    await region.commit([put("idempotency", { key: "created", request: "r", response: {} }), put("auditEvent", event)]);
    expect(await own.getIdempotency("created")).toBeDefined();
    expect(await home.getIdempotency("created")).toBeUndefined();
    expect((await home.listAuditEvents(page)).items.map((e) => e.id)).toEqual(["2"]);
    expect((await own.listAuditEvents(page)).items).toEqual([]);
  });
});
