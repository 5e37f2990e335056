/**
 * Managed scaling against a real Auto Scaling API (moto's server): the sweep sets the group's
 * desired capacity from the capacity provider's reservation (a service's tasks that found no
 * room ask for one more instance; no tasks, none), and managed termination protection keeps the
 * instances that hold tasks protected from scale-in, and lets the others go.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type Moto, motoMissing, startMoto } from "../cloud/standIns/moto.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";

const missing = motoMissing();
let moto: Moto;
let berth: TestBerth;
let autoScaling: AutoScalingClient;

beforeAll(async () => {
  if (missing) return;
  moto = await startMoto("000000000000");
  autoScaling = new AutoScalingClient({
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  berth = await startBerth(undefined, {
    scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 },
    autoScaling: { endpoint: moto.endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } },
  });
}, 60_000);
afterAll(async () => {
  autoScaling?.destroy();
  await berth?.stop();
  await moto?.stop();
});

const group = async (name: string) =>
  (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
    .AutoScalingGroups?.[0];

describe.skipIf(missing)("managed scaling", () => {
  it("scales the group out for tasks that found no room, protects busy instances, and scales in when they are gone", async () => {
    await autoScaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: "hosts",
        ImageId: "ami-12c6146b",
        InstanceType: "t3.small",
      }),
    );
    await autoScaling.send(
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
    const ecs = berth.ecs;
    await ecs.send(new CreateClusterCommand({ clusterName: "scaled" }));
    await ecs.send(
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
    await ecs.send(
      new CreateCapacityProviderCommand({
        name: "hosts",
        autoScalingGroupProvider: {
          autoScalingGroupArn: "hosts",
          managedScaling: { status: "ENABLED", targetCapacity: 100, instanceWarmupPeriod: 0 },
          managedTerminationProtection: "ENABLED",
        },
      }),
    );
    await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: "scaled",
        capacityProviders: ["hosts"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "hosts", weight: 1 }],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "scaled",
        containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 512 }],
      }),
    );
    // Three tasks of 512 MiB: the instance (1024 MiB) holds two; the third asks for another instance.
    await ecs.send(
      new CreateServiceCommand({ cluster: "scaled", serviceName: "web", taskDefinition: "scaled", desiredCount: 3 }),
    );
    // The same round protects the busy instance, right after it sets the desired capacity.
    await until("the group to grow to 2, its busy instance protected", async () => {
      const g = await group("hosts");
      const busy = g?.Instances?.find((i) => i.InstanceId === first.InstanceId);
      return g?.DesiredCapacity === 2 && busy?.ProtectedFromScaleIn === true;
    });

    // No tasks left: no instance needed (the group keeps its minimum), none protected.
    await ecs.send(new UpdateServiceCommand({ cluster: "scaled", service: "web", desiredCount: 0 }));
    await until("the group to shrink to its minimum, 1, no instance protected", async () => {
      const g = await group("hosts");
      return g?.DesiredCapacity === 1 && !g.Instances?.some((i) => i.ProtectedFromScaleIn);
    });
  });
});
