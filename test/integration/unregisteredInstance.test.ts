/**
 * An instance of a managed group that never registers (its agent failed to start) holds off
 * scale-in only for a while, against moto's Auto Scaling API with the sweep's round called on a
 * clock (SQLite, and DynamoDB Local in the dynamodb project): past the warm-up and a
 * registration margin (Berth's own: ECS documents none), managed scaling gives up on it, lets its
 * protection go and scales in.
 */
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateCapacityProvider } from "../../core/actions/capacityProviders.ts";
import { CreateCluster, PutClusterCapacityProviders } from "../../core/actions/clusters.ts";
import { RegisterContainerInstance } from "../../core/actions/containerInstances.ts";
import { RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import { StartTask } from "../../core/actions/tasks.ts";
import { autoScalingGroupsAt } from "../../core/aws/autoScaling.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { REGISTRATION_MARGIN_MS, scaleCapacityProviders } from "../../core/services/capacityScaling.ts";
import { type Moto, motoMissing, startMoto } from "../cloud/standIns/moto.ts";
import { clockedContext } from "../support/testStore.ts";

const missing = motoMissing();
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let moto: Moto;
let autoScaling: AutoScalingClient;

beforeAll(async () => {
  if (missing) return;
  moto = await startMoto("000000000000");
  autoScaling = new AutoScalingClient({ endpoint: moto.endpoint, region: "us-east-1", credentials });
}, 60_000);
afterAll(async () => {
  autoScaling?.destroy();
  await moto?.stop();
});

const group = async () =>
  (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ["stuck"] })))
    .AutoScalingGroups?.[0];

describe.skipIf(missing)("an instance that never registers", () => {
  it("holds off scale-in for the warm-up and a margin, then is given up on: unprotected, and the group scales in", async () => {
    let clock = Date.UTC(2026, 0, 1);
    const base = await clockedContext(() => clock);
    const ctx: ActionContext = {
      ...base,
      autoScalingGroups: autoScalingGroupsAt(base.partition, { endpoint: moto.endpoint, credentials }),
    };
    await autoScaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: "stuck",
        ImageId: "ami-12c6146b",
        InstanceType: "t3.small",
      }),
    );
    await autoScaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: "stuck",
        LaunchConfigurationName: "stuck",
        MinSize: 0,
        MaxSize: 2,
        DesiredCapacity: 2,
        AvailabilityZones: ["us-east-1a"],
        NewInstancesProtectedFromScaleIn: true,
      }),
    );
    const [busy, never] = ((await group())?.Instances ?? []).map((i) => i.InstanceId ?? "");
    await CreateCluster({ clusterName: "stuck" }, ctx);
    await RegisterTaskDefinition(
      { family: "app", containerDefinitions: [{ name: "app", image: "busybox", memory: 128, essential: true }] },
      ctx,
    );
    const registered = await RegisterContainerInstance(
      {
        cluster: "stuck",
        instanceIdentityDocument: JSON.stringify({ instanceId: busy, region: "us-east-1" }),
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
      },
      ctx,
    );
    await StartTask(
      {
        cluster: "stuck",
        taskDefinition: "app",
        containerInstances: [registered.containerInstance?.containerInstanceArn ?? ""],
      },
      ctx,
    );
    await CreateCapacityProvider(
      {
        name: "stuck",
        autoScalingGroupProvider: {
          autoScalingGroupArn: "stuck",
          managedScaling: { status: "ENABLED", targetCapacity: 100, instanceWarmupPeriod: 60 },
          managedTerminationProtection: "ENABLED",
        },
      },
      ctx,
    );
    await PutClusterCapacityProviders(
      { cluster: "stuck", capacityProviders: ["stuck"], defaultCapacityProviderStrategy: [] },
      ctx,
    );
    const protectedNever = async () =>
      (await group())?.Instances?.find((i) => i.InstanceId === never)?.ProtectedFromScaleIn;

    // One busy instance is all the tasks need, but the other, not registered, may be about to take some.
    await scaleCapacityProviders(ctx);
    clock += 60_000 + REGISTRATION_MARGIN_MS - 1_000;
    await scaleCapacityProviders(ctx);
    expect((await group())?.DesiredCapacity).toBe(2);
    expect(await protectedNever()).toBe(true);

    // Past the warm-up and the margin: it will not register; it goes, the busy one stays.
    clock += 2_000;
    const [round] = await scaleCapacityProviders(ctx);
    expect(round).toMatchObject({ desiredBefore: 2, desiredAfter: 1, unprotected: 1 });
    expect((await group())?.Instances?.map((i) => i.InstanceId)).toEqual([busy]);
  });
});
