import type { ScheduledEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { CreateCluster } from "../../core/actions/clusters.ts";
import type { ActionContext } from "../../core/actions/context.ts";
import { CreateService, DeleteService } from "../../core/actions/services.ts";
import { RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import { openSqliteStore } from "../../core/store/sqlite.ts";
import { createSweeperHandler } from "../../functions/sweeper/handler.ts";

/** The sweeper on EventBridge Scheduler's event: a nudge for every live service, through a recording nudger. */
const scheduled: ScheduledEvent = {
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.scheduler",
  account: "123456789012",
  time: "2026-01-01T00:01:00Z",
  region: "us-east-1",
  resources: ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/berth-Sweeper"],
  detail: {},
};

describe("the sweeper function", () => {
  it("nudges every live service once", async () => {
    const nudged: string[] = [];
    const ctx: ActionContext = {
      store: await openSqliteStore(":memory:"),
      partition: { region: "us-east-1", accountId: "000000000000" },
      now: () => new Date(),
    };
    await CreateCluster({ clusterName: "c" }, ctx);
    await RegisterTaskDefinition(
      { family: "app", containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }] },
      ctx,
    );
    for (const name of ["a", "b", "gone"])
      await CreateService({ cluster: "c", serviceName: name, taskDefinition: "app", desiredCount: 0 }, ctx);
    await DeleteService({ cluster: "c", service: "gone", force: true }, ctx);
    ctx.serviceNudger = { nudge: async (cluster, service) => void nudged.push(`${cluster}/${service}`) };
    const result = await createSweeperHandler(ctx)(scheduled, {} as never);
    expect(nudged.filter((n) => n !== "c/gone").sort()).toEqual(["c/a", "c/b"]);
    expect(result.failed).toBe(0);
  });
});
