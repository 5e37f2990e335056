/**
 * Managed scaling against a real Auto Scaling API (moto's server): the sweep sets the group's
 * desired capacity from the capacity provider's reservation (a service's tasks that found no
 * room ask for one more instance; tasks that place fine, or that one more instance would not
 * take either, ask for none; no tasks, none), and managed termination protection keeps the
 * instances that hold tasks protected from scale-in, and lets the others go.
 */
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from "@aws-sdk/client-auto-scaling";
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { motoMissing } from "../cloud/standIns/moto.ts";
import { until } from "../support/poll.ts";
import {
  describeGroup,
  groupAndCluster as groupAndClusterOf,
  managedProvider as managedProviderOf,
  protectedIn as protectedInOf,
  register as registerIn,
  suiteScalingBench,
} from "../support/scalingGroups.ts";

const missing = motoMissing();
const bench = suiteScalingBench(missing);

const ecs = () => bench.berth.ecs;
const group = (name: string) => describeGroup(bench, name);
const groupAndClusterOnly = (name: string, size: number, minSize = 0, maxSize = size) =>
  groupAndClusterOf(bench, name, size, minSize, maxSize);
const register = (cluster: string, instanceId: string, groupAttribute?: string) =>
  registerIn(bench, cluster, instanceId, groupAttribute);
const managedProvider = (name: string) => managedProviderOf(bench, name);
const protectedIn = (name: string, instanceId: string) => protectedInOf(bench, name, instanceId);

/** A group of `size` instances (minimum 0), and a cluster of the same name with a task definition. */
async function groupAndCluster(name: string, size: number): Promise<string[]> {
  const instances = await groupAndClusterOnly(name, size);
  await family(name, 256);
  return instances;
}

const startOn = (cluster: string, containerInstance: string) =>
  ecs().send(new StartTaskCommand({ cluster, taskDefinition: cluster, containerInstances: [containerInstance] }));

describe.skipIf(missing)("managed scaling", () => {
  it("scales the group out for tasks that found no room, protects busy instances, and scales in when they are gone", async () => {
    await bench.autoScaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: "hosts",
        ImageId: "ami-12c6146b",
        InstanceType: "t3.small",
      }),
    );
    await bench.autoScaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "hosts",
        LaunchConfigurationName: "hosts",
        // At least one: the sweep may run before the service exists, and would otherwise take the idle instance away.
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 1,
        AvailabilityZones: ["us-east-1a"],
      }),
    );
    const [first] = (await group("hosts"))?.Instances ?? [];
    await ecs().send(new CreateClusterCommand({ clusterName: "scaled" }));
    await ecs().send(
      new RegisterContainerInstanceCommand({
        cluster: "scaled",
        instanceIdentityDocument: JSON.stringify({ instanceId: first.InstanceId, region: "us-east-1" }),
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
        attributes: [{ name: "berth.autoscaling-group", value: "hosts" }],
      }),
    );
    await ecs().send(
      new CreateCapacityProviderCommand({
        name: "hosts",
        autoScalingGroupProvider: {
          autoScalingGroupArn: "hosts",
          managedScaling: { status: "ENABLED", targetCapacity: 100, instanceWarmupPeriod: 0 },
          managedTerminationProtection: "ENABLED",
        },
      }),
    );
    await ecs().send(
      new PutClusterCapacityProvidersCommand({
        cluster: "scaled",
        capacityProviders: ["hosts"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "hosts", weight: 1 }],
      }),
    );
    await ecs().send(
      new RegisterTaskDefinitionCommand({
        family: "scaled",
        containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 512 }],
      }),
    );
    // Three tasks of 512 MiB: the instance (1024 MiB) holds two; the third asks for another instance.
    await ecs().send(
      new CreateServiceCommand({ cluster: "scaled", serviceName: "web", taskDefinition: "scaled", desiredCount: 3 }),
    );
    // The same round protects the busy instance, right after it sets the desired capacity.
    await until("the group to grow to 2, its busy instance protected", async () => {
      const g = await group("hosts");
      const busy = g?.Instances?.find((i) => i.InstanceId === first.InstanceId);
      return g?.DesiredCapacity === 2 && busy?.ProtectedFromScaleIn === true;
    });

    // The new instance registers, as its agent would (an unregistered one would hold off any scale-in).
    const second = (await group("hosts"))?.Instances?.find((i) => i.InstanceId !== first.InstanceId);
    await register("scaled", second?.InstanceId ?? "", "hosts");

    // No tasks left: no instance needed (the group keeps its minimum), none protected.
    await ecs().send(new UpdateServiceCommand({ cluster: "scaled", service: "web", desiredCount: 0 }));
    await until("the group to shrink to its minimum, 1, no instance protected", async () => {
      const g = await group("hosts");
      return g?.DesiredCapacity === 1 && !g.Instances?.some((i) => i.ProtectedFromScaleIn);
    });
  });

  it("knows the group's instances from the group (not the attribute), and does not scale in while one is not registered", async () => {
    const [a, b, c] = await groupAndCluster("plain", 3);
    // Registered without the group attribute: still the group's, and a holds a task.
    const arnA = await register("plain", a);
    const arnB = await register("plain", b);
    await startOn("plain", arnA);
    await managedProvider("plain");
    await until("the busy instance to be protected", () => protectedIn("plain", a));
    // A later round protects b: by then the round that protected a has decided the desired capacity.
    await startOn("plain", arnB);
    await until("the second busy instance to be protected", () => protectedIn("plain", b));
    // c is in service and not registered: what it holds is unknown, so the group keeps it.
    const kept = await group("plain");
    expect(kept?.DesiredCapacity).toBe(3);
    expect(kept?.Instances?.map((i) => i.InstanceId).sort()).toEqual([a, b, c].sort());

    // Registered and idle: now it may go, and only it.
    await register("plain", c);
    await until("the group to shrink to its two busy instances", async () => {
      const g = await group("plain");
      return (
        g?.DesiredCapacity === 2 &&
        g.Instances?.map((i) => i.InstanceId)
          .sort()
          .join() === [a, b].sort().join()
      );
    });
  });

  it("protects the busy instance before it lowers the group, so the scale-in takes the idle one", async () => {
    const [busy, idle] = await groupAndCluster("ordered", 2);
    await startOn("ordered", await register("ordered", busy, "ordered"));
    await register("ordered", idle, "ordered");
    // The first round both protects the busy instance and lowers the group by one.
    await managedProvider("ordered");
    await until("the group to shrink to its busy instance", async () => {
      const g = await group("ordered");
      return g?.DesiredCapacity === 1 && g.Instances?.length === 1 && g.Instances[0].InstanceId === busy;
    });
  });
});

/** A group of two registered instances (its minimum 2, its maximum 3) with a managed provider, as the cluster's default strategy. */
async function fullGroup(name: string): Promise<{ instances: string[]; arns: string[] }> {
  const instances = (await groupAndClusterOnly(name, 2, 2, 3)).sort();
  const arns = [await register(name, instances[0], name), await register(name, instances[1], name)];
  await managedProvider(name);
  await ecs().send(
    new PutClusterCapacityProvidersCommand({
      cluster: name,
      capacityProviders: [name],
      defaultCapacityProviderStrategy: [{ capacityProvider: name, weight: 1 }],
    }),
  );
  return { instances, arns };
}

/** A task definition of one container that reserves `memory` MiB. */
const family = (name: string, memory: number) =>
  ecs().send(
    new RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory }],
    }),
  );

const serviceEvents = async (cluster: string, service: string) =>
  ((await ecs().send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0]?.events ?? []).map(
    (e) => e.message ?? "",
  );

/**
 * Two later rounds of managed scaling, each seen through the protection it gives an instance that
 * takes a task (StartTask, outside any service): the first began after the call, and the second
 * after the first had set the group's desired capacity.
 */
async function twoRoundsLater(cluster: string, family: string, instances: string[], arns: string[]) {
  for (const [i, arn] of arns.entries()) {
    await ecs().send(new StartTaskCommand({ cluster, taskDefinition: family, containerInstances: [arn] }));
    await until(`instance ${i + 1} to be protected`, () => protectedIn(cluster, instances[i]));
  }
}

describe.skipIf(missing)("managed scaling counts only tasks that found no room", () => {
  it("does not grow the group for a new service, or a scale-up, whose tasks all find room", async () => {
    const { instances } = await fullGroup("roomy");
    await family("roomy", 128);
    await ecs().send(
      new CreateServiceCommand({
        cluster: "roomy",
        serviceName: "web",
        taskDefinition: "roomy",
        desiredCount: 2,
        placementStrategy: [{ type: "spread", field: "instanceId" }],
      }),
    );
    await ecs().send(new UpdateServiceCommand({ cluster: "roomy", service: "web", desiredCount: 4 }));
    // Spread over both instances: a round that protects both has seen the four tasks placed.
    await until("the service's four tasks to be placed", async () => {
      const [service] =
        (await ecs().send(new DescribeServicesCommand({ cluster: "roomy", services: ["web"] }))).services ?? [];
      return (service?.runningCount ?? 0) + (service?.pendingCount ?? 0) === 4;
    });
    await until("both instances to be protected", async () =>
      (await Promise.all(instances.map((i) => protectedIn("roomy", i)))).every(Boolean),
    );
    const g = await group("roomy");
    expect(g?.DesiredCapacity).toBe(2);
    expect(g?.Instances).toHaveLength(2);
  });

  it("does not grow the group for tasks one more instance would not take: an impossible constraint, a task larger than the instance", async () => {
    const { instances, arns } = await fullGroup("never");
    await family("never", 128);
    // The instances register 1024 MiB each: a task of 4096 fits none of them, nor a new one like them.
    await family("huge", 4096);
    await ecs().send(
      new CreateServiceCommand({
        cluster: "never",
        serviceName: "pinned",
        taskDefinition: "never",
        desiredCount: 1,
        placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type == p5.48xlarge" }],
      }),
    );
    await ecs().send(
      new CreateServiceCommand({ cluster: "never", serviceName: "huge", taskDefinition: "huge", desiredCount: 1 }),
    );
    for (const service of ["pinned", "huge"]) {
      await until(`service ${service} to say it could not place a task`, async () =>
        (await serviceEvents("never", service)).some((m) => m.includes("was unable to place a task")),
      );
    }
    await twoRoundsLater("never", "never", instances, arns);
    const g = await group("never");
    expect(g?.DesiredCapacity).toBe(2);
    expect(g?.Instances).toHaveLength(2);
  });
});
