import type { RunTaskResponse } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { actions } from "../../core/actions/index.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { launchQueue } from "../../core/operations/launchQueue.ts";
import { ConflictError, type Store } from "../../core/store/port.ts";
import { clockedContext } from "../support/testStore.ts";

/**
 * Launches racing for an instance's last slots, as RunTask actions on the test store (SQLite, or
 * DynamoDB Local in the `dynamodb` project): each planning on its own (AWS: one call per Lambda
 * environment), the conditional commit and the re-plan after a lost one keep the instance from
 * being overbooked; through one control plane's launch queue, none even loses a commit.
 */
const call = (ctx: ActionContext, name: string, input: unknown) =>
  (actions[name] as (i: unknown, c: ActionContext) => Promise<unknown>)(input, ctx);

/** A cluster with one instance of 1,024 MiB and a task definition four copies of which fill it. */
async function fourSlots(): Promise<ActionContext> {
  const ctx = await clockedContext(Date.now);
  await call(ctx, "CreateCluster", { clusterName: "race" });
  await call(ctx, "RegisterTaskDefinition", {
    family: "slot",
    containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 256 }],
  });
  await call(ctx, "RegisterContainerInstance", {
    cluster: "race",
    totalResources: [
      { name: "CPU", type: "INTEGER", integerValue: 4096 },
      { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
    ],
  });
  return ctx;
}

/** The store with its commits that lost a race counted. */
function countingConflicts(store: Store): { store: Store; conflicts: () => number } {
  let conflicts = 0;
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "commit") return typeof value === "function" ? value.bind(target) : value;
      return async (...args: Parameters<Store["commit"]>) => {
        try {
          return await target.commit(...args);
        } catch (error) {
          if (error instanceof ConflictError) conflicts++;
          throw error;
        }
      };
    },
  });
  return { store: counted, conflicts: () => conflicts };
}

async function race(ctx: ActionContext, launches: number) {
  const results = await Promise.allSettled(
    Array.from({ length: launches }, () => call(ctx, "RunTask", { cluster: "race", taskDefinition: "slot" })),
  );
  const answered = results.flatMap((r) => (r.status === "fulfilled" ? [r.value as RunTaskResponse] : []));
  // A launch that lost every attempt answers a retryable error (an SDK would send it again): never a wrong placement.
  for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
  const { containerInstances = [] } = (await call(ctx, "DescribeContainerInstances", {
    cluster: "race",
    containerInstances: [
      ((await call(ctx, "ListContainerInstances", { cluster: "race" })) as { containerInstanceArns: string[] })
        .containerInstanceArns[0],
    ],
  })) as { containerInstances?: { remainingResources?: { name?: string; integerValue?: number }[] }[] };
  return {
    placed: answered.flatMap((r) => r.tasks ?? []).length,
    refused: answered.filter((r) => r.failures?.[0]?.reason === "RESOURCE:MEMORY").length,
    memoryLeft: containerInstances[0]?.remainingResources?.find((r) => r.name === "MEMORY")?.integerValue,
  };
}

describe("launches racing for the last slots of an instance", () => {
  it("each planning on its own: exactly four placed, the instance full, never beyond", async () => {
    const ctx = await fourSlots();
    const { placed, memoryLeft } = await race(ctx, 8);
    expect(placed).toBe(4);
    expect(memoryLeft).toBe(0);
  });

  it("through a launch queue: one after another, four placed, four refused, no commit lost", async () => {
    const base = await fourSlots();
    const { store, conflicts } = countingConflicts(base.store);
    const ctx = { ...base, store, launchQueue: launchQueue() };
    expect(await race(ctx, 8)).toEqual({ placed: 4, refused: 4, memoryLeft: 0 });
    expect(conflicts()).toBe(0);
  });
});
