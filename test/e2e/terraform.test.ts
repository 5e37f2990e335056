/**
 * Terraform's AWS provider (hashicorp/aws 5.100.0) against Berth, as a user would run it with
 * endpoint overrides (test/e2e/fixtures/terraform/main.tf): a capacity provider on an Auto
 * Scaling group (moto's server plays EC2 Auto Scaling, and STS for the account id), the
 * cluster's providers with a default strategy, a service with a capacity provider strategy, its
 * scalable target, a target tracking policy on ECSServiceAverageCPUUtilization and a scheduled
 * action: apply, plan with no drift, update in place, import, destroy.
 *
 * Skipped with the reason printed where terraform, the provider's mirror or moto is missing,
 * also under CI=true: CI machines need not have Terraform. Minutes, most of it the provider's
 * own waits (10 s after each cluster change) and start-up per command (docs/testing.md).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Moto, motoMissing, startMoto } from "../cloud/standIns/moto.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";
import { terraformIn, terraformMissing } from "../support/terraform.ts";

const missing = terraformMissing() ?? motoMissing();
if (missing) console.warn(`e2e/terraform: skipped, ${missing}.`);

const CLUSTER = "tf";
const GROUP = "tf-hosts";
const FIXTURE = join(import.meta.dirname, "fixtures/terraform/main.tf");
const UPDATE = [
  "-var",
  "target_capacity=75",
  "-var",
  "cpu_target=60",
  "-var",
  "max_capacity=6",
  "-var",
  "strategy_base=0",
];

describe.skipIf(missing)("Terraform's AWS provider against Berth", { timeout: 300_000 }, () => {
  let moto: Moto;
  let berth: TestBerth;
  let autoScaling: AutoScalingClient;
  let aas: ApplicationAutoScalingClient;
  let dir: string;
  let tf: ReturnType<typeof terraformIn>;

  beforeAll(async () => {
    moto = await startMoto("000000000000");
    const motoCredentials = { accessKeyId: "test", secretAccessKey: "test" };
    autoScaling = new AutoScalingClient({ endpoint: moto.endpoint, region: "us-east-1", credentials: motoCredentials });
    await autoScaling.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: GROUP,
        ImageId: "ami-12c6146b",
        InstanceType: "t3.small",
      }),
    );
    await autoScaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: GROUP,
        LaunchConfigurationName: GROUP,
        MinSize: 0,
        MaxSize: 3,
        DesiredCapacity: 0,
        AvailabilityZones: ["us-east-1a"],
      }),
    );
    const groupArn = (await group())?.AutoScalingGroupARN ?? "";
    berth = await startBerth(undefined, {
      scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 },
      autoScaling: { endpoint: moto.endpoint, credentials: motoCredentials },
    });
    aas = new ApplicationAutoScalingClient({
      endpoint: berth.url,
      region: "us-east-1",
      credentials: berth.credentials,
    });
    dir = mkdtempSync(join(tmpdir(), "berth-terraform-"));
    cpSync(FIXTURE, join(dir, "main.tf"));
    tf = terraformIn(dir, {
      berth_endpoint: berth.url,
      autoscaling_endpoint: moto.endpoint,
      access_key: berth.credentials.accessKeyId,
      secret_key: berth.credentials.secretAccessKey,
      group_arn: groupArn,
      cluster: CLUSTER,
    });
    await tf.expectCode(0, "init", "-input=false");
  }, 90_000);
  afterAll(async () => {
    aas?.destroy();
    autoScaling?.destroy();
    await berth?.stop();
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const group = async () =>
    (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GROUP] })))
      .AutoScalingGroups?.[0];
  const provider = async () =>
    (await berth.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: [`${CLUSTER}-hosts`] })))
      .capacityProviders?.[0];
  const cluster = async () =>
    (await berth.ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))).clusters?.[0];
  const service = async () =>
    (await berth.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"] }))).services?.[0];
  const resource = { ServiceNamespace: "ecs", ResourceId: `service/${CLUSTER}/web` } as const;
  const noDrift = (...vars: string[]) => tf.expectCode(0, "plan", "-detailed-exitcode", "-input=false", ...vars);

  it("applies: Berth holds what the configuration says, and managed scaling acts on the group", async () => {
    const applied = await tf.expectCode(0, "apply", "-auto-approve", "-input=false");
    expect(applied.stdout).toContain("Resources: 8 added, 0 changed, 0 destroyed.");

    expect((await provider())?.autoScalingGroupProvider).toEqual({
      autoScalingGroupArn: (await group())?.AutoScalingGroupARN,
      managedScaling: {
        status: "ENABLED",
        targetCapacity: 90,
        minimumScalingStepSize: 1,
        maximumScalingStepSize: 2,
        instanceWarmupPeriod: 60,
      },
      managedTerminationProtection: "ENABLED",
      managedDraining: "ENABLED",
    });
    expect(await cluster()).toMatchObject({
      capacityProviders: [`${CLUSTER}-hosts`],
      defaultCapacityProviderStrategy: [{ capacityProvider: `${CLUSTER}-hosts`, base: 1, weight: 100 }],
    });
    expect((await service())?.capacityProviderStrategy).toEqual([
      { capacityProvider: `${CLUSTER}-hosts`, base: 1, weight: 1 },
    ]);
    const targets = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }));
    expect(targets.ScalableTargets).toMatchObject([
      { ResourceId: `service/${CLUSTER}/web`, MinCapacity: 1, MaxCapacity: 4 },
    ]);
    const policies = await aas.send(new DescribeScalingPoliciesCommand(resource));
    expect(policies.ScalingPolicies?.[0]?.TargetTrackingScalingPolicyConfiguration).toMatchObject({
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
    });
    const scheduled = await aas.send(new DescribeScheduledActionsCommand(resource));
    expect(scheduled.ScheduledActions).toMatchObject([
      { ScheduledActionName: "mornings", Schedule: "cron(0 8 * * ? *)", Timezone: "Europe/Paris" },
    ]);
    // The service's task found no instance in the group, so the sweep grows it from zero: one
    // instance needed at a 90 % target is ⌈1 × 100 / 90⌉ = 2 (within the maximum step of 2).
    await until(
      "the sweep to grow the provider's group",
      async () => (await group())?.DesiredCapacity === 2,
      30_000,
      250,
    );
  });

  it("plans no change after the apply", () => noDrift());

  it("updates in place: the provider's target capacity, both strategies, the target, the policy, the schedule", async () => {
    const updated = await tf.expectCode(0, "apply", "-auto-approve", "-input=false", ...UPDATE);
    expect(updated.stdout).toContain("Resources: 0 added, 6 changed, 0 destroyed.");
    expect((await provider())?.autoScalingGroupProvider?.managedScaling?.targetCapacity).toBe(75);
    expect((await cluster())?.defaultCapacityProviderStrategy).toEqual([
      { capacityProvider: `${CLUSTER}-hosts`, base: 0, weight: 100 },
    ]);
    expect((await service())?.capacityProviderStrategy).toEqual([
      { capacityProvider: `${CLUSTER}-hosts`, base: 0, weight: 1 },
    ]);
    const targets = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }));
    expect(targets.ScalableTargets?.[0]?.MaxCapacity).toBe(6);
    const policies = await aas.send(new DescribeScalingPoliciesCommand(resource));
    expect(policies.ScalingPolicies?.[0]?.TargetTrackingScalingPolicyConfiguration?.TargetValue).toBe(60);
    const scheduled = await aas.send(new DescribeScheduledActionsCommand(resource));
    expect(scheduled.ScheduledActions?.[0]?.ScalableTargetAction).toEqual({ MinCapacity: 2, MaxCapacity: 6 });
    await noDrift(...UPDATE);
  });

  it("imports what it forgot, and then plans no change", async () => {
    // aws_appautoscaling_scheduled_action has no import in this provider version: it stays in the state.
    const imports: Record<string, string> = {
      "aws_ecs_cluster.this": CLUSTER,
      "aws_ecs_capacity_provider.hosts": `${CLUSTER}-hosts`,
      "aws_ecs_cluster_capacity_providers.this": CLUSTER,
      "aws_ecs_service.web": `${CLUSTER}/web`,
      "aws_appautoscaling_target.web": `ecs/service/${CLUSTER}/web/ecs:service:DesiredCount`,
      "aws_appautoscaling_policy.cpu": `ecs/service/${CLUSTER}/web/ecs:service:DesiredCount/cpu`,
    };
    await tf.expectCode(0, "state", "rm", ...Object.keys(imports));
    writeFileSync(
      join(dir, "imports.tf"),
      Object.entries(imports)
        .map(([to, id]) => `import {\n  to = ${to}\n  id = "${id}"\n}\n`)
        .join(""),
    );
    const imported = await tf.expectCode(0, "apply", "-auto-approve", "-input=false", ...UPDATE);
    // The one change is the provider's own arguments of the service, which no API returns
    // (force_new_deployment, wait_for_steady_state): the same on AWS.
    expect(imported.stdout).toContain("Resources: 6 imported, 0 added, 1 changed, 0 destroyed.");
    expect(imported.stdout).toMatch(/\+ force_new_deployment\s+= true/);
    rmSync(join(dir, "imports.tf"));
    await noDrift(...UPDATE);
  });

  it("destroys: nothing of it is left in Berth", async () => {
    const destroyed = await tf.expectCode(0, "destroy", "-auto-approve", "-input=false", ...UPDATE);
    expect(destroyed.stdout).toContain("Resources: 8 destroyed.");
    expect((await provider())?.status).toBe("INACTIVE");
    expect((await cluster())?.status).toBe("INACTIVE");
    expect((await berth.ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toEqual([]);
    expect((await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }))).ScalableTargets).toEqual(
      [],
    );
    expect((await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: "ecs" }))).ScheduledActions).toEqual(
      [],
    );
  });
});
