import {
  ApplicationAutoScalingClient,
  type MetricType,
  PutScalingPolicyCommand,
  type StepScalingPolicyConfiguration,
  type TargetTrackingScalingPolicyConfiguration,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { expect } from "vitest";
import type { TestBerth } from "./berth.ts";
import { rawCall } from "./rawCall.ts";
import type { servicePlay } from "./servicePlay.ts";

/** An ECS service's Application Auto Scaling resource (`service/<cluster>/<service>`, its desired count). */
export const serviceResource = (cluster: string, service: string) =>
  ({
    ServiceNamespace: "ecs",
    ResourceId: `service/${cluster}/${service}`,
    ScalableDimension: "ecs:service:DesiredCount",
  }) as const;

/** PutScalingPolicy of a target tracking policy on one of the predefined ECS service metrics. */
export const targetTracking = (
  resource: ReturnType<typeof serviceResource>,
  PolicyName: string,
  metric: MetricType,
  TargetValue: number,
  more: Omit<TargetTrackingScalingPolicyConfiguration, "TargetValue"> = {},
) =>
  new PutScalingPolicyCommand({
    ...resource,
    PolicyName,
    PolicyType: "TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue,
      PredefinedMetricSpecification: { PredefinedMetricType: metric },
      ...more,
    },
  });

/** A cluster with one instance (played) and a service `web` of `desiredCount` tasks that reserve 256 CPU units and 128 MiB each; the instance's id. */
export async function scaledService(
  berth: TestBerth,
  play: ReturnType<typeof servicePlay>,
  cluster: string,
  desiredCount = 1,
): Promise<string> {
  await berth.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await berth.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: cluster,
      containerDefinitions: [{ name: "app", image: "busybox", cpu: 256, memory: 128, essential: true }],
    }),
  );
  const instance = await play.registerInstance(cluster);
  await berth.ecs.send(
    new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: cluster, desiredCount }),
  );
  return instance;
}

/** The agent's heartbeat, reporting each task's CPU (percent of a core) and memory (MiB). */
export async function reportUtilization(
  berth: TestBerth,
  cluster: string,
  instance: string,
  tasks: Task[],
  cpuPercent: number,
  memoryMiB = 32,
): Promise<void> {
  const utilization = {
    cpuPercent: 50,
    memoryUsedMiB: 512,
    memoryTotalMiB: 4096,
    tasks: tasks.map((t) => ({ taskArn: t.taskArn, cpuPercent, memoryMiB })),
  };
  const response = await rawCall(
    berth,
    "Berth_20261124.Heartbeat",
    JSON.stringify({ cluster, containerInstance: instance, utilization }),
  );
  expect(response.status).toBe(200);
}

/** An Application Auto Scaling client of a test Berth, with no retries (a refusal shows at once). */
export const scalingClient = (berth: TestBerth) =>
  new ApplicationAutoScalingClient({
    endpoint: berth.url,
    region: "us-east-1",
    credentials: berth.credentials,
    maxAttempts: 1,
  });

/** PutScalingPolicy of a step scaling policy. */
export const stepScaling = (
  resource: ReturnType<typeof serviceResource>,
  PolicyName: string,
  StepScalingPolicyConfiguration: StepScalingPolicyConfiguration,
) =>
  new PutScalingPolicyCommand({ ...resource, PolicyName, PolicyType: "StepScaling", StepScalingPolicyConfiguration });

/** `aws cloudwatch put-metric-alarm`'s arguments for a one-period alarm (10 s) on an ECS service's average CPUUtilization. */
export const cpuAlarmArgs = (
  name: string,
  cluster: string,
  service: string,
  operator: string,
  threshold: number,
  actions: string[],
) => [
  "put-metric-alarm",
  "--alarm-name",
  name,
  "--namespace",
  "AWS/ECS",
  "--metric-name",
  "CPUUtilization",
  "--dimensions",
  `Name=ClusterName,Value=${cluster}`,
  `Name=ServiceName,Value=${service}`,
  "--statistic",
  "Average",
  "--period",
  "10",
  "--evaluation-periods",
  "1",
  "--threshold",
  String(threshold),
  "--comparison-operator",
  operator,
  ...(actions.length > 0 ? ["--alarm-actions", ...actions] : []),
];
