import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, awsCliPresent } from "../support/awsCli.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/** `aws application-autoscaling … --endpoint-url` against Berth: a service's target and policy, as a user sets them. */
const inCi = process.env.CI === "true";
if (!awsCliPresent() && !inCi)
  console.warn("e2e/autoScalingCli: skipped, `aws` is not on PATH (CI=true makes this fail).");

describe.skipIf(!awsCliPresent() && !inCi)("aws application-autoscaling against Berth", { timeout: 120_000 }, () => {
  let berth: TestBerth;
  const aas = async (...args: string[]) => {
    const out = await awsCli(
      { url: berth.url, ...berth.credentials, region: "us-east-1" },
      "application-autoscaling",
      args,
    );
    return out.trim() === "" ? {} : JSON.parse(out);
  };
  const RESOURCE = [
    "--service-namespace",
    "ecs",
    "--resource-id",
    "service/cli/web",
    "--scalable-dimension",
    "ecs:service:DesiredCount",
  ];

  beforeAll(async () => {
    if (!awsCliPresent()) throw new Error("CI=true but `aws` is not on PATH.");
    berth = await startBerth();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "cli" }));
    await berth.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "cli",
        containerDefinitions: [{ name: "app", image: "busybox", cpu: 256, memory: 128, essential: true }],
      }),
    );
    await berth.ecs.send(
      new CreateServiceCommand({ cluster: "cli", serviceName: "web", taskDefinition: "cli", desiredCount: 1 }),
    );
  });
  afterAll(() => berth?.stop());

  it("registers a target, puts a target tracking policy, describes both, refuses another namespace, and deregisters", async () => {
    const registered = await aas("register-scalable-target", ...RESOURCE, "--min-capacity", "1", "--max-capacity", "3");
    expect(registered.ScalableTargetARN).toMatch(/^arn:aws:application-autoscaling:/);
    const config = JSON.stringify({
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
      ScaleOutCooldown: 10,
      ScaleInCooldown: 30,
    });
    const policy = await aas(
      "put-scaling-policy",
      ...RESOURCE,
      "--policy-name",
      "cpu50",
      "--policy-type",
      "TargetTrackingScaling",
      "--target-tracking-scaling-policy-configuration",
      config,
    );
    expect(policy.PolicyARN).toContain(":policyName/cpu50");

    const targets = await aas("describe-scalable-targets", "--service-namespace", "ecs");
    expect(targets.ScalableTargets).toEqual([
      expect.objectContaining({ ResourceId: "service/cli/web", MinCapacity: 1, MaxCapacity: 3 }),
    ]);
    const policies = await aas(
      "describe-scaling-policies",
      "--service-namespace",
      "ecs",
      "--resource-id",
      "service/cli/web",
    );
    expect(policies.ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration).toMatchObject({
      TargetValue: 50,
      ScaleOutCooldown: 10,
      ScaleInCooldown: 30,
    });
    const activities = await aas("describe-scaling-activities", "--service-namespace", "ecs");
    expect(activities.ScalingActivities).toEqual([]);

    await expect(
      aas(
        "register-scalable-target",
        "--service-namespace",
        "dynamodb",
        "--resource-id",
        "table/t",
        "--scalable-dimension",
        "dynamodb:table:ReadCapacityUnits",
        "--min-capacity",
        "1",
        "--max-capacity",
        "2",
      ),
    ).rejects.toThrow(/ValidationException.*Unsupported service namespace, resource type or scalable dimension/);

    await aas("deregister-scalable-target", ...RESOURCE);
    expect((await aas("describe-scalable-targets", "--service-namespace", "ecs")).ScalableTargets).toEqual([]);
    await expect(aas("deregister-scalable-target", ...RESOURCE)).rejects.toThrow(/ObjectNotFoundException/);
  });
});
