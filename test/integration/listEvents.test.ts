import {
  CreateClusterCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENTS_READ_PER_CALL } from "../../core/actions/berth/events.ts";
import { storedEventOf } from "../../core/events/stored.ts";
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

  it("pages a busy cluster's events to the end, each call reading a bounded number, a rare filter too", async () => {
    // More events than one call reads, as the events function keeps them (written to the store
    // here: publishing this many through the API would take minutes): task changes, and among
    // the oldest of them three service actions.
    const created = await berth.ecs.send(new CreateClusterCommand({ clusterName: "ev-busy" }));
    const clusterArn = created.cluster?.clusterArn ?? "";
    const count = EVENTS_READ_PER_CALL + 250;
    const rare = new Set([3, 7, 11]);
    const records = Array.from({ length: count }, (_, i) => {
      const action = rare.has(i);
      const resource = action
        ? `${clusterArn.replace(":cluster/", ":service/")}/web`
        : `${clusterArn.replace(":cluster/", ":task/")}/t${i}`;
      const entry = {
        Time: new Date(Date.now() - (count - i) * 1000),
        Source: "aws.ecs",
        DetailType: action ? "ECS Service Action" : "ECS Task State Change",
        Resources: [resource],
        Detail: JSON.stringify({ clusterArn, n: i }),
      };
      return storedEventOf(entry);
    });
    await berth.store.putEvents(records.flatMap((r) => (r ? [r] : [])));

    const follow = async (input: object) => {
      const pages: { events: { detail: string }[]; nextToken?: string }[] = [];
      let nextToken: string | undefined;
      do {
        const { status, body } = await berthCall(berth, "ListEvents", { cluster: "ev-busy", ...input, nextToken });
        expect(status).toBe(200);
        pages.push(body as (typeof pages)[number]);
        nextToken = body.nextToken as string | undefined;
      } while (nextToken !== undefined && pages.length < 50);
      return { pages, ns: pages.flatMap((p) => p.events.map((e) => (JSON.parse(e.detail) as { n: number }).n)) };
    };

    const all = await follow({ maxResults: 400 });
    expect(all.ns).toEqual(Array.from({ length: count }, (_, i) => count - 1 - i));
    expect(all.pages.map((p) => p.events.length)).toEqual([400, 400, 400, 50]);
    expect(all.pages.at(-1)?.nextToken).toBeUndefined();

    // The filter matches none of the newest events one call reads: that page is empty, and its
    // nextToken leads on to the older events, where the three are.
    const actions = await follow({ detailType: "ECS Service Action", maxResults: 2 });
    expect(actions.pages[0].events).toEqual([]);
    expect(actions.pages[0].nextToken).toBeDefined();
    expect(actions.ns).toEqual([11, 7, 3]);
    expect(actions.pages.every((p) => p.events.length <= 2)).toBe(true);

    const bad = await berthCall(berth, "ListEvents", { cluster: "ev-busy", nextToken: "not a token" });
    expect(bad.body.__type).toBe("InvalidParameterException");
  });
});
