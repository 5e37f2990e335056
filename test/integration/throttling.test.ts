import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { berthCall, createKey, ecsCall } from "../support/access.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth(undefined, { throttle: { read: { burst: 3, rate: 0.5 } } });
});
afterAll(() => berth.stop());

describe("throttling", () => {
  it("answers ThrottlingException past a key's burst, per key", async () => {
    const key = await createKey(berth, { kind: "read-only" });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await ecsCall(berth, "ListClusters", {}, key));
    expect(statuses.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(statuses[3]).toMatchObject({
      status: 400,
      body: { __type: "ThrottlingException", message: "Rate exceeded" },
    });
    // Another key has its own bucket; the SDK sees the error by its name (and would retry it).
    const other = await createKey(berth, { kind: "read-only" });
    expect((await ecsCall(berth, "ListClusters", {}, other)).status).toBe(200);
    for (let i = 0; i < 3; i++) await berth.ecs.send(new ListClustersCommand({})).catch(() => undefined);
    await expect(berth.ecs.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: "ThrottlingException" });
  });
});

describe("throttled calls in the audit trail", () => {
  let strict: TestBerth;
  beforeAll(async () => {
    strict = await startBerth(undefined, { throttle: { mutate: { burst: 3, rate: 0.001 } } });
  });
  afterAll(() => strict.stop());

  it("records the first refusal of a run of throttled changes, not each one", async () => {
    const key = await createKey(strict, { kind: "scoped", actions: ["ecs:CreateCluster"], resources: ["*"] });
    const outcomes = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push((await ecsCall(strict, "CreateCluster", { clusterName: `c${i}` }, key)).body.__type ?? "Success");
    }
    expect(outcomes).toEqual(["Success", "Success", "Success", ...Array(3).fill("ThrottlingException")]);
    const { body } = await berthCall(strict, "ListAuditEvents", { maxResults: 100 });
    const events = (body.auditEvents as Record<string, unknown>[]).filter((e) => e.accessKeyId === key.keyId);
    // Calls within one millisecond have no order among them: compare as sets.
    expect(events.map((e) => e.outcome).sort()).toEqual(["Success", "Success", "Success", "ThrottlingException"]);
    expect(events.find((e) => e.outcome === "ThrottlingException")).toMatchObject({
      action: "ecs:CreateCluster",
      principal: "scoped",
      resources: ["arn:aws:ecs:us-east-1:000000000000:cluster/c3"],
    });
  });
});
