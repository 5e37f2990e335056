import {
  type ContainerDefinition,
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  type ListTaskDefinitionFamiliesCommandInput,
  ListTaskDefinitionsCommand,
  type ListTaskDefinitionsCommandInput,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegisterTaskDefinition, resolveTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import type { Store } from "../../core/store/port.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { openTestStore } from "../support/testStore.ts";

const ARN = "arn:aws:ecs:us-east-1:000000000000:task-definition";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
});
afterAll(() => berth.stop());

const app: ContainerDefinition = { name: "app", image: "nginx", memory: 128 };
const register = (input: Partial<RegisterTaskDefinitionCommandInput> & { family: string }) =>
  berth.ecs.send(new RegisterTaskDefinitionCommand({ containerDefinitions: [app], ...input }));
const revisionOf = async (input: Parameters<typeof register>[0]) => (await register(input)).taskDefinition?.revision;

describe("RegisterTaskDefinition", () => {
  it("answers with the task definition as ECS shows it, defaults filled in", async () => {
    const { taskDefinition, tags } = await register({
      family: "web",
      containerDefinitions: [{ name: "app", image: "nginx", memory: 128, portMappings: [{ containerPort: 80 }] }],
      tags: [{ key: "team", value: "a" }],
    });
    expect(taskDefinition).toEqual({
      taskDefinitionArn: `${ARN}/web:1`,
      containerDefinitions: [
        {
          name: "app",
          image: "nginx",
          cpu: 0,
          memory: 128,
          portMappings: [{ containerPort: 80, protocol: "tcp" }],
          essential: true,
          environment: [],
          mountPoints: [],
          volumesFrom: [],
        },
      ],
      family: "web",
      revision: 1,
      volumes: [],
      status: "ACTIVE",
      placementConstraints: [],
      compatibilities: ["EXTERNAL", "EC2"],
      registeredAt: expect.any(Date),
      registeredBy: "arn:aws:iam::000000000000:root",
    });
    expect(tags).toEqual([{ key: "team", value: "a" }]);
  });

  it("numbers revisions from 1 up and never reuses one, even after deregistering and deleting", async () => {
    expect(await revisionOf({ family: "counting" })).toBe(1);
    expect(await revisionOf({ family: "counting" })).toBe(2);
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "counting:2" }));
    await berth.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["counting:2"] }));
    expect(await revisionOf({ family: "counting" })).toBe(3);
    expect(await revisionOf({ family: "other-family" })).toBe(1);
  });

  it("gives concurrent registrations of one family distinct revisions", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => revisionOf({ family: "burst" })));
    expect([...results].sort((a = 0, b = 0) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("normalises task cpu and memory to units and MiB; task memory makes container memory optional", async () => {
    const { taskDefinition } = await register({
      family: "sized",
      cpu: "1 vCPU",
      memory: "2 GB",
      containerDefinitions: [{ name: "app", image: "nginx" }],
    });
    expect(taskDefinition?.cpu).toBe("1024");
    expect(taskDefinition?.memory).toBe("2048");
  });

  it("validates Fargate task definitions and marks them compatible with EC2 and Fargate", async () => {
    const { taskDefinition } = await register({
      family: "fargate",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: "nginx", portMappings: [{ containerPort: 8080 }] }],
    });
    expect(taskDefinition).toMatchObject({
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      compatibilities: ["EC2", "FARGATE"],
      requiresAttributes: [{ name: "ecs.capability.task-eni" }],
    });
    expect(taskDefinition?.containerDefinitions?.[0].portMappings).toEqual([
      { containerPort: 8080, hostPort: 8080, protocol: "tcp" },
    ]);
  });

  it("fills in health check timings and lists the attributes the task needs", async () => {
    const { taskDefinition } = await register({
      family: "checked",
      networkMode: "host",
      containerDefinitions: [
        {
          name: "db",
          image: "postgres",
          memoryReservation: 256,
          healthCheck: { command: ["CMD-SHELL", "pg_isready"] },
          logConfiguration: { logDriver: "json-file" },
        },
        { name: "app", image: "nginx", memory: 128, dependsOn: [{ containerName: "db", condition: "HEALTHY" }] },
      ],
    });
    expect(taskDefinition?.containerDefinitions?.[0].healthCheck).toEqual({
      command: ["CMD-SHELL", "pg_isready"],
      interval: 30,
      timeout: 5,
      retries: 3,
    });
    expect(taskDefinition?.requiresAttributes?.map((a) => a.name).sort()).toEqual([
      "com.amazonaws.ecs.capability.docker-remote-api.1.18",
      "com.amazonaws.ecs.capability.docker-remote-api.1.21",
      "com.amazonaws.ecs.capability.logging-driver.json-file",
      "ecs.capability.container-health-check",
      "ecs.capability.container-ordering",
    ]);
    expect(taskDefinition?.compatibilities).toEqual(["EXTERNAL", "EC2"]);
  });

  describe("rejects what ECS rejects, and writes nothing", () => {
    const c = (more: ContainerDefinition): ContainerDefinition => ({
      name: "app",
      image: "nginx",
      memory: 128,
      ...more,
    });
    const cases: [string, Partial<RegisterTaskDefinitionCommandInput>, string, string][] = [
      ["no containers", { containerDefinitions: [] }, "ClientException", "Container list cannot be empty."],
      [
        "more than 10 containers",
        { containerDefinitions: Array.from({ length: 11 }, (_, i) => c({ name: `c${i}` })) },
        "ClientException",
        "Too many containers.",
      ],
      ["a duplicate container name", { containerDefinitions: [c({}), c({})] }, "ClientException", "Duplicate"],
      ["a bad container name", { containerDefinitions: [c({ name: "a b" })] }, "ClientException", "container name"],
      [
        "a container without an image",
        { containerDefinitions: [{ name: "app", memory: 128 }] },
        "ClientException",
        "Container.image should not be null or empty.",
      ],
      [
        "a container without memory when the task has none",
        { containerDefinitions: [{ name: "app", image: "nginx" }] },
        "ClientException",
        "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
      ],
      [
        "a reservation above the limit",
        { containerDefinitions: [c({ memoryReservation: 256 })] },
        "ClientException",
        "memoryReservation",
      ],
      ["no essential container", { containerDefinitions: [c({ essential: false })] }, "ClientException", "essential"],
      ["an unreadable task cpu", { cpu: "lots" }, "ClientException", "Invalid 'cpu' setting for task."],
      ["an unreadable task memory", { memory: "2 TB" }, "ClientException", "Invalid 'memory' setting for task."],
      [
        "a container larger than the task",
        { memory: "64" },
        "ClientException",
        "The 'memory' setting for container 'app' is greater than for the task.",
      ],
      [
        "containers that together exceed the task memory",
        { memory: "200", containerDefinitions: [c({}), c({ name: "b" })] },
        "ClientException",
        "The sum of all container 'memory' values cannot be greater than the value of the task 'memory'.",
      ],
      [
        "containers that together exceed the task cpu",
        { cpu: "256", containerDefinitions: [c({ cpu: 200 }), c({ name: "b", cpu: 100 })] },
        "ClientException",
        "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.",
      ],
      [
        "a container port out of range",
        { containerDefinitions: [c({ portMappings: [{ containerPort: 70000 }] })] },
        "ClientException",
        "Invalid 'containerPort' setting for container 'app'.",
      ],
      [
        "one host port mapped twice",
        {
          containerDefinitions: [
            c({ portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
            c({ name: "b", portMappings: [{ containerPort: 81, hostPort: 8080 }] }),
          ],
        },
        "ClientException",
        "8080/tcp",
      ],
      [
        "a host port unlike the container port in awsvpc mode",
        { networkMode: "awsvpc", containerDefinitions: [c({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] },
        "ClientException",
        "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
      ],
      [
        "port mappings without a network",
        { networkMode: "none", containerDefinitions: [c({ portMappings: [{ containerPort: 80 }] })] },
        "ClientException",
        "networkMode=none",
      ],
      [
        "links outside bridge mode",
        { networkMode: "awsvpc", containerDefinitions: [c({}), c({ name: "b", links: ["app"] })] },
        "ClientException",
        "Links are not supported when networkMode=awsvpc.",
      ],
      [
        "a link to a container not in the task",
        { containerDefinitions: [c({ links: ["db:database"] })] },
        "ClientException",
        "Invalid 'links' setting for container 'app'.",
      ],
      [
        "a dependency on a container not in the task",
        { containerDefinitions: [c({ dependsOn: [{ containerName: "db", condition: "START" }] })] },
        "ClientException",
        "Invalid 'dependsOn' setting for container 'app'.",
      ],
      [
        "HEALTHY on a container without a health check",
        {
          containerDefinitions: [c({}), c({ name: "b", dependsOn: [{ containerName: "app", condition: "HEALTHY" }] })],
        },
        "ClientException",
        "healthCheck",
      ],
      [
        "SUCCESS on an essential container",
        {
          containerDefinitions: [c({}), c({ name: "b", dependsOn: [{ containerName: "app", condition: "SUCCESS" }] })],
        },
        "ClientException",
        "A dependency container with SUCCESS or COMPLETE condition cannot be an essential container",
      ],
      [
        "containers waiting for each other",
        {
          containerDefinitions: [
            c({ dependsOn: [{ containerName: "b", condition: "START" }] }),
            c({ name: "b", dependsOn: [{ containerName: "app", condition: "START" }] }),
          ],
        },
        "ClientException",
        "Circular",
      ],
      [
        "a health check interval out of bounds",
        { containerDefinitions: [c({ healthCheck: { command: ["CMD", "true"], interval: 1 } })] },
        "ClientException",
        "'interval' must be between 5 and 300",
      ],
      [
        "a health check command without CMD or CMD-SHELL",
        { containerDefinitions: [c({ healthCheck: { command: ["curl", "localhost"] } })] },
        "ClientException",
        "CMD",
      ],
      [
        "a mount point of a volume the task does not have",
        { containerDefinitions: [c({ mountPoints: [{ sourceVolume: "data", containerPath: "/data" }] })] },
        "ClientException",
        "Unknown volume 'data'.",
      ],
      [
        "volumes from a container not in the task",
        { containerDefinitions: [c({ volumesFrom: [{ sourceContainer: "db" }] })] },
        "ClientException",
        "Invalid 'volumesFrom' setting for container 'app'.",
      ],
      ["two volumes of one name", { volumes: [{ name: "v" }, { name: "v" }] }, "ClientException", "volume name 'v'"],
      [
        "a memberOf constraint without an expression",
        { placementConstraints: [{ type: "memberOf" }] },
        "ClientException",
        "expression",
      ],
      [
        "more than 10 placement constraints",
        {
          placementConstraints: Array.from({ length: 11 }, () => ({
            type: "memberOf" as const,
            expression: "attribute:a == b",
          })),
        },
        "ClientException",
        "placement constraints",
      ],
      [
        "Fargate outside awsvpc mode",
        { requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512" },
        "ClientException",
        "Fargate only supports network mode ‘awsvpc’.",
      ],
      [
        "Fargate without task cpu",
        { requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", memory: "512" },
        "ClientException",
        "Fargate requires that 'cpu' be defined at the task level.",
      ],
      [
        "a size Fargate does not offer",
        { requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "1024", memory: "1024" },
        "ClientException",
        "No Fargate configuration exists for given values: 1024 CPU, 1024 memory.",
      ],
      [
        "External in awsvpc mode",
        { requiresCompatibilities: ["EXTERNAL"], networkMode: "awsvpc" },
        "ClientException",
        "External",
      ],
      ["a reserved tag key", { tags: [{ key: "aws:x", value: "y" }] }, "InvalidParameterException", "aws:"],
      [
        "a task definition over 64 KiB",
        { containerDefinitions: [c({ environment: [{ name: "BIG", value: "x".repeat(70_000) }] })] },
        "ClientException",
        "Max allowed length is '65536' bytes.",
      ],
      ["a family name ECS does not allow", { family: "no spaces" }, "ClientException", "Family"],
      ["a network mode not in the model", { networkMode: "overlay" as "host" }, "InvalidParameterException", ""],
    ];

    it.each(cases)("rejects %s", async (_, input, name, message) => {
      await expect(register({ family: "strict", ...input })).rejects.toMatchObject({
        name,
        message: expect.stringContaining(message),
      });
    });

    it("left no revision behind: the family's first valid registration is revision 1", async () => {
      expect(await revisionOf({ family: "strict" })).toBe(1);
    });
  });
});

describe("DescribeTaskDefinition", () => {
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await register({ family: "desc", tags: [{ key: "n", value: String(i + 1) }] });
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "desc:3" }));
  });
  const describeTd = (taskDefinition: string, include?: "TAGS"[]) =>
    berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include }));

  it("takes a family as its latest ACTIVE revision", async () => {
    expect((await describeTd("desc")).taskDefinition?.revision).toBe(2);
  });

  it("takes family:revision and an ARN, INACTIVE revisions included", async () => {
    expect((await describeTd("desc:3")).taskDefinition?.status).toBe("INACTIVE");
    expect((await describeTd(`${ARN}/desc:1`)).taskDefinition?.revision).toBe(1);
  });

  it("returns tags only when asked to", async () => {
    expect((await describeTd("desc:1")).tags).toEqual([]);
    expect((await describeTd("desc:1", ["TAGS"])).tags).toEqual([{ key: "n", value: "1" }]);
  });

  it("fails with ECS's ClientException for what does not exist", async () => {
    for (const ref of ["desc:9", "nope", "desc:x", "arn:aws:ecs:eu-west-1:000000000000:task-definition/desc:1"]) {
      await expect(describeTd(ref)).rejects.toMatchObject({
        name: "ClientException",
        message: "Unable to describe task definition.",
      });
    }
  });
});

describe("ListTaskDefinitions and ListTaskDefinitionFamilies", () => {
  beforeAll(async () => {
    for (const family of ["lst-a", "lst-a", "lst-a", "lst-b", "lst-gone"]) await register({ family });
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "lst-a:2" }));
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "lst-gone:1" }));
  });
  const list = (input: ListTaskDefinitionsCommandInput) => berth.ecs.send(new ListTaskDefinitionsCommand(input));
  const families = async (input: ListTaskDefinitionFamiliesCommandInput) =>
    (await berth.ecs.send(new ListTaskDefinitionFamiliesCommand(input))).families;

  it("lists the ACTIVE revisions of a whole family by default, oldest first", async () => {
    expect((await list({ familyPrefix: "lst-a" })).taskDefinitionArns).toEqual([`${ARN}/lst-a:1`, `${ARN}/lst-a:3`]);
    expect((await list({ familyPrefix: "lst" })).taskDefinitionArns).toEqual([]);
  });

  it("lists by status and newest first", async () => {
    expect((await list({ familyPrefix: "lst-a", status: "INACTIVE" })).taskDefinitionArns).toEqual([`${ARN}/lst-a:2`]);
    expect((await list({ familyPrefix: "lst-a", sort: "DESC" })).taskDefinitionArns).toEqual([
      `${ARN}/lst-a:3`,
      `${ARN}/lst-a:1`,
    ]);
  });

  it("pages with maxResults and nextToken", async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await list({ maxResults: 2, nextToken });
      expect(page.taskDefinitionArns?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.taskDefinitionArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen.filter((arn) => arn.includes("/lst-"))).toEqual([`${ARN}/lst-a:1`, `${ARN}/lst-a:3`, `${ARN}/lst-b:1`]);
    await expect(list({ maxResults: 101 })).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("lists families by prefix: all by default, ACTIVE ones, or those without an ACTIVE revision", async () => {
    expect(await families({ familyPrefix: "lst-" })).toEqual(["lst-a", "lst-b", "lst-gone"]);
    expect(await families({ familyPrefix: "lst-", status: "ACTIVE" })).toEqual(["lst-a", "lst-b"]);
    expect(await families({ familyPrefix: "lst-", status: "INACTIVE" })).toEqual(["lst-gone"]);
    expect(await families({ familyPrefix: "lst-", maxResults: 1 })).toEqual(["lst-a"]);
  });
});

describe("DeregisterTaskDefinition and DeleteTaskDefinitions", () => {
  it("deregisters a revision: INACTIVE with deregisteredAt, and again answers with it unchanged", async () => {
    await register({ family: "dereg" });
    const first = await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${ARN}/dereg:1` }));
    expect(first.taskDefinition?.status).toBe("INACTIVE");
    expect(first.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    const again = await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "dereg:1" }));
    expect(again.taskDefinition).toEqual(first.taskDefinition);
  });

  it("needs a revision and an existing task definition", async () => {
    await expect(
      berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "dereg" })),
    ).rejects.toMatchObject({ name: "ClientException", message: "Revision is missing." });
    await expect(
      berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "dereg:7" })),
    ).rejects.toMatchObject({ name: "ClientException" });
  });

  it("deletes INACTIVE revisions only, with a failure for each other one", async () => {
    await register({ family: "del" });
    await register({ family: "del" });
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "del:1" }));
    const result = await berth.ecs.send(
      new DeleteTaskDefinitionsCommand({ taskDefinitions: ["del:1", "del:2", "del:9", "del"] }),
    );
    expect(result.taskDefinitions?.map((t) => [t.revision, t.status])).toEqual([[1, "DELETE_IN_PROGRESS"]]);
    expect(result.taskDefinitions?.[0].deleteRequestedAt).toBeInstanceOf(Date);
    expect(result.failures).toEqual([
      {
        arn: `${ARN}/del:2`,
        reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again.",
      },
      {
        arn: `${ARN}/del:9`,
        reason:
          "The specified task definition does not exist. Specify a valid account, family, revision and try again.",
      },
      {
        arn: "del",
        reason: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again.",
      },
    ]);
    const { taskDefinition } = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "del:1" }));
    expect(taskDefinition?.status).toBe("DELETE_IN_PROGRESS");
    expect(await revisionOf({ family: "del" })).toBe(3);
  });

  it("deletes at most 10 at once", async () => {
    const taskDefinitions = Array.from({ length: 11 }, (_, i) => `del:${i + 1}`);
    await expect(berth.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });
});

describe("revisions under contention", () => {
  it("retries a registration whose revision another one took between its read and its write", async () => {
    const store = await openTestStore();
    // Every registration reads the family's last revision, then waits: all of them read the same one.
    const slow: Store = Object.create(store);
    slow.lastTaskDefinition = async (...args) => {
      const last = await store.lastTaskDefinition(...args);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return last;
    };
    const ctx = { store: slow, partition: { region: "us-east-1", accountId: "000000000000" }, now: () => new Date() };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => RegisterTaskDefinition({ family: "race", containerDefinitions: [app] }, ctx)),
    );
    expect(results.map((r) => r.taskDefinition?.revision).sort()).toEqual([1, 2, 3, 4, 5]);
    await store.close();
  });
});

describe("resolveTaskDefinition (what RunTask may start)", async () => {
  const store = await openTestStore();
  const ctx = { store, partition: { region: "us-east-1", accountId: "000000000000" }, now: () => new Date() };
  afterAll(() => store.close());
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) await RegisterTaskDefinition({ family: "run", containerDefinitions: [app] }, ctx);
    const { DeregisterTaskDefinition, DeleteTaskDefinitions } = await import("../../core/actions/taskDefinitions.ts");
    await DeregisterTaskDefinition({ taskDefinition: "run:2" }, ctx);
    await DeregisterTaskDefinition({ taskDefinition: "run:3" }, ctx);
    await DeleteTaskDefinitions({ taskDefinitions: ["run:3"] }, ctx);
  });

  it("resolves a family to its latest ACTIVE revision, and family:revision or an ARN as named", async () => {
    expect((await resolveTaskDefinition(ctx, "run")).revision).toBe(1);
    expect((await resolveTaskDefinition(ctx, `${ARN}/run:1`)).taskDefinition.taskDefinitionArn).toBe(`${ARN}/run:1`);
  });

  it("refuses INACTIVE and DELETE_IN_PROGRESS revisions and unknown ones", async () => {
    for (const ref of ["run:2", "run:3"]) {
      await expect(resolveTaskDefinition(ctx, ref)).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "TaskDefinition is inactive",
      });
    }
    for (const ref of ["run:4", "walk"]) {
      await expect(resolveTaskDefinition(ctx, ref)).rejects.toMatchObject({
        name: "ClientException",
        message: "TaskDefinition not found.",
      });
    }
  });
});
