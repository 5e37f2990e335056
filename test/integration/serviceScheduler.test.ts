import type { Attribute } from "@aws-sdk/client-ecs";
import type { SQSRecord } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { SubmitTaskStateChange } from "../../core/actions/agent.ts";
import { SubmitTaskHealthChange } from "../../core/actions/berth/health.ts";
import { CreateCluster } from "../../core/actions/clusters.ts";
import { RegisterContainerInstance } from "../../core/actions/containerInstances.ts";
import { CreateService, DescribeServices } from "../../core/actions/services.ts";
import { RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import { StopTask } from "../../core/actions/tasks.ts";
import type { TaskRecord } from "../../core/model/records.ts";
import { serviceNudgeBody } from "../../core/notify/serviceNudger.ts";
import { recordHeartbeat } from "../../core/operations/agentConnection.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { serviceTasks } from "../../core/operations/serviceTasks.ts";
import { reconcileService } from "../../core/services/reconcile.ts";
import type { Store } from "../../core/store/port.ts";
import { createSchedulerHandler } from "../../functions/scheduler/handler.ts";
import { clockedContext } from "../support/testStore.ts";

/**
 * The scheduler's round and its function, called directly on an in-memory store with a clock
 * the test moves: what the API suite cannot do in real time (agents lost for minutes) or sees
 * only from outside (a round repeated, a batch with a failing record).
 */
let ctx: ActionContext;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1);
  ctx = await clockedContext(() => clock);
  await CreateCluster({ clusterName: "c" }, ctx);
  await RegisterTaskDefinition(
    { family: "app", containerDefinitions: [{ name: "app", image: "busybox", memory: 128, essential: true }] },
    ctx,
  );
});

const register = async (attributes: Attribute[] = []) =>
  (
    await RegisterContainerInstance(
      {
        cluster: "c",
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
        attributes,
      },
      ctx,
    )
  ).containerInstance?.containerInstanceArn
    ?.split("/")
    .pop() as string;

const service = async () => (await DescribeServices({ cluster: "c", services: ["web"] }, ctx)).services?.[0] ?? {};

describe("reconcileService", () => {
  it("changes nothing when run twice in a row", async () => {
    await register();
    await CreateService({ cluster: "c", serviceName: "web", taskDefinition: "app", desiredCount: 2 }, ctx);
    await reconcileService(ctx, "c", "web");
    const first = await ctx.store.getService("c", "web");
    const tasks = await serviceTasks(ctx, "c", "web");
    expect(tasks).toHaveLength(2);
    clock += 1000;
    await reconcileService(ctx, "c", "web");
    expect((await ctx.store.getService("c", "web"))?.version).toBe(first?.version);
    expect(await serviceTasks(ctx, "c", "web")).toHaveLength(2);
  });

  it("replaces the tasks of an instance whose agent is lost, after the grace period", async () => {
    const lost = await register();
    await CreateService(
      { cluster: "c", serviceName: "web", taskDefinition: "app", desiredCount: 2, placementStrategy: [] },
      ctx,
    );
    await reconcileService(ctx, "c", "web");
    const placed = await serviceTasks(ctx, "c", "web");
    expect(placed.every((t) => t.containerInstanceId === lost)).toBe(true);

    // A second instance joins; the first one's agent goes silent.
    clock += 60_000;
    const healthy = await register();
    clock += 60_000; // disconnected (3 × 10 s) but within the grace period: nothing moves
    await recordHeartbeat(ctx, "c", healthy);
    await reconcileService(ctx, "c", "web");
    expect((await serviceTasks(ctx, "c", "web")).filter((t) => t.task.lastStatus === "STOPPED")).toHaveLength(0);

    clock += 2 * 60_000;
    await recordHeartbeat(ctx, "c", healthy);
    await reconcileService(ctx, "c", "web");
    const after = await serviceTasks(ctx, "c", "web");
    const stopped = after.filter((t) => t.task.lastStatus === "STOPPED");
    expect(stopped.map((t) => t.id).sort()).toEqual(placed.map((t) => t.id).sort());
    expect(stopped[0].task).toMatchObject({ stopCode: "ServiceSchedulerInitiated", desiredStatus: "STOPPED" });
    expect(stopped[0].task.stoppedReason).toMatch(/agent disconnected for more than 120 s/);
    const replacements = after.filter((t) => t.task.lastStatus !== "STOPPED");
    expect(replacements).toHaveLength(2);
    expect(replacements.every((t) => t.containerInstanceId === healthy)).toBe(true);
    const messages = ((await service()).events ?? []).map((e) => e.message);
    expect(messages).toContain(
      `(service web) has stopped 2 tasks on (container-instance ${lost}), whose agent is lost: ${stopped
        .map((t) => `(task ${t.id})`)
        .join(" ")}.`,
    );
  });
});

describe("a lost instance's stopping tasks", () => {
  it("are marked STOPPED with their own stop code, so the service no longer counts them running", async () => {
    const lost = await register();
    await CreateService(
      { cluster: "c", serviceName: "web", taskDefinition: "app", desiredCount: 1, placementStrategy: [] },
      ctx,
    );
    await reconcileService(ctx, "c", "web");
    const [task] = await serviceTasks(ctx, "c", "web");
    await SubmitTaskStateChange({ cluster: "c", task: task.task.taskArn, status: "RUNNING" }, ctx);
    // The user stops it; the agent is gone before it can report the task STOPPED.
    await StopTask({ cluster: "c", task: task.task.taskArn, reason: "by hand" }, ctx);
    expect((await service()).runningCount).toBe(1);
    clock += 60_000;
    const healthy = await register();
    clock += 3 * 60_000;
    await recordHeartbeat(ctx, "c", healthy);
    await reconcileService(ctx, "c", "web");
    const after = (await serviceTasks(ctx, "c", "web")).find((t) => t.id === task.id);
    expect(after?.containerInstanceId).toBe(lost);
    expect(after?.task).toMatchObject({ lastStatus: "STOPPED", stopCode: "UserInitiated", stoppedReason: "by hand" });
    expect((await service()).runningCount).toBe(0);
  });
});

describe("a service's health check grace period", () => {
  it("leaves an UNHEALTHY task alone while it lasts, then stops and replaces it", async () => {
    // An instance that can run health checks, as an agent advertises.
    const instance = await register([{ name: "ecs.capability.container-health-check" }]);
    // The instance's agent beats at each step, so that it stays placeable as the clock moves.
    const later = async (ms: number) => {
      clock += ms;
      await recordHeartbeat(ctx, "c", instance);
      await reconcileService(ctx, "c", "web");
    };
    await RegisterTaskDefinition(
      {
        family: "checked",
        containerDefinitions: [
          { name: "app", image: "busybox", memory: 128, essential: true, healthCheck: { command: ["CMD", "true"] } },
        ],
      },
      ctx,
    );
    await CreateService(
      {
        cluster: "c",
        serviceName: "web",
        taskDefinition: "checked",
        desiredCount: 1,
        healthCheckGracePeriodSeconds: 60,
      },
      ctx,
    );
    await reconcileService(ctx, "c", "web");
    const [task] = await serviceTasks(ctx, "c", "web");
    await SubmitTaskStateChange({ cluster: "c", task: task.id, status: "RUNNING" }, ctx);
    await SubmitTaskHealthChange(
      { cluster: "c", task: task.id, containers: [{ containerName: "app", healthStatus: "UNHEALTHY" }] },
      ctx,
    );

    await later(30_000);
    const within = await serviceTasks(ctx, "c", "web");
    expect(within.map((t) => [t.id, t.task.healthStatus, t.task.desiredStatus])).toEqual([
      [task.id, "UNHEALTHY", "RUNNING"],
    ]);

    await later(31_000);
    const after = await serviceTasks(ctx, "c", "web");
    expect(after.find((t) => t.id === task.id)?.task).toMatchObject({
      desiredStatus: "STOPPED",
      stoppedReason: "Task failed container health checks",
    });
    await later(15_000);
    const replaced = await serviceTasks(ctx, "c", "web");
    expect(replaced.filter((t) => t.id !== task.id && t.task.desiredStatus === "RUNNING")).toHaveLength(1);
  });
});

describe("the scheduler function", () => {
  const record = (id: string, group: string, body: string): SQSRecord =>
    ({ messageId: id, body, attributes: { MessageGroupId: group } }) as unknown as SQSRecord;

  /** A store whose reads of cluster "bad"'s services fail. */
  const failingFor = (store: Store): Store =>
    new Proxy(store, {
      get(target, property, receiver) {
        if (property === "getService") {
          return (cluster: string, name: string) =>
            cluster === "bad" ? Promise.reject(new Error("store down")) : target.getService(cluster, name);
        }
        return Reflect.get(target, property, receiver);
      },
    });

  it("reports the records of a failing service, and only those, as batch item failures", async () => {
    await register();
    await CreateService({ cluster: "c", serviceName: "web", taskDefinition: "app", desiredCount: 1 }, ctx);
    const handler = createSchedulerHandler({ ...ctx, store: failingFor(ctx.store) });
    const response = await handler(
      {
        Records: [
          record("1", "c/web", serviceNudgeBody("c", "web")),
          record("2", "bad/web", serviceNudgeBody("bad", "web")),
          record("3", "c/web", serviceNudgeBody("c", "web")),
          record("4", "bad/web", serviceNudgeBody("bad", "web")),
          record("5", "c/other", serviceNudgeBody("c", "other")),
          record("6", "c/other", "not json"),
        ],
      },
      {} as never,
    );
    // Group bad/web fails from its first message on; c/other after its good one; c/web succeeds (one round).
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["2", "4", "6"]);
    expect(await serviceTasks(ctx, "c", "web")).toHaveLength(1);
  });

  /**
   * A store whose first commit launching tasks of `group` fails: before it is applied, or after
   * (the write went through, its answer was lost, as with a timeout).
   */
  const launchFails = (store: Store, group: string, when: "before" | "after"): Store => {
    let failed = false;
    return new Proxy(store, {
      get(target, property, receiver) {
        if (property !== "commit") return Reflect.get(target, property, receiver);
        return async (writes: Parameters<Store["commit"]>[0]) => {
          const launches = writes.some((w) => "record" in w && (w.record as TaskRecord).task?.group === group);
          if (failed || !launches) return target.commit(writes);
          failed = true;
          if (when === "after") await target.commit(writes);
          throw new Error(`the launch of ${group} failed ${when} it was applied`);
        };
      },
    });
  };

  it.each(["before", "after"] as const)(
    "retries a batch that failed half-way (a commit failing %s it applied) without launching twice",
    async (when) => {
      await register();
      await register();
      const services = ["a", "b", "c", "d"];
      for (const serviceName of services)
        await CreateService({ cluster: "c", serviceName, taskDefinition: "app", desiredCount: 3 }, ctx);
      const batch = services.map((name, i) => record(String(i + 1), `c/${name}`, serviceNudgeBody("c", name)));
      // Half-way: the third service's round fails as it launches.
      const failing = createSchedulerHandler({ ...ctx, store: launchFails(ctx.store, "service:c", when) });
      const { batchItemFailures } = await failing({ Records: batch }, {} as never);
      expect(batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["3"]);
      // SQS redelivers what failed, and (a visibility timeout that ran out) the whole batch once more.
      const handler = createSchedulerHandler(ctx);
      const redelivered = batch.filter((r) => batchItemFailures.some((f) => f.itemIdentifier === r.messageId));
      expect((await handler({ Records: redelivered }, {} as never)).batchItemFailures).toEqual([]);
      expect((await handler({ Records: batch }, {} as never)).batchItemFailures).toEqual([]);
      for (const name of services) {
        const live = (await serviceTasks(ctx, "c", name)).filter((t) => t.task.desiredStatus === "RUNNING");
        expect(live, name).toHaveLength(3);
      }
      // Each instance holds exactly its tasks' reservations: nothing launched twice, nothing leaked.
      const instances = await ctx.store.listContainerInstances("c");
      const tasks = (await Promise.all(services.map((name) => serviceTasks(ctx, "c", name)))).flat();
      for (const instance of instances) {
        const mine = tasks.filter((t) => t.containerInstanceId === instance.id && t.holdsReservation);
        const memory = instance.instance.remainingResources?.find((r) => r.name === "MEMORY")?.integerValue;
        expect(memory, instance.id).toBe(1024 - 128 * mine.length);
      }
    },
  );
});
