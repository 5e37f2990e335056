import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  type RegisterContainerInstanceCommandInput,
  type Resource,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskRecord } from "../../core/model/records.ts";
import { reservationWrite } from "../../core/placement/capacity.ts";
import { put } from "../../core/store/port.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
  await berth.ecs.send(new CreateClusterCommand({ clusterName: "ci" }));
});
afterAll(() => berth.stop());

const ARN_PREFIX = "arn:aws:ecs:us-east-1:000000000000:container-instance/ci/";

const resources = (cpu = 2048, memory = 3768): Resource[] => [
  { name: "CPU", type: "INTEGER", integerValue: cpu },
  { name: "MEMORY", type: "INTEGER", integerValue: memory },
  { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2376", "2375", "51678", "51679"] },
  { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
];

const identity = (instanceId: string, instanceType = "t3.medium") =>
  JSON.stringify({
    instanceId,
    instanceType,
    availabilityZone: "us-east-1a",
    imageId: "ami-0abcdef1234567890",
    architecture: "x86_64",
    region: "us-east-1",
    accountId: "000000000000",
  });

const register = (input: Partial<RegisterContainerInstanceCommandInput> = {}) =>
  berth.ecs.send(new RegisterContainerInstanceCommand({ cluster: "ci", totalResources: resources(), ...input }));

const attribute = (attributes: { name?: string; value?: string }[] | undefined, name: string) =>
  attributes?.find((a) => a.name === name)?.value;

/** A task placed on an instance, written straight to the store (RunTask belongs to another suite). */
/** A task on the instance, as launches commit it: holding its reservation there when `reserve`. */
async function placeTask(instanceId: string, lastStatus: string, cluster = "ci", reserve = false) {
  const id = `task${Math.random().toString(16).slice(2)}`;
  const record = {
    cluster,
    id,
    containerInstanceId: instanceId,
    task: {
      taskArn: `arn:aws:ecs:us-east-1:000000000000:task/${cluster}/${id}`,
      taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
      lastStatus,
      desiredStatus: "RUNNING",
      group: "family:web",
    },
    reservation: { cpu: 256, memory: 512, ports: [80], udpPorts: [] },
    holdsReservation: true,
    essentialContainers: [],
    acknowledged: false,
  } as unknown as TaskRecord;
  await berth.store.commit([
    put("task", record),
    ...(reserve ? [reservationWrite({ cluster, id: instanceId }, record.reservation, record.task.group)] : []),
  ]);
  return record;
}

describe("RegisterContainerInstance", () => {
  it("registers an EC2 instance with the attributes its identity document implies", async () => {
    const { containerInstance } = await register({
      instanceIdentityDocument: identity("i-0aaa"),
      instanceIdentityDocumentSignature: "sig",
      versionInfo: { agentVersion: "1.80.0", dockerVersion: "24.0.5" },
      attributes: [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.44" }],
      tags: [{ key: "team", value: "a" }],
    });
    expect(containerInstance?.containerInstanceArn).toMatch(new RegExp(`^${ARN_PREFIX}[0-9a-f]{32}$`));
    expect(containerInstance).toMatchObject({
      ec2InstanceId: "i-0aaa",
      status: "ACTIVE",
      agentConnected: true,
      version: 1,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      versionInfo: { agentVersion: "1.80.0", dockerVersion: "24.0.5" },
    });
    expect(containerInstance?.capacityProviderName).toBeUndefined();
    expect(containerInstance?.registeredAt).toBeInstanceOf(Date);
    const attrs = containerInstance?.attributes;
    expect(attribute(attrs, "ecs.instance-type")).toBe("t3.medium");
    expect(attribute(attrs, "ecs.availability-zone")).toBe("us-east-1a");
    expect(attribute(attrs, "ecs.ami-id")).toBe("ami-0abcdef1234567890");
    expect(attribute(attrs, "ecs.cpu-architecture")).toBe("x86_64");
    expect(attribute(attrs, "ecs.os-type")).toBe("linux");
    expect(attrs?.some((a) => a.name === "com.amazonaws.ecs.capability.docker-remote-api.1.44")).toBe(true);
    // Resources as ECS shows them, every numeric member present; remaining starts as registered.
    expect(containerInstance?.registeredResources?.[0]).toEqual({
      name: "CPU",
      type: "INTEGER",
      doubleValue: 0,
      longValue: 0,
      integerValue: 2048,
    });
    expect(containerInstance?.registeredResources?.map((r) => r.name)).toEqual(["CPU", "MEMORY", "PORTS", "PORTS_UDP"]);
    expect(containerInstance?.remainingResources).toEqual(containerInstance?.registeredResources);
  });

  it("gives the same EC2 instance the same ARN when it registers again, with the new resources", async () => {
    const first = await register({ instanceIdentityDocument: identity("i-0bbb") });
    const again = await register({
      instanceIdentityDocument: identity("i-0bbb"),
      totalResources: resources(4096, 7000),
    });
    expect(again.containerInstance?.containerInstanceArn).toBe(first.containerInstance?.containerInstanceArn);
    expect(again.containerInstance?.version).toBe(2);
    expect(again.containerInstance?.registeredResources?.[0].integerValue).toBe(4096);
    expect(again.containerInstance?.remainingResources?.[1].integerValue).toBe(7000);
  });

  it("re-registers by containerInstanceArn, keeping attributes put since and resources held by tasks", async () => {
    const { containerInstance } = await register({ instanceIdentityDocument: identity("i-0ccc") });
    const arn = containerInstance?.containerInstanceArn as string;
    await berth.ecs.send(
      new PutAttributesCommand({ cluster: "ci", attributes: [{ name: "stack", value: "prod", targetId: arn }] }),
    );
    await placeTask(arn.split("/").pop() as string, "RUNNING", "ci", true);
    const again = await register({ containerInstanceArn: arn, instanceIdentityDocument: identity("i-0ccc") });
    expect(again.containerInstance?.containerInstanceArn).toBe(arn);
    expect(attribute(again.containerInstance?.attributes, "stack")).toBe("prod");
    const remaining = again.containerInstance?.remainingResources;
    expect(remaining?.find((r) => r.name === "CPU")?.integerValue).toBe(2048 - 256);
    expect(remaining?.find((r) => r.name === "MEMORY")?.integerValue).toBe(3768 - 512);
    expect(remaining?.find((r) => r.name === "PORTS")?.stringSetValue).toContain("80");
    expect(again.containerInstance?.runningTasksCount).toBe(1);
  });

  it("keeps a port a task holds in use when a re-registration stops reserving it for the instance", async () => {
    const { containerInstance } = await register({ instanceIdentityDocument: identity("i-0eee") });
    const arn = containerInstance?.containerInstanceArn as string;
    await placeTask(arn.split("/").pop() as string, "RUNNING", "ci", true); // holds host port 80
    const own = ["22", "2376", "2375", "51678", "51679"];
    /** Registers the instance again, reserving `ports` for itself; answers the host ports left in use. */
    const reregister = async (ports: string[]) => {
      const totalResources = resources().map((r) => (r.name === "PORTS" ? { ...r, stringSetValue: ports } : r));
      const again = await register({
        containerInstanceArn: arn,
        totalResources,
        instanceIdentityDocument: identity("i-0eee"),
      });
      return again.containerInstance?.remainingResources?.find((r) => r.name === "PORTS")?.stringSetValue ?? [];
    };
    // The instance now says it reserves 80 itself, then that it does not: the task still holds it.
    await reregister([...own, "80"]);
    expect(await reregister(own)).toContain("80");
    // A port only the instance reserved is freed.
    await reregister([...own, "9000"]);
    expect(await reregister(own)).not.toContain("9000");
  });

  it("refuses an instance type change and an ARN it does not know", async () => {
    const { containerInstance } = await register({ instanceIdentityDocument: identity("i-0ddd", "t3.small") });
    await expect(
      register({
        containerInstanceArn: containerInstance?.containerInstanceArn,
        instanceIdentityDocument: identity("i-0ddd", "m5.large"),
      }),
    ).rejects.toMatchObject({ name: "ClientException", message: "Container instance type changes are not supported." });
    await expect(register({ containerInstanceArn: `${ARN_PREFIX}${"0".repeat(32)}` })).rejects.toMatchObject({
      name: "ClientException",
    });
  });

  it("registers an instance outside EC2: no EC2 id, os-type linux, architecture only when the agent reports it", async () => {
    const plain = await register({ instanceIdentityDocument: "" });
    expect(plain.containerInstance?.ec2InstanceId).toBeUndefined();
    expect(attribute(plain.containerInstance?.attributes, "ecs.os-type")).toBe("linux");
    expect(attribute(plain.containerInstance?.attributes, "ecs.cpu-architecture")).toBeUndefined();
    const reported = await register({ attributes: [{ name: "ecs.cpu-architecture", value: "arm64" }] });
    expect(attribute(reported.containerInstance?.attributes, "ecs.cpu-architecture")).toBe("arm64");
    // Ports default to empty sets when not given.
    const minimal = await register({ totalResources: resources().slice(0, 2) });
    expect(minimal.containerInstance?.registeredResources?.find((r) => r.name === "PORTS")?.stringSetValue).toEqual([]);
  });

  it("rejects what ECS would reject", async () => {
    await expect(
      register({ totalResources: [{ name: "CPU", type: "INTEGER", integerValue: 1024 }] }),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(register({ instanceIdentityDocument: "{not json" })).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(register({ attributes: [{ name: "bad name!" }] })).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(register({ cluster: "nowhere" })).rejects.toMatchObject({ name: "ClusterNotFoundException" });
  });
});

describe("DescribeContainerInstances", () => {
  it("describes by id or ARN, reports unknown ones as MISSING, and shows tags only when asked", async () => {
    const { containerInstance } = await register({ tags: [{ key: "env", value: "test" }] });
    const arn = containerInstance?.containerInstanceArn as string;
    const id = arn.split("/").pop() as string;
    const missing = `${ARN_PREFIX}${"f".repeat(32)}`;
    const plain = await berth.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: "ci", containerInstances: [id, missing, "nope"] }),
    );
    expect(plain.containerInstances?.map((c) => c.containerInstanceArn)).toEqual([arn]);
    expect(plain.containerInstances?.[0].tags).toEqual([]);
    expect(plain.failures).toEqual([
      { arn: missing, reason: "MISSING" },
      { arn: `${ARN_PREFIX}nope`, reason: "MISSING" },
    ]);
    const tagged = await berth.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: "ci", containerInstances: [arn], include: ["TAGS"] }),
    );
    expect(tagged.containerInstances?.[0].tags).toEqual([{ key: "env", value: "test" }]);
  });

  it("counts running (desired RUNNING) and pending (PENDING) tasks from the tasks on the instance", async () => {
    const { containerInstance } = await register();
    const id = containerInstance?.containerInstanceArn?.split("/").pop() as string;
    await placeTask(id, "RUNNING");
    await placeTask(id, "PENDING");
    await placeTask(id, "STOPPED");
    const { containerInstances } = await berth.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: "ci", containerInstances: [id] }),
    );
    // All three are desired RUNNING: the STOPPED one no longer counts, the PENDING one counts as both.
    expect(containerInstances?.[0]).toMatchObject({ runningTasksCount: 2, pendingTasksCount: 1 });
  });

  it("limits a call to 100 instances", async () => {
    await expect(
      berth.ecs.send(
        new DescribeContainerInstancesCommand({
          cluster: "ci",
          containerInstances: Array.from({ length: 101 }, (_, i) => `i${i}`),
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });
});

describe("ListContainerInstances, UpdateContainerInstancesState, DeregisterContainerInstance", () => {
  const arns: string[] = [];
  beforeAll(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "fleet" }));
    for (const [i, type] of ["t3.small", "t3.small", "m5.large"].entries()) {
      const { containerInstance } = await berth.ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: "fleet",
          totalResources: resources(),
          instanceIdentityDocument: identity(`i-f${i}`, type),
        }),
      );
      arns.push(containerInstance?.containerInstanceArn as string);
    }
  });

  const list = (
    input: { status?: "ACTIVE" | "DRAINING"; filter?: string; maxResults?: number; nextToken?: string } = {},
  ) => berth.ecs.send(new ListContainerInstancesCommand({ cluster: "fleet", ...input }));

  it("lists the cluster's instances and pages through them", async () => {
    expect((await list()).containerInstanceArns?.sort()).toEqual([...arns].sort());
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await list({ maxResults: 2, nextToken });
      expect(page.containerInstanceArns?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.containerInstanceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen.sort()).toEqual([...arns].sort());
    await expect(list({ maxResults: 101 })).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("filters with the cluster query language", async () => {
    const small = await list({ filter: "attribute:ecs.instance-type == t3.small" });
    expect(small.containerInstanceArns?.sort()).toEqual([arns[0], arns[1]].sort());
    const notSmall = await list({ filter: "attribute:ecs.instance-type =~ m5.*" });
    expect(notSmall.containerInstanceArns).toEqual([arns[2]]);
    const byId = await list({ filter: "ec2InstanceId in [i-f0, i-f2]" });
    expect(byId.containerInstanceArns?.sort()).toEqual([arns[0], arns[2]].sort());
    await expect(list({ filter: "attribute:ecs.instance-type ==" })).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });

  it("drains and reactivates instances, with failures for unknown ones", async () => {
    const missing = `arn:aws:ecs:us-east-1:000000000000:container-instance/fleet/${"0".repeat(32)}`;
    const drained = await berth.ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: "fleet",
        containerInstances: [arns[0], missing],
        status: "DRAINING",
      }),
    );
    expect(drained.containerInstances?.map((c) => [c.containerInstanceArn, c.status])).toEqual([[arns[0], "DRAINING"]]);
    expect(drained.containerInstances?.[0].version).toBe(2);
    expect(drained.failures).toEqual([{ arn: missing, reason: "MISSING" }]);
    expect((await list({ status: "DRAINING" })).containerInstanceArns).toEqual([arns[0]]);
    expect((await list({ status: "ACTIVE" })).containerInstanceArns?.sort()).toEqual([arns[1], arns[2]].sort());
    expect((await list()).containerInstanceArns).toHaveLength(3);

    const active = await berth.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: "fleet", containerInstances: [arns[0]], status: "ACTIVE" }),
    );
    expect(active.containerInstances?.[0].status).toBe("ACTIVE");
    await expect(
      berth.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: "fleet",
          containerInstances: [arns[0]],
          status: "REGISTERING",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(
      berth.ecs.send(
        new UpdateContainerInstancesStateCommand({
          cluster: "fleet",
          containerInstances: Array.from({ length: 11 }, () => arns[0]),
          status: "DRAINING",
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("deregisters: refused while tasks run unless forced; INACTIVE afterwards, still describable, no longer listed", async () => {
    const { containerInstance } = await berth.ecs.send(
      new RegisterContainerInstanceCommand({ cluster: "fleet", totalResources: resources() }),
    );
    const arn = containerInstance?.containerInstanceArn as string;
    const id = arn.split("/").pop() as string;
    const cluster = async () =>
      (await berth.ecs.send(new DescribeClustersCommand({ clusters: ["fleet"] }))).clusters?.[0]
        .registeredContainerInstancesCount;
    expect(await cluster()).toBe(4);

    const task = await placeTask(id, "RUNNING", "fleet");
    await expect(
      berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "fleet", containerInstance: arn })),
    ).rejects.toMatchObject({ name: "InvalidParameterException", message: "Found running tasks on the instance." });

    const { containerInstance: gone } = await berth.ecs.send(
      new DeregisterContainerInstanceCommand({ cluster: "fleet", containerInstance: id, force: true }),
    );
    expect(gone).toMatchObject({ containerInstanceArn: arn, status: "INACTIVE" });
    // The orphaned task is left as it was.
    expect((await berth.store.getTask("fleet", task.id))?.task.lastStatus).toBe("RUNNING");
    const described = await berth.ecs.send(
      new DescribeContainerInstancesCommand({ cluster: "fleet", containerInstances: [arn] }),
    );
    expect(described.containerInstances?.[0].status).toBe("INACTIVE");
    expect((await list()).containerInstanceArns).not.toContain(arn);
    expect(await cluster()).toBe(3);
    await expect(
      berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "fleet", containerInstance: arn })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    // An INACTIVE instance cannot be drained or reactivated.
    const update = await berth.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: "fleet", containerInstances: [arn], status: "ACTIVE" }),
    );
    expect(update.failures?.[0]).toMatchObject({ arn, reason: "INACTIVE" });
  });

  it("deregisters an idle instance without force, and registers its EC2 instance anew afterwards", async () => {
    const doc = identity("i-reborn");
    const first = await berth.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "fleet",
        totalResources: resources(),
        instanceIdentityDocument: doc,
      }),
    );
    const arn = first.containerInstance?.containerInstanceArn as string;
    await berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "fleet", containerInstance: arn }));
    const again = await berth.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "fleet",
        totalResources: resources(),
        instanceIdentityDocument: doc,
      }),
    );
    expect(again.containerInstance?.containerInstanceArn).not.toBe(arn);
    expect(again.containerInstance?.status).toBe("ACTIVE");
  });
});
