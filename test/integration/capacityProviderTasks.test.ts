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
  CreateServiceCommand,
  CreateTaskSetCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type Resource,
  RunTaskCommand,
  UpdateServiceCommand,
  UpdateTaskSetCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { failure } from "../support/failure.ts";
import { until } from "../support/poll.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
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
    // An instance of a provider's group, registered again, shows the provider, as on ECS.
    const { containerInstance } = await berth.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "split",
        containerInstanceArn: instances.a,
        totalResources: resources,
        attributes: [{ name: "berth.autoscaling-group", value: "split-a-asg" }],
      }),
    );
    expect(containerInstance?.capacityProviderName).toBe("split-a");
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

describe("services with a capacity provider strategy", () => {
  const serviceTasks = async (cluster: string) => {
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster, serviceName: "web" }));
    if (!taskArns?.length) return [];
    return (await berth.ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }))).tasks ?? [];
  };

  it("starts a service's tasks by its strategy, shows the strategy instead of a launch type, and moves them when it changes", async () => {
    const instances = await clusterWithProviders("svc", [{ capacityProvider: "svc-a", weight: 1 }]);
    const { service } = await berth.ecs.send(
      new CreateServiceCommand({
        cluster: "svc",
        serviceName: "web",
        taskDefinition: "cp-app",
        desiredCount: 5,
        capacityProviderStrategy: [
          { capacityProvider: "svc-a", base: 1, weight: 1 },
          { capacityProvider: "svc-b", weight: 1 },
        ],
      }),
    );
    expect(service?.launchType).toBeUndefined();
    expect(service?.capacityProviderStrategy).toEqual([
      { capacityProvider: "svc-a", base: 1, weight: 1 },
      { capacityProvider: "svc-b", base: 0, weight: 1 },
    ]);
    const started = await until("the service's 5 tasks", async () => {
      const tasks = await serviceTasks("svc");
      return tasks.length === 5 && tasks;
    });
    // Base 1 on a, then 4 split evenly by weight.
    const on = (tasks: typeof started, group: "a" | "b") =>
      tasks.filter((t) => t.capacityProviderName === `svc-${group}` && t.containerInstanceArn === instances[group])
        .length;
    expect([on(started, "a"), on(started, "b")]).toEqual([3, 2]);

    await berth.ecs.send(
      new UpdateServiceCommand({
        cluster: "svc",
        service: "web",
        capacityProviderStrategy: [{ capacityProvider: "svc-b", weight: 1 }],
      }),
    );
    const [described] =
      (await berth.ecs.send(new DescribeServicesCommand({ cluster: "svc", services: ["web"] }))).services ?? [];
    expect(described.capacityProviderStrategy).toEqual([{ capacityProvider: "svc-b", base: 0, weight: 1 }]);
    expect(described.deployments?.length).toBe(2);

    // A service created without a strategy or launch type on this cluster takes the cluster's default.
    const { service: byDefault } = await berth.ecs.send(
      new CreateServiceCommand({ cluster: "svc", serviceName: "dflt", taskDefinition: "cp-app", desiredCount: 0 }),
    );
    expect(byDefault?.capacityProviderStrategy).toEqual([{ capacityProvider: "svc-a", base: 0, weight: 1 }]);
    expect(
      await failure(
        berth.ecs.send(
          new CreateServiceCommand({
            cluster: "svc",
            serviceName: "both",
            taskDefinition: "cp-app",
            desiredCount: 1,
            launchType: "EC2",
            capacityProviderStrategy: [{ capacityProvider: "svc-a", weight: 1 }],
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    // A provider the service uses cannot be taken from the cluster.
    expect(
      await failure(
        berth.ecs.send(
          new PutClusterCapacityProvidersCommand({
            cluster: "svc",
            capacityProviders: ["svc-a"],
            defaultCapacityProviderStrategy: [],
          }),
        ),
      ),
    ).toEqual(
      expect.objectContaining({
        name: "ResourceInUseException",
        message: "The specified capacity provider is in use and cannot be removed.",
      }),
    );
  });
  it("starts a task set's tasks by its own strategy", async () => {
    const instances = await clusterWithProviders("tsc");
    await berth.ecs.send(
      new CreateServiceCommand({
        cluster: "tsc",
        serviceName: "web",
        desiredCount: 2,
        deploymentController: { type: "EXTERNAL" },
      }),
    );
    const { taskSet } = await berth.ecs.send(
      new CreateTaskSetCommand({
        cluster: "tsc",
        service: "web",
        taskDefinition: "cp-app",
        capacityProviderStrategy: [{ capacityProvider: "tsc-b", weight: 1 }],
      }),
    );
    expect(taskSet?.launchType).toBeUndefined();
    expect(taskSet?.capacityProviderStrategy).toEqual([{ capacityProvider: "tsc-b", base: 0, weight: 1 }]);
    const started = await until("the task set's 2 tasks", async () => {
      const tasks = await serviceTasks("tsc");
      return tasks.length === 2 && tasks;
    });
    for (const t of started) {
      expect(t).toMatchObject({
        capacityProviderName: "tsc-b",
        containerInstanceArn: instances.b,
        startedBy: taskSet?.id,
      });
    }
    // The task set's provider cannot be taken from the cluster, even with none of its tasks left.
    await berth.ecs.send(
      new UpdateTaskSetCommand({
        cluster: "tsc",
        service: "web",
        taskSet: taskSet?.id,
        scale: { value: 0, unit: "PERCENT" },
      }),
    );
    await until("no task left", async () => {
      const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: "tsc", desiredStatus: "RUNNING" }));
      const tasks = taskArns?.length
        ? ((await berth.ecs.send(new DescribeTasksCommand({ cluster: "tsc", tasks: taskArns }))).tasks ?? [])
        : [];
      return tasks.every((t) => t.lastStatus === "STOPPED");
    });
    expect(
      await failure(
        berth.ecs.send(
          new PutClusterCapacityProvidersCommand({
            cluster: "tsc",
            capacityProviders: ["tsc-a"],
            defaultCapacityProviderStrategy: [],
          }),
        ),
      ),
    ).toMatchObject({ name: "ResourceInUseException" });
  });
});
