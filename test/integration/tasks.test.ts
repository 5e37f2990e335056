import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type Resource,
  RunTaskCommand,
  type RunTaskCommandInput,
  StartTaskCommand,
  StopTaskCommand,
  SubmitContainerStateChangeCommand,
  SubmitTaskStateChangeCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";

let berth: TestBerth;
let ecs: ECSClient;
beforeAll(async () => {
  berth = await startBerth();
  ecs = berth.ecs;
});
afterAll(() => berth.stop());

const resources = (cpu: number, memory: number): Resource[] => [
  { name: "CPU", type: "INTEGER", integerValue: cpu },
  { name: "MEMORY", type: "INTEGER", integerValue: memory },
  { name: "PORTS", type: "STRINGSET", stringSetValue: ["22"] },
  { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
];

/** A fresh cluster with `n` instances of the given size. */
async function clusterWith(name: string, n: number, cpu = 1024, memory = 1024) {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const arns: string[] = [];
  for (let i = 0; i < n; i++) {
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({ cluster: name, totalResources: resources(cpu, memory) }),
    );
    arns.push(containerInstance?.containerInstanceArn as string);
  }
  return arns;
}

async function taskDefinition(family: string, memory = 256, hostPort?: number) {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [
        {
          name: "app",
          image: "berth-test/busybox:latest",
          memory,
          cpu: 128,
          portMappings: hostPort ? [{ containerPort: 80, hostPort }] : [],
        },
        { name: "sidecar", image: "berth-test/busybox:latest", memory: 32, essential: false },
      ],
      tags: [{ key: "from", value: "definition" }],
    }),
  );
}

const remaining = async (cluster: string, arn: string, name: string) => {
  const { containerInstances } = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }),
  );
  return containerInstances?.[0].remainingResources?.find((r) => r.name === name);
};

describe("RunTask", () => {
  it("places tasks and answers with ECS's task shape", async () => {
    await clusterWith("run", 2);
    await taskDefinition("app");
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({ cluster: "run", taskDefinition: "app", count: 3, startedBy: "me" }),
    );
    expect(failures).toEqual([]);
    expect(tasks).toHaveLength(3);
    for (const task of tasks ?? []) {
      expect(task.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/run\/[0-9a-f]{32}$/);
      expect(task).toMatchObject({
        clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/run",
        taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/app:1",
        desiredStatus: "RUNNING",
        lastStatus: "PENDING",
        launchType: "EC2",
        group: "family:app",
        startedBy: "me",
      });
      expect(task.containerInstanceArn).toMatch(/:container-instance\/run\//);
      expect(task.containers?.map((c) => [c.name, c.lastStatus])).toEqual([
        ["app", "PENDING"],
        ["sidecar", "PENDING"],
      ]);
      expect(task.createdAt).toBeInstanceOf(Date);
    }
    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ["run"] }));
    expect(clusters?.[0]).toMatchObject({
      pendingTasksCount: 3,
      runningTasksCount: 0,
      registeredContainerInstancesCount: 2,
    });
  });

  it("reports tasks that fit nowhere in failures, with ECS's reason, and writes nothing", async () => {
    await clusterWith("full", 2, 1024, 512);
    await taskDefinition("big", 1024);
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster: "full", taskDefinition: "big" }));
    expect(tasks).toEqual([]);
    expect(failures?.map((f) => f.reason)).toEqual(["RESOURCE:MEMORY", "RESOURCE:MEMORY"]);
    expect(failures?.[0].arn).toMatch(/:container-instance\/full\//);
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: "full" }));
    expect(taskArns).toEqual([]);
  });

  it("refuses a fixed host port twice on one instance: RESOURCE:PORTS", async () => {
    await clusterWith("ports", 2);
    await taskDefinition("web", 64, 8080);
    const { tasks, failures } = await ecs.send(
      new RunTaskCommand({ cluster: "ports", taskDefinition: "web", count: 3 }),
    );
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks?.map((t) => t.containerInstanceArn)).size).toBe(2);
    expect(failures?.map((f) => f.reason)).toContain("RESOURCE:PORTS");
  });

  it("answers InvalidParameterException when the cluster has no container instances", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "empty" }));
    await expect(ecs.send(new RunTaskCommand({ cluster: "empty", taskDefinition: "app" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "No Container Instances were found in your cluster.",
    });
  });

  it("checks count, cluster and task definition", async () => {
    await expect(
      ecs.send(new RunTaskCommand({ cluster: "run", taskDefinition: "app", count: 11 })),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(ecs.send(new RunTaskCommand({ cluster: "nope", taskDefinition: "app" }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
    });
    await expect(ecs.send(new RunTaskCommand({ cluster: "run", taskDefinition: "nope:3" }))).rejects.toMatchObject({
      name: "ClientException",
    });
  });

  it("never overbooks an instance when launches race for the last slots", async () => {
    const [arn] = await clusterWith("race", 1, 1024, 1024);
    await taskDefinition("slot", 224); // 224 + the sidecar's 32 = 256 MiB: four fit in 1024
    const results = await Promise.all(
      Array.from({ length: 12 }, () => ecs.send(new RunTaskCommand({ cluster: "race", taskDefinition: "slot" }))),
    );
    const placed = results.flatMap((r) => r.tasks ?? []);
    expect(placed).toHaveLength(4);
    expect(results.filter((r) => r.failures?.[0]?.reason === "RESOURCE:MEMORY")).toHaveLength(8);
    expect((await remaining("race", arn, "MEMORY"))?.integerValue).toBe(0);
  });

  it("is idempotent on clientToken, and refuses the token for a different request", async () => {
    const first = await ecs.send(new RunTaskCommand({ cluster: "run", taskDefinition: "app", clientToken: "tok-1" }));
    const again = await ecs.send(new RunTaskCommand({ cluster: "run", taskDefinition: "app", clientToken: "tok-1" }));
    expect(again.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    await expect(
      ecs.send(new RunTaskCommand({ cluster: "run", taskDefinition: "app", count: 2, clientToken: "tok-1" })),
    ).rejects.toMatchObject({ name: "ConflictException" });
  });

  it("propagates the task definition's tags when asked, and shows tags with include TAGS", async () => {
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        cluster: "run",
        taskDefinition: "app",
        tags: [{ key: "own", value: "1" }],
        propagateTags: "TASK_DEFINITION",
      }),
    );
    const arn = tasks?.[0].taskArn as string;
    const plain = await ecs.send(new DescribeTasksCommand({ cluster: "run", tasks: [arn] }));
    expect(plain.tasks?.[0].tags).toBeUndefined();
    const tagged = await ecs.send(new DescribeTasksCommand({ cluster: "run", tasks: [arn], include: ["TAGS"] }));
    expect(tagged.tasks?.[0].tags).toEqual([
      { key: "own", value: "1" },
      { key: "from", value: "definition" },
    ]);
  });
});

describe("placement that sees the tasks placed before", () => {
  const place = (cluster: string, input: Partial<RunTaskCommandInput> = {}) =>
    ecs.send(new RunTaskCommand({ cluster, taskDefinition: "placed", ...input }));
  const startOn = (cluster: string, arn: string, group: string) =>
    ecs.send(new StartTaskCommand({ cluster, taskDefinition: "placed", containerInstances: [arn], group }));
  const instanceOf = (task: { containerInstanceArn?: string } | undefined) => task?.containerInstanceArn;

  beforeAll(() => taskDefinition("placed", 64));

  it("spreads a group over instances across RunTask calls, whatever other groups run there", async () => {
    const arns = await clusterWith("spread", 3, 4096, 8192);
    for (let i = 0; i < 3; i++) await startOn("spread", arns[0], "other");
    const where: string[] = [];
    for (let i = 0; i < 6; i++) {
      const { tasks } = await place("spread", {
        group: "web",
        placementStrategy: [{ type: "spread", field: "instanceId" }],
      });
      where.push(instanceOf(tasks?.[0]) as string);
    }
    expect(arns.map((arn) => where.filter((w) => w === arn).length)).toEqual([2, 2, 2]);
  });

  it("keeps a group's tasks on distinct instances across calls; a stopped task's instance takes one again", async () => {
    const arns = await clusterWith("distinct", 2);
    const distinct = { group: "solo", placementConstraints: [{ type: "distinctInstance" as const }] };
    const first = (await place("distinct", distinct)).tasks?.[0];
    const second = (await place("distinct", distinct)).tasks?.[0];
    expect([instanceOf(first), instanceOf(second)].sort()).toEqual([...arns].sort());
    const third = await place("distinct", distinct);
    expect(third.tasks).toEqual([]);
    expect(third.failures?.map((f) => [f.arn, f.reason]).sort()).toEqual(
      arns.map((arn) => [arn, "DistinctInstance placement constraint unsatisfied."]).sort(),
    );
    // Another group is not kept apart from this one.
    expect((await place("distinct", { ...distinct, group: "duo" })).tasks).toHaveLength(1);
    await ecs.send(new StopTaskCommand({ cluster: "distinct", task: first?.taskArn }));
    const again = (await place("distinct", distinct)).tasks?.[0];
    expect(instanceOf(again)).toBe(instanceOf(first));
  });

  it("places beside a group's tasks with memberOf(task:group == …)", async () => {
    const arns = await clusterWith("beside", 3);
    await startOn("beside", arns[1], "db");
    const { tasks } = await place("beside", {
      count: 2,
      placementConstraints: [{ type: "memberOf", expression: "task:group == db" }],
    });
    expect(tasks?.map(instanceOf)).toEqual([arns[1], arns[1]]);
  });

  it("counts only RUNNING tasks in memberOf(runningTasksCount == 0)", async () => {
    const arns = await clusterWith("idle", 2);
    const busy = (await startOn("idle", arns[0], "busy")).tasks?.[0];
    await startOn("idle", arns[1], "starting");
    await ecs.send(
      new SubmitTaskStateChangeCommand({
        cluster: "idle",
        task: busy?.taskArn,
        status: "RUNNING",
        containers: [
          { containerName: "app", status: "RUNNING", runtimeId: "a1" },
          { containerName: "sidecar", status: "RUNNING", runtimeId: "s1" },
        ],
      }),
    );
    const { tasks } = await place("idle", {
      count: 2,
      placementConstraints: [{ type: "memberOf", expression: "runningTasksCount == 0" }],
    });
    expect(tasks?.map(instanceOf)).toEqual([arns[1], arns[1]]);
  });
});

describe("StartTask", () => {
  it("starts one task on each named instance and reports unknown ones as MISSING", async () => {
    const arns = await clusterWith("start", 2);
    const { tasks, failures } = await ecs.send(
      new StartTaskCommand({
        cluster: "start",
        taskDefinition: "app:1",
        containerInstances: [arns[1], "0123456789abcdef"],
      }),
    );
    expect(tasks?.map((t) => t.containerInstanceArn)).toEqual([arns[1]]);
    expect(failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:container-instance/start/0123456789abcdef", reason: "MISSING" },
    ]);
  });
});

describe("task lifecycle", () => {
  it("stops a task no agent has taken up at once, and gives its resources back", async () => {
    const [arn] = await clusterWith("stop", 1);
    const before = (await remaining("stop", arn, "MEMORY"))?.integerValue;
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: "stop", taskDefinition: "app" }));
    expect((await remaining("stop", arn, "MEMORY"))?.integerValue).toBe((before ?? 0) - 288);
    const { task } = await ecs.send(
      new StopTaskCommand({ cluster: "stop", task: tasks?.[0].taskArn, reason: "no longer needed" }),
    );
    expect(task).toMatchObject({
      desiredStatus: "STOPPED",
      lastStatus: "STOPPED",
      stopCode: "UserInitiated",
      stoppedReason: "no longer needed",
    });
    expect(task?.stoppedAt).toBeInstanceOf(Date);
    expect((await remaining("stop", arn, "MEMORY"))?.integerValue).toBe(before);
    const stopped = await ecs.send(new ListTasksCommand({ cluster: "stop", desiredStatus: "STOPPED" }));
    expect(stopped.taskArns).toEqual([task?.taskArn]);
  });

  it("follows the agent's reports: RUNNING, then STOPPED after StopTask", async () => {
    const [arn] = await clusterWith("life", 1);
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: "life", taskDefinition: "app" }));
    const taskArn = tasks?.[0].taskArn as string;
    const pulled = new Date(Date.now() - 2000);
    await ecs.send(
      new SubmitTaskStateChangeCommand({
        cluster: "life",
        task: taskArn,
        status: "RUNNING",
        pullStartedAt: pulled,
        pullStoppedAt: pulled,
        containers: [
          {
            containerName: "app",
            status: "RUNNING",
            runtimeId: "abc123",
            networkBindings: [{ bindIP: "0.0.0.0", containerPort: 80, hostPort: 32768, protocol: "tcp" }],
          },
          { containerName: "sidecar", status: "RUNNING", runtimeId: "def456" },
        ],
      }),
    );
    const running = (await ecs.send(new DescribeTasksCommand({ cluster: "life", tasks: [taskArn] }))).tasks?.[0];
    expect(running).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING", connectivity: "CONNECTED" });
    expect(running?.startedAt).toBeInstanceOf(Date);
    expect(running?.pullStartedAt?.getTime()).toBe(pulled.getTime());
    expect(running?.containers?.[0]).toMatchObject({ lastStatus: "RUNNING", runtimeId: "abc123" });
    expect(running?.containers?.[0].networkBindings?.[0].hostPort).toBe(32768);
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ["life"] }))).clusters?.[0].runningTasksCount).toBe(
      1,
    );

    const { task: stopping } = await ecs.send(new StopTaskCommand({ cluster: "life", task: taskArn }));
    expect(stopping).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "RUNNING", stopCode: "UserInitiated" });
    const memoryWhileStopping = (await remaining("life", arn, "MEMORY"))?.integerValue;
    expect(memoryWhileStopping).toBe(1024 - 288);

    await ecs.send(
      new SubmitTaskStateChangeCommand({
        cluster: "life",
        task: taskArn,
        status: "STOPPED",
        containers: [
          { containerName: "app", status: "STOPPED", exitCode: 137 },
          { containerName: "sidecar", status: "STOPPED", exitCode: 0 },
        ],
      }),
    );
    const stopped = (await ecs.send(new DescribeTasksCommand({ cluster: "life", tasks: [taskArn] }))).tasks?.[0];
    expect(stopped).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "UserInitiated",
      stoppedReason: "Task stopped by user",
    });
    expect(stopped?.containers?.map((c) => c.exitCode)).toEqual([137, 0]);
    expect((await remaining("life", arn, "MEMORY"))?.integerValue).toBe(1024);

    // A late, repeated report changes nothing.
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: "life", task: taskArn, status: "RUNNING" }));
    const after = (await ecs.send(new DescribeTasksCommand({ cluster: "life", tasks: [taskArn] }))).tasks?.[0];
    expect(after?.lastStatus).toBe("STOPPED");
  });

  it("stops the task when an essential container exits", async () => {
    await clusterWith("essential", 1);
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: "essential", taskDefinition: "app" }));
    const taskArn = tasks?.[0].taskArn as string;
    await ecs.send(new SubmitTaskStateChangeCommand({ cluster: "essential", task: taskArn, status: "RUNNING" }));
    await ecs.send(
      new SubmitContainerStateChangeCommand({
        cluster: "essential",
        task: taskArn,
        containerName: "sidecar",
        status: "STOPPED",
        exitCode: 0,
      }),
    );
    const afterSidecar = (await ecs.send(new DescribeTasksCommand({ cluster: "essential", tasks: [taskArn] })))
      .tasks?.[0];
    expect(afterSidecar?.desiredStatus).toBe("RUNNING");
    await ecs.send(
      new SubmitContainerStateChangeCommand({
        cluster: "essential",
        task: taskArn,
        containerName: "app",
        status: "STOPPED",
        exitCode: 1,
        reason: "boom",
      }),
    );
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: "essential", tasks: [taskArn] }))).tasks?.[0];
    expect(task).toMatchObject({
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
    });
    expect(task?.containers?.[0]).toMatchObject({ lastStatus: "STOPPED", exitCode: 1, reason: "boom" });
  });

  it("answers StopTask for an unknown task with InvalidParameterException", async () => {
    await expect(
      ecs.send(new StopTaskCommand({ cluster: "run", task: "ffffffffffffffffffffffffffffffff" })),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });
});

describe("DescribeTasks and ListTasks", () => {
  it("describes up to 100 tasks with failures for missing ones", async () => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: "run" }));
    const { tasks, failures } = await ecs.send(
      new DescribeTasksCommand({
        cluster: "run",
        tasks: [taskArns?.[0] as string, "0000000000000000000000000000dead"],
      }),
    );
    expect(tasks?.map((t) => t.taskArn)).toEqual([taskArns?.[0]]);
    expect(failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:task/run/0000000000000000000000000000dead", reason: "MISSING" },
    ]);
    await expect(
      ecs.send(new DescribeTasksCommand({ cluster: "run", tasks: Array.from({ length: 101 }, (_, i) => `t${i}`) })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("filters by family, startedBy and container instance, and pages", async () => {
    const all = (await ecs.send(new ListTasksCommand({ cluster: "run" }))).taskArns ?? [];
    expect(all.length).toBeGreaterThanOrEqual(5);
    const mine = (await ecs.send(new ListTasksCommand({ cluster: "run", startedBy: "me" }))).taskArns ?? [];
    expect(mine).toHaveLength(3);
    expect((await ecs.send(new ListTasksCommand({ cluster: "run", family: "nope" }))).taskArns).toEqual([]);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: "run", tasks: mine }));
    const instance = tasks?.[0].containerInstanceArn as string;
    const onInstance = (await ecs.send(new ListTasksCommand({ cluster: "run", containerInstance: instance }))).taskArns;
    expect(onInstance).toContain(tasks?.[0].taskArn);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: "run", tasks: onInstance }));
    expect(new Set(described.tasks?.map((t) => t.containerInstanceArn))).toEqual(new Set([instance]));
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster: "run", maxResults: 2, nextToken }));
      expect(page.taskArns?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen.sort()).toEqual([...all].sort());
  });
});

describe("DeleteCluster while in use", () => {
  it("refuses while tasks or instances remain", async () => {
    await expect(ecs.send(new DeleteClusterCommand({ cluster: "run" }))).rejects.toMatchObject({
      name: "ClusterContainsContainerInstancesException",
    });
  });
});
