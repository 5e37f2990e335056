import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, ecsCall } from "../support/access.ts";
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
