/**
 * RunTask with a capacity provider strategy and a clientToken, against the store (SQLite, and
 * DynamoDB Local in the dynamodb project): every provider's share commits in one write with the
 * token's record, so a store failure part-way leaves nothing behind and the retry does not
 * duplicate tasks.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CreateCapacityProvider } from "../../core/actions/capacityProviders.ts";
import { CreateCluster, PutClusterCapacityProviders } from "../../core/actions/clusters.ts";
import { RegisterContainerInstance } from "../../core/actions/containerInstances.ts";
import { RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import { ListTasks, RunTask } from "../../core/actions/tasks.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import type { Store } from "../../core/store/port.ts";
import { clockedContext } from "../support/testStore.ts";

let ctx: ActionContext;
/** Set to fail the store's second commit that writes tasks, as a lost connection would. */
let failSecondTaskCommit = false;

/** The store, failing as armed: a commit that writes tasks after one already has. */
function failing(store: Store): Store {
  let taskCommits = 0;
  return new Proxy(store, {
    get: (target, prop) =>
      prop === "commit"
        ? async (writes: Parameters<Store["commit"]>[0]) => {
            if (writes.some((w) => w.kind === "task") && ++taskCommits === 2 && failSecondTaskCommit) {
              throw new Error("connection lost");
            }
            return target.commit(writes);
          }
        : Reflect.get(target, prop).bind(target),
  });
}

beforeEach(async () => {
  const clock = Date.UTC(2026, 0, 1);
  const base = await clockedContext(() => clock);
  ctx = { ...base, store: failing(base.store) };
  await CreateCluster({ clusterName: "c" }, ctx);
  await RegisterTaskDefinition(
    { family: "app", containerDefinitions: [{ name: "app", image: "busybox", memory: 128, essential: true }] },
    ctx,
  );
  for (const group of ["a", "b"]) {
    await CreateCapacityProvider(
      { name: group, autoScalingGroupProvider: { autoScalingGroupArn: `${group}-asg` } },
      ctx,
    );
    await RegisterContainerInstance(
      {
        cluster: "c",
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
        attributes: [{ name: "berth.autoscaling-group", value: `${group}-asg` }],
      },
      ctx,
    );
  }
  await PutClusterCapacityProviders(
    { cluster: "c", capacityProviders: ["a", "b"], defaultCapacityProviderStrategy: [] },
    ctx,
  );
});

describe("RunTask with a capacity provider strategy and a clientToken", () => {
  it("leaves nothing behind when the store fails part-way, so the retry runs the tasks once", async () => {
    const input = {
      cluster: "c",
      taskDefinition: "app",
      count: 4,
      clientToken: "once",
      capacityProviderStrategy: [
        { capacityProvider: "a", weight: 1 },
        { capacityProvider: "b", weight: 1 },
      ],
    };
    failSecondTaskCommit = true;
    // It may fail (the share after the first could not be written) or not (all went in one write).
    await RunTask(input, ctx).catch(() => undefined);
    failSecondTaskCommit = false;
    const retried = await RunTask(input, ctx);
    expect(retried.tasks?.map((t) => t.capacityProviderName).sort()).toEqual(["a", "a", "b", "b"]);
    const listed = await ListTasks({ cluster: "c" }, ctx);
    expect(listed.taskArns?.sort()).toEqual(retried.tasks?.map((t) => t.taskArn).sort());
  });
});
