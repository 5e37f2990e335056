/**
 * Managed scaling's test bench: moto's Auto Scaling API and a local Berth that sweeps every
 * second against it, with the few steps the suites share (a group and a cluster of one name,
 * an instance registered as its agent would, a capacity provider with managed scaling).
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
  type ManagedScaling,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll } from "vitest";
import { type Moto, startMoto } from "../cloud/standIns/moto.ts";
import { startBerth, type TestBerth } from "./berth.ts";

export interface ScalingBench {
  moto: Moto;
  berth: TestBerth;
  autoScaling: AutoScalingClient;
  stop(): Promise<void>;
}

export async function startScalingBench(): Promise<ScalingBench> {
  const moto = await startMoto("000000000000");
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const autoScaling = new AutoScalingClient({ endpoint: moto.endpoint, region: "us-east-1", credentials });
  const berth = await startBerth(undefined, {
    scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 },
    autoScaling: { endpoint: moto.endpoint, credentials },
  });
  return {
    moto,
    berth,
    autoScaling,
    async stop() {
      autoScaling.destroy();
      await berth.stop();
      await moto.stop();
    },
  };
}

/** The suite's bench, started before its tests and stopped after them (this registers the hooks); none when moto is missing. */
export function suiteScalingBench(missing: string | undefined): ScalingBench {
  const bench = {} as ScalingBench;
  beforeAll(async () => {
    if (!missing) Object.assign(bench, await startScalingBench());
  }, 60_000);
  afterAll(async () => {
    await bench.stop?.();
  });
  return bench;
}

export const describeGroup = async (bench: ScalingBench, name: string) =>
  (await bench.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })))
    .AutoScalingGroups?.[0];

/** A group of `size` instances (minimum `minSize`, maximum `maxSize`) and a cluster of the same name: its instance ids. */
export async function groupAndCluster(
  bench: ScalingBench,
  name: string,
  size: number,
  minSize = 0,
  maxSize = size,
): Promise<string[]> {
  await bench.autoScaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: name,
      ImageId: "ami-12c6146b",
      InstanceType: "t3.small",
    }),
  );
  await bench.autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchConfigurationName: name,
      MinSize: minSize,
      MaxSize: maxSize,
      DesiredCapacity: size,
      AvailabilityZones: ["us-east-1a"],
    }),
  );
  await bench.berth.ecs.send(new CreateClusterCommand({ clusterName: name }));
  return ((await describeGroup(bench, name))?.Instances ?? []).map((i) => i.InstanceId ?? "");
}

/** Registers the EC2 instance (2048 CPU units, 1024 MiB) in the cluster, with the group attribute only when given: its container instance ARN. */
export async function register(
  bench: ScalingBench,
  cluster: string,
  instanceId: string,
  groupAttribute?: string,
): Promise<string> {
  const answer = await bench.berth.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      instanceIdentityDocument: JSON.stringify({ instanceId, region: "us-east-1" }),
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 2048 },
        { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
      ],
      attributes: groupAttribute ? [{ name: "berth.autoscaling-group", value: groupAttribute }] : [],
    }),
  );
  return answer.containerInstance?.containerInstanceArn ?? "";
}

/**
 * A provider for the group of the same name, with managed scaling (target 100 %, no warm-up,
 * unless `scaling` says otherwise) and termination protection, on the cluster of that name;
 * the cluster's default strategy when `asDefault`.
 */
export async function managedProvider(
  bench: ScalingBench,
  name: string,
  options: { scaling?: ManagedScaling; asDefault?: boolean } = {},
) {
  await bench.berth.ecs.send(
    new CreateCapacityProviderCommand({
      name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: name,
        managedScaling: { status: "ENABLED", targetCapacity: 100, instanceWarmupPeriod: 0, ...options.scaling },
        managedTerminationProtection: options.scaling?.status === "DISABLED" ? "DISABLED" : "ENABLED",
      },
    }),
  );
  await bench.berth.ecs.send(
    new PutClusterCapacityProvidersCommand({
      cluster: name,
      capacityProviders: [name],
      defaultCapacityProviderStrategy: options.asDefault ? [{ capacityProvider: name, weight: 1 }] : [],
    }),
  );
}

export const protectedIn = async (bench: ScalingBench, name: string, instanceId: string) =>
  (await describeGroup(bench, name))?.Instances?.find((i) => i.InstanceId === instanceId)?.ProtectedFromScaleIn ===
  true;
