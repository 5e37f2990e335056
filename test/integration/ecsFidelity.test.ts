/**
 * Defects a third-party boto3 suite found in actions Berth supports (issue 13), each checked
 * through @aws-sdk/client-ecs against what the botocore model and the ECS API reference say.
 * Where the exact wording of an ECS error is not documented, the comment next to the test names
 * where it was read.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  DiscoverPollEndpointCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  type RegisterContainerInstanceCommandInput,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Resource,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { failure } from "../support/failure.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
  await berth.ecs.send(new CreateClusterCommand({ clusterName: "fi" }));
});
afterAll(() => berth.stop());

const PREFIX = "arn:aws:ecs:us-east-1:000000000000";

const resources = (cpu = 2048, memory = 4096): Resource[] => [
  { name: "CPU", type: "INTEGER", integerValue: cpu },
  { name: "MEMORY", type: "INTEGER", integerValue: memory },
];

const identity = (instanceId: string, instanceType?: string) =>
  JSON.stringify({ instanceId, instanceType, availabilityZone: "us-east-1a", region: "us-east-1" });

const register = (input: Partial<RegisterContainerInstanceCommandInput> = {}) =>
  berth.ecs.send(new RegisterContainerInstanceCommand({ cluster: "fi", ...input }));

/** A new cluster with one bare instance (no attributes beyond ECS's own), by ARN. */
async function clusterWithInstance(cluster: string): Promise<string> {
  await berth.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const { containerInstance } = await berth.ecs.send(
    new RegisterContainerInstanceCommand({ cluster, totalResources: resources() }),
  );
  return containerInstance?.containerInstanceArn as string;
}

const registerTaskDefinition = (input: Partial<RegisterTaskDefinitionCommandInput> & { family: string }) =>
  berth.ecs.send(
    new RegisterTaskDefinitionCommand({
      containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }],
      ...input,
    }),
  );

describe("RegisterContainerInstance without totalResources", () => {
  it("derives CPU and memory from the instance type EC2 publishes, with the standard reserved ports", async () => {
    // t3.medium: 2 vCPUs and 4096 MiB in EC2's DescribeInstanceTypes.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { containerInstance } = await register({ instanceIdentityDocument: identity("i-0f1", "t3.medium") });
    // ECS's response has no field for what was assumed: the log says it.
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^RegisterContainerInstance of i-0f1 without totalResources: assumed CPU 2048/),
    );
    warn.mockRestore();
    const byName = new Map(containerInstance?.registeredResources?.map((r) => [r.name, r]));
    expect(byName.get("CPU")?.integerValue).toBe(2048);
    expect(byName.get("MEMORY")?.integerValue).toBe(4096);
    expect(byName.get("PORTS")?.stringSetValue).toEqual(["22", "2375", "2376", "51678", "51679"]);
    expect(byName.get("PORTS_UDP")?.stringSetValue).toEqual([]);
    expect(containerInstance?.remainingResources).toEqual(containerInstance?.registeredResources);
  });

  it("refuses, saying why, when there is no instance type to derive them from", async () => {
    const none = await failure(register({ instanceIdentityDocument: identity("i-0f2") }));
    expect(none.name).toBe("InvalidParameterException");
    expect(none.message).toContain("instanceType");
    const unknown = await failure(register({ instanceIdentityDocument: identity("i-0f3", "x9.imaginary") }));
    expect(unknown.name).toBe("InvalidParameterException");
    expect(unknown.message).toContain("x9.imaginary");
  });
});

describe("requiresAttributes in placement", () => {
  it("rejects an instance lacking an attribute the task definition requires, then places once it has it", async () => {
    const arn = await clusterWithInstance("attrs");
    // A health check requires ecs.capability.container-health-check, which a bare registration lacks.
    await registerTaskDefinition({
      family: "checked",
      containerDefinitions: [
        { name: "app", image: "busybox", memory: 64, healthCheck: { command: ["CMD-SHELL", "true"] } },
      ],
    });
    const refused = await berth.ecs.send(new RunTaskCommand({ cluster: "attrs", taskDefinition: "checked" }));
    expect(refused.tasks).toEqual([]);
    // ECS's reason is ATTRIBUTE ("API failure reasons" in the developer guide; aws/amazon-ecs-agent#1423
    // quotes RunTask failing with it): the "MISSING_ATTRIBUTE" is not a reason ECS reports.
    expect(refused.failures).toEqual([expect.objectContaining({ arn, reason: "ATTRIBUTE" })]);
    await berth.ecs.send(
      new PutAttributesCommand({
        cluster: "attrs",
        attributes: [{ name: "ecs.capability.container-health-check", targetId: arn }],
      }),
    );
    const placed = await berth.ecs.send(new RunTaskCommand({ cluster: "attrs", taskDefinition: "checked" }));
    expect(placed.failures).toEqual([]);
    expect(placed.tasks?.[0].containerInstanceArn).toBe(arn);
  });
});

describe("CreateCluster", () => {
  it("answers with the settings, configuration and Service Connect defaults DescribeClusters shows", async () => {
    const request = {
      clusterName: "configured",
      settings: [{ name: "containerInsights" as const, value: "enabled" }],
      configuration: { executeCommandConfiguration: { logging: "DEFAULT" as const } },
      serviceConnectDefaults: { namespace: "arn:aws:servicediscovery:us-east-1:000000000000:namespace/ns-1" },
    };
    const created = (await berth.ecs.send(new CreateClusterCommand(request))).cluster;
    const { clusters } = await berth.ecs.send(
      new DescribeClustersCommand({ clusters: ["configured"], include: ["SETTINGS", "CONFIGURATIONS"] }),
    );
    expect(created?.settings).toEqual(request.settings);
    expect(created?.configuration).toEqual(request.configuration);
    expect(created?.serviceConnectDefaults).toEqual(request.serviceConnectDefaults);
    for (const field of ["settings", "configuration", "serviceConnectDefaults"] as const) {
      expect(created?.[field]).toEqual(clusters?.[0][field]);
    }
    // Without settings, the default ECS fills in is shown too.
    const plain = (await berth.ecs.send(new CreateClusterCommand({ clusterName: "plain" }))).cluster;
    expect(plain?.settings).toEqual([{ name: "containerInsights", value: "disabled" }]);
  });
});

describe("DeregisterTaskDefinition", () => {
  it("refuses a revision that is not a number in ECS's words", async () => {
    await registerTaskDefinition({ family: "foo" });
    // ECS's message, as moto reproduces it (moto/ecs/models.py, deregister_task_definition).
    const error = await failure(berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "foo:bar" })));
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "Invalid revision number. Number: bar" });
  });
});

describe("DescribeTasks", () => {
  it("refuses an empty list of tasks", async () => {
    // ECS's answer, quoted in aws/copilot-cli#3551 and sil-org/ecs-deploy#63.
    const error = await failure(berth.ecs.send(new DescribeTasksCommand({ cluster: "fi", tasks: [] })));
    expect(error).toMatchObject({ name: "InvalidParameterException", message: "Tasks cannot be empty." });
  });
});

describe("DiscoverPollEndpoint", () => {
  it("answers an unknown cluster with an error its model lists", async () => {
    // The model lists AccessDenied, Server, InvalidParameter and Client exceptions: not ClusterNotFoundException.
    const error = await failure(berth.ecs.send(new DiscoverPollEndpointCommand({ cluster: "nowhere" })));
    expect(error.name).toBe("ClientException");
  });
});

describe("task definitions round trip", () => {
  it("gives back every field registered, plus the defaults AWS adds (an EFS volume's rootDirectory)", async () => {
    const input = {
      family: "roundtrip",
      taskRoleArn: "arn:aws:iam::000000000000:role/task",
      executionRoleArn: "arn:aws:iam::000000000000:role/exec",
      networkMode: "bridge" as const,
      containerDefinitions: [
        {
          name: "web",
          image: "nginx:1.27",
          cpu: 128,
          memory: 256,
          memoryReservation: 128,
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 8080, protocol: "tcp" as const, name: "http" }],
          environment: [{ name: "MODE", value: "prod" }],
          command: ["nginx", "-g", "daemon off;"],
          entryPoint: ["/docker-entrypoint.sh"],
          workingDirectory: "/srv",
          mountPoints: [{ sourceVolume: "shared", containerPath: "/data", readOnly: false }],
          volumesFrom: [],
          dockerLabels: { team: "web" },
          ulimits: [{ name: "nofile" as const, softLimit: 1024, hardLimit: 4096 }],
          logConfiguration: { logDriver: "json-file" as const, options: { "max-size": "10m" } },
          stopTimeout: 20,
          user: "101",
        },
      ],
      volumes: [
        { name: "shared", host: { sourcePath: "/srv/shared" } },
        {
          name: "files",
          efsVolumeConfiguration: { fileSystemId: "fs-12345678", transitEncryption: "ENABLED" as const },
        },
      ],
      placementConstraints: [{ type: "memberOf" as const, expression: "attribute:ecs.os-type == linux" }],
      requiresCompatibilities: ["EC2" as const],
      pidMode: "task" as const,
    };
    await berth.ecs.send(new RegisterTaskDefinitionCommand(input));
    const { taskDefinition } = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "roundtrip" }));
    const { volumes, ...rest } = input;
    expect(taskDefinition).toMatchObject(rest);
    // AWS fills in the root of the file system, "/", for an EFS volume given without one.
    expect(taskDefinition?.volumes).toEqual([
      volumes[0],
      { name: "files", efsVolumeConfiguration: { ...volumes[1].efsVolumeConfiguration, rootDirectory: "/" } },
    ]);
  });
});

describe("container instance task counts", () => {
  it("counts as running the tasks whose desired status is RUNNING, as the API reference defines it", async () => {
    const arn = await clusterWithInstance("counts");
    await registerTaskDefinition({ family: "counted" });
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ cluster: "counts", taskDefinition: "counted" }));
    // No agent runs it: it stays PENDING, with desired status RUNNING.
    const described = async () =>
      (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: "counts", containerInstances: [arn] })))
        .containerInstances?.[0];
    expect(await described()).toMatchObject({ runningTasksCount: 1, pendingTasksCount: 1 });
    await berth.ecs.send(new StopTaskCommand({ cluster: "counts", task: tasks?.[0].taskArn }));
    expect(await described()).toMatchObject({ runningTasksCount: 0, pendingTasksCount: 0 });
  });
});

describe("DescribeServices failures", () => {
  it("reports a missing service by the short-form ARN ECS uses for a name, and an ARN as given", async () => {
    // ECS's answer for a name: "arn:aws:ecs:us-east-2:…:service/pawebapp-service is MISSING"
    // (aws-actions/amazon-ecs-deploy-task-definition#312, printing DescribeServices' failure).
    const given = `${PREFIX}:service/fi/gone-too`;
    const { failures } = await berth.ecs.send(
      new DescribeServicesCommand({ cluster: "fi", services: ["gone", given] }),
    );
    expect(failures).toEqual([
      { arn: `${PREFIX}:service/gone`, reason: "MISSING" },
      { arn: given, reason: "MISSING" },
    ]);
  });
});

describe("enum errors in ECS's words", () => {
  it("refuses an unknown launch type as ECS does", async () => {
    // ECS's wording, as moto reproduces it for RunTask (moto/ecs/models.py, run_task).
    const error = await failure(
      berth.ecs.send(new RunTaskCommand({ cluster: "fi", taskDefinition: "foo", launchType: "BOAT" as never })),
    );
    expect(error.name).toBe("InvalidParameterException");
    expect(error.message).toBe("launch type should be one of [EC2,FARGATE,EXTERNAL,MANAGED_INSTANCES]");
    const service = await failure(
      berth.ecs.send(
        new CreateServiceCommand({
          cluster: "fi",
          serviceName: "s",
          taskDefinition: "foo",
          launchType: "BOAT" as never,
        }),
      ),
    );
    expect(service.message).toBe(error.message);
  });

  it("refuses an unknown include as ECS does", async () => {
    // ECS's own answer, quoted in hashicorp/terraform-provider-aws#23342.
    const error = await failure(
      berth.ecs.send(new DescribeClustersCommand({ clusters: ["fi"], include: ["EVERYTHING" as never] })),
    );
    expect(error).toMatchObject({
      name: "InvalidParameterException",
      message: "include should be one of [ATTACHMENTS,CONFIGURATIONS,SETTINGS,STATISTICS,TAGS]",
    });
  });
});

describe("order of validations", () => {
  // ECS looks the cluster up before it checks the lists and values that refer to it (moto
  // reproduces this order: describe_tasks, describe_container_instances,
  // update_container_instances_state, start_task, describe_services all call _get_cluster first).
  it.each([
    ["DescribeTasks", () => new DescribeTasksCommand({ cluster: "nowhere", tasks: [] })],
    [
      "DescribeContainerInstances",
      () => new DescribeContainerInstancesCommand({ cluster: "nowhere", containerInstances: [] }),
    ],
    [
      "UpdateContainerInstancesState",
      () => new UpdateContainerInstancesStateCommand({ cluster: "nowhere", containerInstances: [], status: "ACTIVE" }),
    ],
    ["StartTask", () => new StartTaskCommand({ cluster: "nowhere", containerInstances: [], taskDefinition: "foo" })],
    ["DescribeServices", () => new DescribeServicesCommand({ cluster: "nowhere", services: [] })],
  ])("%s checks the cluster first", async (_, command) => {
    // biome-ignore lint/suspicious/noExplicitAny: each command has its own output type.
    const error = await failure(berth.ecs.send(command() as any));
    expect(error.name).toBe("ClusterNotFoundException");
  });
});
