import type { AutoScalingGroupProvider } from "@aws-sdk/client-ecs";
import type { ScheduledEvent } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { SubmitTaskStateChange } from "../../core/actions/agent.ts";
import {
  CreateCapacityProvider,
  DeleteCapacityProvider,
  DescribeCapacityProviders,
  UpdateCapacityProvider,
} from "../../core/actions/capacityProviders.ts";
import { CreateCluster, DescribeClusters, PutClusterCapacityProviders } from "../../core/actions/clusters.ts";
import { RegisterContainerInstance } from "../../core/actions/containerInstances.ts";
import { CreateService, DeleteService } from "../../core/actions/services.ts";
import {
  DeleteTaskDefinitions,
  DeregisterTaskDefinition,
  DescribeTaskDefinition,
  ListTaskDefinitions,
  RegisterTaskDefinition,
} from "../../core/actions/taskDefinitions.ts";
import { RunTask, StopTask } from "../../core/actions/tasks.ts";
import { type DeclaredProvider, declaredProvidersFromEnv } from "../../core/deploy/declaredProviders.ts";
import { ecsEventsOf } from "../../core/events/build.ts";
import type { CapacityProviderRecord, ContainerInstanceRecord } from "../../core/model/records.ts";
import { recordHeartbeat } from "../../core/operations/agentConnection.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { put } from "../../core/store/port.ts";
import { createSweeperHandler } from "../../functions/sweeper/handler.ts";
import { clockedContext } from "../support/testStore.ts";

/**
 * The sweeper on the events its schedule sends: CronV2 (EventBridge Scheduler) passes its
 * `event` input, `{}` by default; an EventBridge rule sends a "Scheduled Event". A clock the test
 * moves stands for the minutes between sweeps.
 */
const scheduled: ScheduledEvent = {
  version: "0",
  id: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "123456789012",
  time: "2026-01-01T00:01:00Z",
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:123456789012:rule/berth-Sweeper"],
  detail: {},
};
const fromScheduler = {};

let clock: number;
let ctx: ActionContext;
let declared: DeclaredProvider[] = [];
const sweep = (event: Partial<ScheduledEvent> = fromScheduler) =>
  createSweeperHandler(ctx, declared)(event, {} as never);

beforeEach(async () => {
  clock = Date.UTC(2026, 0, 1);
  declared = [];
  ctx = await clockedContext(
    () => clock,
    (error) => {
      throw error;
    },
  );
  await CreateCluster({ clusterName: "c" }, ctx);
});

const register = async () => {
  const { containerInstance } = await RegisterContainerInstance(
    {
      cluster: "c",
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
      ],
    },
    ctx,
  );
  return containerInstance?.containerInstanceArn?.split("/").pop() as string;
};

const stored = async (id: string) => (await ctx.store.getContainerInstance("c", id)) as ContainerInstanceRecord;

describe("the sweeper function", () => {
  it("nudges every live service once", async () => {
    const nudged: string[] = [];
    await RegisterTaskDefinition(
      { family: "app", containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }] },
      ctx,
    );
    for (const name of ["a", "b", "gone"])
      await CreateService({ cluster: "c", serviceName: name, taskDefinition: "app", desiredCount: 0 }, ctx);
    await DeleteService({ cluster: "c", service: "gone", force: true }, ctx);
    ctx.serviceNudger = { nudge: async (cluster, service) => void nudged.push(`${cluster}/${service}`) };
    const result = await sweep(scheduled);
    expect(nudged.filter((n) => n !== "c/gone").sort()).toEqual(["c/a", "c/b"]);
    expect(result.failed).toBe(0);
  });

  it("records an agent's disconnection once, as an ECS Container Instance State Change, and its return", async () => {
    const id = await register();
    expect(await sweep()).toMatchObject({ flipped: 0, lost: 0 });

    clock += 60_000; // no beat for a minute: more than three missed heartbeats
    const before = await stored(id);
    expect(await sweep()).toMatchObject({ flipped: 1, lost: 0 });
    const after = await stored(id);
    expect(after.instance.agentConnected).toBe(false);
    const events = ecsEventsOf({ kind: "containerInstance", old: before, new: after }, ctx.partition);
    expect(events.map((e) => [e.detailType, e.detail.agentConnected])).toEqual([
      ["ECS Container Instance State Change", false],
    ]);
    // Level-triggered: the next sweep finds it recorded and writes nothing.
    expect(await sweep()).toMatchObject({ flipped: 0 });
    expect((await stored(id)).version).toBe(after.version);

    await recordHeartbeat(ctx, "c", id);
    expect(await sweep()).toMatchObject({ flipped: 1, lost: 0 });
    expect((await stored(id)).instance.agentConnected).toBe(true);
  });

  it("counts an instance lost once its agent has been away longer than the grace period", async () => {
    const id = await register();
    clock += 60_000;
    expect(await sweep(scheduled)).toMatchObject({ flipped: 1, lost: 0 });
    clock += 3 * 60_000;
    expect(await sweep(scheduled)).toMatchObject({ flipped: 0, lost: 1 });
    expect((await stored(id)).instance.agentConnected).toBe(false);
  });

  describe("with a deleted task definition", () => {
    const registerApp = async () =>
      (
        await RegisterTaskDefinition(
          { family: "app", containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }] },
          ctx,
        )
      ).taskDefinition?.revision;
    const deleteApp1 = async () => {
      await DeregisterTaskDefinition({ taskDefinition: "app:1" }, ctx);
      await DeleteTaskDefinitions({ taskDefinitions: ["app:1"] }, ctx);
    };
    const statusOfApp1 = async () =>
      (await DescribeTaskDefinition({ taskDefinition: "app:1" }, ctx)).taskDefinition?.status;
    const deleting = async () => (await ListTaskDefinitions({ status: "DELETE_IN_PROGRESS" }, ctx)).taskDefinitionArns;
    const report = (task: string, status: string) =>
      SubmitTaskStateChange({ cluster: "c", task, status, containers: [{ containerName: "a", status }] }, ctx);

    it("keeps it while a task of it runs, deletes it once the task has stopped, and never reuses its revision", async () => {
      await register();
      await registerApp();
      const { tasks } = await RunTask({ cluster: "c", taskDefinition: "app:1" }, ctx);
      const task = tasks?.[0].taskArn as string;
      await report(task, "RUNNING");
      await deleteApp1();

      expect(await sweep()).toMatchObject({ purged: 0 });
      expect(await statusOfApp1()).toBe("DELETE_IN_PROGRESS");

      await StopTask({ cluster: "c", task }, ctx);
      expect(await sweep()).toMatchObject({ purged: 0 }); // stopping, not yet STOPPED
      await report(task, "STOPPED");
      expect(await sweep()).toMatchObject({ purged: 1 });

      await expect(DescribeTaskDefinition({ taskDefinition: "app:1" }, ctx)).rejects.toMatchObject({
        name: "ClientException",
        message: "Unable to describe task definition.",
      });
      expect(await deleting()).toEqual([]);
      expect(await sweep()).toMatchObject({ purged: 0 });

      clock += 3_600_000; // long after: whatever the stores purge meanwhile, the revision stays taken
      await sweep();
      expect(await registerApp()).toBe(2);
    });

    it("keeps it while a live service's deployment runs it, and deletes another that nothing uses", async () => {
      await registerApp();
      await RegisterTaskDefinition(
        { family: "unused", containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }] },
        ctx,
      );
      await CreateService({ cluster: "c", serviceName: "web", taskDefinition: "app:1", desiredCount: 0 }, ctx);
      await deleteApp1();
      await DeregisterTaskDefinition({ taskDefinition: "unused:1" }, ctx);
      await DeleteTaskDefinitions({ taskDefinitions: ["unused:1"] }, ctx);
      expect(await deleting()).toHaveLength(2);

      expect(await sweep()).toMatchObject({ purged: 1 });
      expect(await sweep()).toMatchObject({ purged: 0 });
      expect(await statusOfApp1()).toBe("DELETE_IN_PROGRESS");
      expect(await deleting()).toEqual(["arn:aws:ecs:us-east-1:000000000000:task-definition/app:1"]);
    });
  });
  describe("with the capacity provider the deployment declares (BERTH_CAPACITY_PROVIDERS)", () => {
    const GROUP =
      "arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:1f2e3d4c:autoScalingGroupName/berth-hosts";
    const hosts: DeclaredProvider = {
      name: "berth-hosts",
      cluster: "fleet",
      autoScalingGroupProvider: {
        autoScalingGroupArn: GROUP,
        managedScaling: { status: "ENABLED", targetCapacity: 90 },
        managedTerminationProtection: "ENABLED",
      },
    };
    const provider = async (name = "berth-hosts") =>
      (await DescribeCapacityProviders({ capacityProviders: [name] }, ctx)).capacityProviders?.[0];
    const cluster = async (name = "fleet") => (await DescribeClusters({ clusters: [name] }, ctx)).clusters?.[0];

    it("reads the declaration the infra writes, and refuses a malformed one naming the variable", () => {
      expect(declaredProvidersFromEnv({ BERTH_CAPACITY_PROVIDERS: JSON.stringify([hosts]) })).toEqual([hosts]);
      expect(declaredProvidersFromEnv({})).toEqual([]);
      expect(() => declaredProvidersFromEnv({ BERTH_CAPACITY_PROVIDERS: "[{" })).toThrow(/BERTH_CAPACITY_PROVIDERS/);
      expect(() => declaredProvidersFromEnv({ BERTH_CAPACITY_PROVIDERS: '[{"name":"x"}]' })).toThrow(
        /autoScalingGroupArn/,
      );
    });

    it("creates it and its cluster, with it as the default strategy, then leaves them be", async () => {
      declared = [hosts];
      expect(await sweep()).toMatchObject({ declared: 1 });
      expect(await provider()).toMatchObject({
        status: "ACTIVE",
        autoScalingGroupProvider: {
          autoScalingGroupArn: GROUP,
          managedScaling: { status: "ENABLED", targetCapacity: 90, maximumScalingStepSize: 10_000 },
          managedTerminationProtection: "ENABLED",
        },
      });
      expect(await cluster()).toMatchObject({
        status: "ACTIVE",
        capacityProviders: ["berth-hosts"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "berth-hosts", base: 0, weight: 1 }],
      });
      // Level-triggered: a second sweep finds both as declared and writes nothing.
      const versions = async () => [
        (await ctx.store.getCapacityProvider("berth-hosts"))?.version,
        (await ctx.store.getCluster("fleet"))?.version,
      ];
      const before = await versions();
      expect(await sweep()).toMatchObject({ declared: 0 });
      expect(await versions()).toEqual(before);

      // Compared by value: the same settings read back with their keys in another order are the same.
      const record = (await ctx.store.getCapacityProvider("berth-hosts")) as CapacityProviderRecord;
      const reversed = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).reverse()) as T;
      const asg = record.capacityProvider.autoScalingGroupProvider as AutoScalingGroupProvider;
      const reordered = reversed({ ...asg, managedScaling: reversed(asg.managedScaling ?? {}) });
      await ctx.store.commit([
        put("capacityProvider", {
          ...record,
          capacityProvider: { ...record.capacityProvider, autoScalingGroupProvider: reordered },
        }),
      ]);
      const rewritten = await versions();
      expect(await sweep()).toMatchObject({ declared: 0 });
      expect(await versions()).toEqual(rewritten);
    });

    it("writes the owning cluster on a provider its cluster lists but that has none (a record from before owners were kept)", async () => {
      declared = [hosts];
      await sweep();
      const record = (await ctx.store.getCapacityProvider("berth-hosts")) as CapacityProviderRecord;
      expect(record.cluster).toBe("fleet");
      await ctx.store.commit([put("capacityProvider", { ...record, cluster: undefined })]);
      expect(await sweep()).toMatchObject({ declared: 1 });
      expect((await ctx.store.getCapacityProvider("berth-hosts"))?.cluster).toBe("fleet");
      expect(await cluster()).toMatchObject({ capacityProviders: ["berth-hosts"] });
      expect(await sweep()).toMatchObject({ declared: 0 });
    });

    it("joins an existing cluster beside its providers and keeps its default strategy", async () => {
      await CreateCapacityProvider(
        {
          name: "spare",
          autoScalingGroupProvider: { autoScalingGroupArn: GROUP.replace("berth-hosts", "spare") },
        },
        ctx,
      );
      await PutClusterCapacityProviders(
        {
          cluster: "c",
          capacityProviders: ["spare"],
          defaultCapacityProviderStrategy: [{ capacityProvider: "spare" }],
        },
        ctx,
      );
      declared = [{ ...hosts, cluster: "c" }];
      expect(await sweep()).toMatchObject({ declared: 1 });
      expect(await cluster("c")).toMatchObject({
        capacityProviders: ["spare", "berth-hosts"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "spare", base: 0, weight: 0 }],
      });
    });

    it("brings back what a user changed or deleted: settings, the association, the provider", async () => {
      declared = [hosts];
      await sweep();
      await UpdateCapacityProvider(
        { name: "berth-hosts", autoScalingGroupProvider: { managedScaling: { targetCapacity: 50 } } },
        ctx,
      );
      expect(await sweep()).toMatchObject({ declared: 1 });
      expect((await provider())?.autoScalingGroupProvider?.managedScaling?.targetCapacity).toBe(90);

      await PutClusterCapacityProviders(
        { cluster: "fleet", capacityProviders: [], defaultCapacityProviderStrategy: [] },
        ctx,
      );
      await DeleteCapacityProvider({ capacityProvider: "berth-hosts" }, ctx);
      expect((await provider())?.status).toBe("INACTIVE");
      expect(await sweep()).toMatchObject({ declared: 1 });
      expect((await provider())?.status).toBe("ACTIVE");
      expect((await cluster())?.capacityProviders).toEqual(["berth-hosts"]);
    });

    it("reports a declaration it cannot satisfy (its group another provider's) and goes on with the rest", async () => {
      await CreateCapacityProvider({ name: "theirs", autoScalingGroupProvider: { autoScalingGroupArn: GROUP } }, ctx);
      const reported: string[] = [];
      ctx.onBackgroundError = (error, what) => void reported.push(`${what}: ${(error as Error).message}`);
      const other = GROUP.replace("berth-hosts", "more-hosts");
      declared = [hosts, { ...hosts, name: "more", autoScalingGroupProvider: { autoScalingGroupArn: other } }];
      expect(await sweep()).toMatchObject({ declared: 1 });
      expect(reported).toEqual([
        expect.stringMatching(/^capacity provider berth-hosts declared by the deployment: .*already being used/),
      ]);
      expect((await provider("more"))?.status).toBe("ACTIVE");
      expect(await provider()).toBeUndefined();
    });
  });
});
