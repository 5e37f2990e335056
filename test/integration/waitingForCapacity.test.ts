/**
 * Tasks waiting for capacity, as ECS keeps them on a capacity provider with managed scaling,
 * against a real Auto Scaling API (moto's server): RunTask's and a service's tasks that find no
 * room are accepted in PROVISIONING (desired RUNNING, their provider named, on no instance),
 * counted as pending, counted by managed scaling (as many instances as they need, within the
 * maximum scaling step), and placed when an instance of the group registers. Without managed
 * scaling, or with the EC2 launch type, they fail as before.
 */
import {
  CreateCapacityProviderCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { motoMissing } from "../cloud/standIns/moto.ts";
import { until } from "../support/poll.ts";
import {
  describeGroup,
  groupAndCluster,
  managedProvider,
  register,
  suiteScalingBench,
} from "../support/scalingGroups.ts";

const missing = motoMissing();
const bench = suiteScalingBench(missing);

const ecs = () => bench.berth.ecs;

/** A task definition of the cluster's name whose one container reserves `memory` MiB. */
const family = (name: string, memory: number) =>
  ecs().send(
    new RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory }],
    }),
  );

/** A group of one registered instance (1024 MiB; at most `maxSize`), a managed provider as the cluster's default, tasks of `memory` MiB. */
async function oneInstance(name: string, memory: number, maxSize: number, maximumScalingStepSize?: number) {
  const [instance] = await groupAndCluster(bench, name, 1, 1, maxSize);
  const arn = await register(bench, name, instance, name);
  await managedProvider(bench, name, { asDefault: true, scaling: { maximumScalingStepSize } });
  await family(name, memory);
  return { instance, arn };
}

const describeTask = async (cluster: string, arn: string) =>
  (await ecs().send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];

const desiredCapacity = async (name: string) => (await describeGroup(bench, name))?.DesiredCapacity;

describe.skipIf(missing)("tasks waiting for capacity", () => {
  it("accepts RunTask's tasks that find no room in PROVISIONING, grows the group, and places them when an instance registers", async () => {
    const { instance, arn } = await oneInstance("waits", 512, 4);
    // Three tasks of 512 MiB: the instance holds two, the third waits.
    const run = await ecs().send(new RunTaskCommand({ cluster: "waits", taskDefinition: "waits", count: 3 }));
    expect(run.failures).toEqual([]);
    expect(run.tasks).toHaveLength(3);
    const placed = run.tasks?.filter((t) => t.containerInstanceArn === arn) ?? [];
    const waiting = run.tasks?.filter((t) => t.containerInstanceArn === undefined) ?? [];
    expect(placed.map((t) => t.lastStatus)).toEqual(["PENDING", "PENDING"]);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      capacityProviderName: "waits",
    });
    const waitingArn = waiting[0].taskArn ?? "";
    const [cluster] = (await ecs().send(new DescribeClustersCommand({ clusters: ["waits"] }))).clusters ?? [];
    expect(cluster.pendingTasksCount).toBe(3);
    expect((await ecs().send(new ListTasksCommand({ cluster: "waits" }))).taskArns).toContain(waitingArn);

    await until("the group to grow to 2 for the waiting task", async () => (await desiredCapacity("waits")) === 2);
    // The new instance registers, as its agent would.
    const newcomer = (await describeGroup(bench, "waits"))?.Instances?.find((i) => i.InstanceId !== instance);
    const secondArn = await register(bench, "waits", newcomer?.InstanceId ?? "", "waits");
    await until("the waiting task to be placed on the new instance", async () => {
      const task = await describeTask("waits", waitingArn);
      return task?.containerInstanceArn === secondArn && task.lastStatus === "PENDING";
    });
  });

  it("places a waiting task where a stopped task freed room, at the sweep's next round", async () => {
    // The group may not grow (at most 1): the room must come from a task that stops.
    const { arn } = await oneInstance("freed", 512, 1);
    const run = await ecs().send(new RunTaskCommand({ cluster: "freed", taskDefinition: "freed", count: 3 }));
    const placed = run.tasks?.find((t) => t.containerInstanceArn === arn);
    const waiting = run.tasks?.find((t) => t.lastStatus === "PROVISIONING");
    await ecs().send(new StopTaskCommand({ cluster: "freed", task: placed?.taskArn }));
    await until("the waiting task to take the room freed", async () => {
      const task = await describeTask("freed", waiting?.taskArn ?? "");
      return task?.containerInstanceArn === arn && task.lastStatus === "PENDING";
    });
  });

  it("grows the group by as many instances as the waiting tasks need, within maximumScalingStepSize", async () => {
    // Five tasks of 1024 MiB on one instance of 1024 MiB: one placed, four waiting, one instance each.
    await oneInstance("many", 1024, 10);
    await oneInstance("stepped", 1024, 10, 2);
    for (const cluster of ["many", "stepped"]) {
      const run = await ecs().send(new RunTaskCommand({ cluster, taskDefinition: cluster, count: 5 }));
      expect(run.failures).toEqual([]);
      expect(run.tasks?.filter((t) => t.lastStatus === "PROVISIONING")).toHaveLength(4);
    }
    await until("both groups to grow", async () => (await desiredCapacity("many")) !== 1);
    await until("the stepped group to grow", async () => (await desiredCapacity("stepped")) !== 1);
    expect(await desiredCapacity("many")).toBe(5);
    expect(await desiredCapacity("stepped")).toBe(3);
  });

  it("keeps a service's tasks that find no room in PROVISIONING, counted in its pendingCount", async () => {
    await oneInstance("served", 512, 4);
    await ecs().send(
      new CreateServiceCommand({ cluster: "served", serviceName: "web", taskDefinition: "served", desiredCount: 3 }),
    );
    await until("the service to count its three tasks pending", async () => {
      const [service] =
        (await ecs().send(new DescribeServicesCommand({ cluster: "served", services: ["web"] }))).services ?? [];
      return service?.pendingCount === 3;
    });
    const arns = (await ecs().send(new ListTasksCommand({ cluster: "served", serviceName: "web" }))).taskArns ?? [];
    const tasks = (await ecs().send(new DescribeTasksCommand({ cluster: "served", tasks: arns }))).tasks ?? [];
    expect(tasks.filter((t) => t.lastStatus === "PROVISIONING" && !t.containerInstanceArn)).toHaveLength(1);
    await until("the group to grow to 2", async () => (await desiredCapacity("served")) === 2);
  });

  it("refuses tasks that find no room with failures without managed scaling, or with the EC2 launch type", async () => {
    await oneInstance("managed", 512, 4);
    const [plainInstance] = await groupAndCluster(bench, "plain", 1, 1, 4);
    await register(bench, "plain", plainInstance, "plain");
    await ecs().send(
      new CreateCapacityProviderCommand({ name: "plain", autoScalingGroupProvider: { autoScalingGroupArn: "plain" } }),
    );
    await ecs().send(
      new PutClusterCapacityProvidersCommand({
        cluster: "plain",
        capacityProviders: ["plain"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "plain", weight: 1 }],
      }),
    );
    await family("plain", 512);
    const unmanaged = await ecs().send(new RunTaskCommand({ cluster: "plain", taskDefinition: "plain", count: 3 }));
    const ec2 = await ecs().send(
      new RunTaskCommand({ cluster: "managed", taskDefinition: "managed", count: 3, launchType: "EC2" }),
    );
    for (const answer of [unmanaged, ec2]) {
      expect(answer.tasks).toHaveLength(2);
      expect(answer.tasks?.every((t) => t.lastStatus === "PENDING")).toBe(true);
      expect(answer.failures?.map((f) => f.reason)).toEqual(["RESOURCE:MEMORY"]);
    }
  });
});
