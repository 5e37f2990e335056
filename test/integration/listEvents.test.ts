import {
  CreateClusterCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { berthCall, createKey } from "../support/access.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/** Local mode's ListEvents: the ECS events the events function published, for a person to read. */
let berth: TestBerth;
let taskArn: string;
beforeAll(async () => {
  berth = await startBerth();
  for (const name of ["ev-a", "ev-b"]) {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: name }));
    await berth.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: name,
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
      }),
    );
  }
  await berth.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "ev",
      containerDefinitions: [{ name: "c", image: "busybox", memory: 16 }],
    }),
  );
  const run = await berth.ecs.send(new RunTaskCommand({ cluster: "ev-a", taskDefinition: "ev" }));
  taskArn = run.tasks?.[0]?.taskArn ?? "";
  await berth.events.drained();
});
afterAll(() => berth.stop());

describe("ListEvents", () => {
  it("lists a cluster's events newest first, each as EventBridge carries it", async () => {
    const { status, body } = await berthCall(berth, "ListEvents", { cluster: "ev-a" });
    expect(status).toBe(200);
    const events = body.events as { time: number; detailType: string; resources: string[]; detail: string }[];
    // The instance's registration, then one commit placing the task and taking its resources.
    expect(events.map((e) => e.detailType).sort()).toEqual([
      "ECS Container Instance State Change",
      "ECS Container Instance State Change",
      "ECS Task State Change",
    ]);
    expect(events.at(-1)?.detailType).toBe("ECS Container Instance State Change");
    const task = events.find((e) => e.detailType === "ECS Task State Change");
    expect(task?.resources).toEqual([taskArn]);
    expect(JSON.parse(task?.detail ?? "{}")).toMatchObject({ taskArn, lastStatus: "PENDING" });
    expect(typeof events[0].time).toBe("number");
    expect(events.every((e) => e.resources.every((arn) => arn.includes("/ev-a/")))).toBe(true);
  });

  it("filters by detail type, bounds maxResults, and answers a read-only key", async () => {
    const key = await createKey(berth, { kind: "read-only" });
    const instances = await berthCall(
      berth,
      "ListEvents",
      { detailType: "ECS Container Instance State Change", maxResults: 1 },
      key,
    );
    expect(instances.status).toBe(200);
    expect(instances.body.events).toEqual([
      expect.objectContaining({ detailType: "ECS Container Instance State Change" }),
    ]);
    const tooMany = await berthCall(berth, "ListEvents", { maxResults: 5000 });
    expect(tooMany.body.__type).toBe("InvalidParameterException");
  });

  it("shows a key scoped to some clusters their events, and refuses it every cluster's", async () => {
    // Without a cluster, ListEvents lists every cluster's: "default" (what a call naming no
    // cluster is about elsewhere) must not be enough.
    const key = await createKey(berth, {
      kind: "scoped",
      actions: ["berth:ListEvents"],
      resources: ["arn:aws:ecs:*:*:cluster/default", "arn:aws:ecs:*:*:cluster/ev-b"],
    });
    const all = await berthCall(berth, "ListEvents", {}, key);
    expect(all.body.__type).toBe("AccessDeniedException");
    const own = await berthCall(berth, "ListEvents", { cluster: "ev-b" }, key);
    expect(own.status).toBe(200);
    const events = own.body.events as { resources: string[] }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.resources.every((arn) => arn.includes("/ev-b/")))).toBe(true);
  });
});
