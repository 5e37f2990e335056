/**
 * RunTask with a capacity provider strategy, through @aws-sdk/client-ecs: tasks go to the
 * instances of each provider's Auto Scaling group (the `berth.autoscaling-group` attribute),
 * split by base and weight, carry `capacityProviderName`; the cluster's default strategy applies
 * when neither a strategy nor a launch type is given; a launch type and a strategy together, and
 * Fargate's providers, are refused.
 */
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type Resource,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { failure } from "../support/failure.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
  await berth.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "cp-app",
      containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 128, cpu: 128 }],
    }),
  );
});
afterAll(() => berth.stop());

const resources: Resource[] = [
  { name: "CPU", type: "INTEGER", integerValue: 4096 },
  { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
];

/** A cluster with providers `a` and `b` (groups `<cluster>-a`, `<cluster>-b`), an instance in each group and one in none. */
async function clusterWithProviders(
  cluster: string,
  defaultStrategy: { capacityProvider: string; weight?: number; base?: number }[] = [],
) {
  await berth.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const instances: Record<string, string> = {};
  for (const group of ["a", "b", "none"]) {
    if (group !== "none") {
      await berth.ecs.send(
        new CreateCapacityProviderCommand({
          name: `${cluster}-${group}`,
          autoScalingGroupProvider: { autoScalingGroupArn: `${cluster}-${group}-asg` },
        }),
      );
    }
    const { containerInstance } = await berth.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster,
        totalResources: resources,
        attributes: group === "none" ? [] : [{ name: "berth.autoscaling-group", value: `${cluster}-${group}-asg` }],
      }),
    );
    instances[group] = containerInstance?.containerInstanceArn as string;
  }
  await berth.ecs.send(
    new PutClusterCapacityProvidersCommand({
      cluster,
      capacityProviders: [`${cluster}-a`, `${cluster}-b`, "FARGATE"],
      defaultCapacityProviderStrategy: defaultStrategy,
    }),
  );
  return instances;
}

const run = (input: Omit<ConstructorParameters<typeof RunTaskCommand>[0], "taskDefinition">) =>
  berth.ecs.send(new RunTaskCommand({ taskDefinition: "cp-app", ...input }));

const byProvider = (tasks: { capacityProviderName?: string; containerInstanceArn?: string }[]) => {
  const counts: Record<string, number> = {};
  for (const t of tasks) counts[t.capacityProviderName ?? "-"] = (counts[t.capacityProviderName ?? "-"] ?? 0) + 1;
  return counts;
};

describe("RunTask with a capacity provider strategy", () => {
  it("splits the tasks by base and weight, each on its provider's group", async () => {
    const instances = await clusterWithProviders("split");
    const { tasks, failures } = await run({
      cluster: "split",
      count: 10,
      capacityProviderStrategy: [
        { capacityProvider: "split-a", base: 2, weight: 1 },
        { capacityProvider: "split-b", weight: 3 },
      ],
    });
    expect(failures).toEqual([]);
    expect(byProvider(tasks ?? [])).toEqual({ "split-a": 4, "split-b": 6 });
    for (const task of tasks ?? []) {
      const group = task.capacityProviderName === "split-a" ? "a" : "b";
      expect(task.containerInstanceArn).toBe(instances[group]);
      expect(task.launchType).toBe("EC2");
    }
  });

  it("follows the cluster's default strategy when given neither a strategy nor a launch type", async () => {
    const instances = await clusterWithProviders("dflt", [{ capacityProvider: "dflt-b", weight: 1 }]);
    const { tasks } = await run({ cluster: "dflt", count: 2 });
    expect(tasks?.map((t) => [t.capacityProviderName, t.containerInstanceArn])).toEqual([
      ["dflt-b", instances.b],
      ["dflt-b", instances.b],
    ]);
    // The EC2 launch type bypasses the default strategy: any instance, no provider.
    const ec2 = await run({ cluster: "dflt", count: 3, launchType: "EC2" });
    expect(ec2.tasks?.every((t) => t.capacityProviderName === undefined)).toBe(true);
  });

  it("places no task outside the provider's group, even when its group is full and others have room", async () => {
    const instances = await clusterWithProviders("full");
    const { tasks, failures } = await run({
      cluster: "full",
      count: 2,
      capacityProviderStrategy: [{ capacityProvider: "full-a", weight: 1 }],
      overrides: { memory: "3072" },
    });
    expect(tasks?.map((t) => t.containerInstanceArn)).toEqual([instances.a]);
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ arn: instances.a, reason: "RESOURCE:MEMORY" }),
        expect.objectContaining({ arn: instances.b, reason: "MemberOf placement constraint unsatisfied." }),
        expect.objectContaining({ arn: instances.none, reason: "MemberOf placement constraint unsatisfied." }),
      ]),
    );
  });

  it("refuses a launch type with a strategy, Fargate's providers, and a provider the cluster lacks", async () => {
    await clusterWithProviders("refuse");
    expect(
      await failure(
        run({ cluster: "refuse", launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "refuse-a" }] }),
      ),
    ).toEqual(
      expect.objectContaining({
        name: "InvalidParameterException",
        message:
          "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
      }),
    );
    expect(
      await failure(run({ cluster: "refuse", capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] })),
    ).toEqual(
      expect.objectContaining({
        name: "InvalidParameterException",
        message: expect.stringContaining("cannot run tasks on Berth"),
      }),
    );
    expect(
      await failure(run({ cluster: "refuse", capacityProviderStrategy: [{ capacityProvider: "split-a", weight: 1 }] })),
    ).toEqual(
      expect.objectContaining({
        name: "InvalidParameterException",
        message: expect.stringContaining("not associated with the cluster"),
      }),
    );
  });
});
