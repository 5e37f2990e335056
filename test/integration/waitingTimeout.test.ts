/**
 * Tasks waiting for capacity, on the store (SQLite, and DynamoDB Local in the dynamodb project)
 * with a clock: a capacity provider with managed scaling whose group has no instance yet takes
 * RunTask's tasks in PROVISIONING (it scales out from zero); StopTask stops one at once; ECS
 * stops the others after its 30 minutes with TaskFailedToStart and what the placement lacked;
 * an instance that registers in time gets the ones still waiting; at most 500 of a cluster's
 * tasks wait (ECS's quota), the others fail as they would without managed scaling.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CreateCapacityProvider } from "../../core/actions/capacityProviders.ts";
import { CreateCluster, DescribeClusters, PutClusterCapacityProviders } from "../../core/actions/clusters.ts";
import { RegisterContainerInstance } from "../../core/actions/containerInstances.ts";
import { RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import { DescribeTasks, RunTask, StopTask } from "../../core/actions/tasks.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { placeWaitingTasks } from "../../core/operations/placeWaiting.ts";
import { MAX_WAITING_TASKS_PER_CLUSTER, WAITING_TIMEOUT_MS } from "../../core/operations/waitingTasks.ts";
import { clockedContext } from "../support/testStore.ts";

let ctx: ActionContext;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1);
  ctx = await clockedContext(() => clock);
  await CreateCluster({ clusterName: "c" }, ctx);
  await RegisterTaskDefinition(
    { family: "app", containerDefinitions: [{ name: "app", image: "busybox", memory: 512, essential: true }] },
    ctx,
  );
  await CreateCapacityProvider(
    {
      name: "hosts",
      autoScalingGroupProvider: { autoScalingGroupArn: "hosts-asg", managedScaling: { status: "ENABLED" } },
    },
    ctx,
  );
  await PutClusterCapacityProviders(
    {
      cluster: "c",
      capacityProviders: ["hosts"],
      defaultCapacityProviderStrategy: [{ capacityProvider: "hosts", weight: 1 }],
    },
    ctx,
  );
});

const describe1 = async (arn: string) => (await DescribeTasks({ cluster: "c", tasks: [arn] }, ctx)).tasks?.[0];
/** An instance of the provider's group (1024 CPU units, `memory` MiB) registers. */
const registerInGroup = (memory: number) =>
  RegisterContainerInstance(
    {
      cluster: "c",
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: memory },
      ],
      attributes: [{ name: "berth.autoscaling-group", value: "hosts-asg" }],
    },
    ctx,
  );
const pending = async () => (await DescribeClusters({ clusters: ["c"] }, ctx)).clusters?.[0].pendingTasksCount;

describe("tasks waiting for capacity, over time", () => {
  it("waits with no instance at all, stops by StopTask at once, and after ECS's 30 minutes with what it lacked", async () => {
    const run = await RunTask({ cluster: "c", taskDefinition: "app", count: 3 }, ctx);
    expect(run.failures).toEqual([]);
    expect(run.tasks?.map((t) => [t.lastStatus, t.desiredStatus, t.capacityProviderName])).toEqual([
      ["PROVISIONING", "RUNNING", "hosts"],
      ["PROVISIONING", "RUNNING", "hosts"],
      ["PROVISIONING", "RUNNING", "hosts"],
    ]);
    expect(await pending()).toBe(3);
    const [byUser, ...timedOut] = (run.tasks ?? []).map((t) => t.taskArn ?? "");

    const stopped = await StopTask({ cluster: "c", task: byUser }, ctx);
    expect(stopped.task).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "UserInitiated" });

    clock += WAITING_TIMEOUT_MS - 60_000;
    await placeWaitingTasks(ctx, "c");
    expect((await describe1(timedOut[0]))?.lastStatus).toBe("PROVISIONING");
    clock += 60_000;
    await placeWaitingTasks(ctx, "c");
    for (const arn of timedOut) {
      expect(await describe1(arn)).toMatchObject({
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "TaskFailedToStart",
        stoppedReason: "TaskFailedToStart: EMPTY CAPACITY PROVIDER",
      });
    }
    expect(await pending()).toBe(0);
  });

  it("places the tasks still waiting when an instance of the group registers, and remembers what a full one lacked", async () => {
    const run = await RunTask({ cluster: "c", taskDefinition: "app", count: 3 }, ctx);
    const arns = (run.tasks ?? []).map((t) => t.taskArn ?? "");
    const registered = await registerInGroup(1024);
    await placeWaitingTasks(ctx, "c");
    const tasks = await Promise.all(arns.map(describe1));
    const onIt = tasks.filter((t) => t?.containerInstanceArn === registered.containerInstance?.containerInstanceArn);
    expect(onIt.map((t) => t?.lastStatus)).toEqual(["PENDING", "PENDING"]);
    const left = tasks.find((t) => t?.lastStatus === "PROVISIONING");
    clock += WAITING_TIMEOUT_MS;
    await placeWaitingTasks(ctx, "c");
    expect(await describe1(left?.taskArn ?? "")).toMatchObject({
      stopCode: "TaskFailedToStart",
      stoppedReason: "TaskFailedToStart: RESOURCE:MEMORY",
    });
  });

  it("keeps at most ECS's 500 tasks of a cluster waiting; beyond, RunTask's tasks fail as without managed scaling", async () => {
    await registerInGroup(512);
    // The instance takes one task of 512 MiB; the others wait, up to the quota.
    let waiting = 0;
    let last = await RunTask({ cluster: "c", taskDefinition: "app", count: 10 }, ctx);
    while (last.failures?.length === 0) {
      waiting += last.tasks?.filter((t) => t.lastStatus === "PROVISIONING").length ?? 0;
      last = await RunTask({ cluster: "c", taskDefinition: "app", count: 10 }, ctx);
    }
    waiting += last.tasks?.length ?? 0;
    expect(waiting).toBe(MAX_WAITING_TASKS_PER_CLUSTER);
    expect(last.failures?.map((f) => f.reason)).toEqual(["RESOURCE:MEMORY"]);
    const beyond = await RunTask({ cluster: "c", taskDefinition: "app", count: 1 }, ctx);
    expect(beyond).toMatchObject({ tasks: [], failures: [{ reason: "RESOURCE:MEMORY" }] });
    expect(await pending()).toBe(MAX_WAITING_TASKS_PER_CLUSTER + 1);
  }, 120_000);
});
