import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  SubmitTaskStateChangeCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";
import { rawCall } from "../support/rawCall.ts";

/**
 * Container health through Berth's SubmitTaskHealthChange (signed, as an agent sends it) and
 * DescribeTasks: ECS's task health from essential containers with a check; a standalone task
 * carries on whatever its health; a service task that fails its checks is stopped and replaced.
 */
let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
});
afterAll(() => berth.stop());

const CHECK = { command: ["CMD-SHELL", "true"], interval: 5 };

async function cluster(name: string) {
  await berth.ecs.send(new CreateClusterCommand({ clusterName: name }));
  await berth.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: name,
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 2048 },
        { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
      ],
      // Health checks need an instance that can run them, as an agent advertises.
      attributes: [{ name: "ecs.capability.container-health-check" }],
    }),
  );
  await berth.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [
        { name: "web", image: "busybox", memory: 32, healthCheck: CHECK },
        { name: "side", image: "busybox", memory: 32, essential: false, healthCheck: CHECK },
        { name: "log", image: "busybox", memory: 32 },
      ],
    }),
  );
}

const health = (clusterName: string, task: string, containers: { containerName: string; healthStatus: string }[]) =>
  rawCall(berth, "Berth_20261124.SubmitTaskHealthChange", JSON.stringify({ cluster: clusterName, task, containers }));

const describeTask = async (clusterName: string, arn: string) =>
  (await berth.ecs.send(new DescribeTasksCommand({ cluster: clusterName, tasks: [arn] }))).tasks?.[0] as Task;

const healthOf = (task: Task) => [
  task.healthStatus,
  ...(task.containers ?? []).map((c) => `${c.name}:${c.healthStatus}`),
];

const running = (clusterName: string, task: string) =>
  berth.ecs.send(new SubmitTaskStateChangeCommand({ cluster: clusterName, task, status: "RUNNING" }));

describe("SubmitTaskHealthChange", () => {
  let taskArn: string;
  beforeAll(async () => {
    await cluster("hc");
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ cluster: "hc", taskDefinition: "hc" }));
    taskArn = tasks?.[0].taskArn as string;
    await running("hc", taskArn);
  });

  it("starts UNKNOWN, with health only on containers that have a check", async () => {
    expect(healthOf(await describeTask("hc", taskArn))).toEqual([
      "UNKNOWN",
      "web:UNKNOWN",
      "side:UNKNOWN",
      "log:undefined",
    ]);
  });

  it("derives the task's health from its essential containers with a check", async () => {
    const answer = await health("hc", taskArn, [{ containerName: "web", healthStatus: "HEALTHY" }]);
    expect(answer).toMatchObject({ status: 200, body: { acknowledgment: "ACK" } });
    expect(healthOf(await describeTask("hc", taskArn))).toEqual([
      "HEALTHY",
      "web:HEALTHY",
      "side:UNKNOWN",
      "log:undefined",
    ]);

    // A non-essential container's health shows, and does not count.
    await health("hc", taskArn, [{ containerName: "side", healthStatus: "UNHEALTHY" }]);
    expect(healthOf(await describeTask("hc", taskArn))).toEqual([
      "HEALTHY",
      "web:HEALTHY",
      "side:UNHEALTHY",
      "log:undefined",
    ]);
  });

  it("changes nothing on a repeat, by task id too", async () => {
    const before = await describeTask("hc", taskArn);
    const id = taskArn.split("/").pop() as string;
    await health("hc", id, [{ containerName: "web", healthStatus: "HEALTHY" }]);
    expect((await describeTask("hc", taskArn)).version).toBe(before.version);
  });

  it("keeps a standalone task running when it turns UNHEALTHY, as ECS does", async () => {
    await health("hc", taskArn, [{ containerName: "web", healthStatus: "UNHEALTHY" }]);
    const task = await describeTask("hc", taskArn);
    expect(task).toMatchObject({ healthStatus: "UNHEALTHY", lastStatus: "RUNNING", desiredStatus: "RUNNING" });
  });

  it("ignores reports on a STOPPED task", async () => {
    await berth.ecs.send(new StopTaskCommand({ cluster: "hc", task: taskArn }));
    await berth.ecs.send(new SubmitTaskStateChangeCommand({ cluster: "hc", task: taskArn, status: "STOPPED" }));
    const stopped = await describeTask("hc", taskArn);
    await health("hc", taskArn, [{ containerName: "web", healthStatus: "HEALTHY" }]);
    expect(await describeTask("hc", taskArn)).toEqual(stopped);
  });

  it("answers ECS's errors", async () => {
    const bad = await health("hc", taskArn, [{ containerName: "web", healthStatus: "FINE" }]);
    expect(bad).toMatchObject({ status: 400, body: { __type: "InvalidParameterException" } });
    expect(String(bad.body.message)).toContain("containers.1.member.healthStatus");
    const missing = await health("hc", "0123456789abcdef0123456789abcdef", []);
    expect(missing.body).toEqual({
      __type: "InvalidParameterException",
      message: "The referenced task was not found.",
    });
    const noTask = await rawCall(berth, "Berth_20261124.SubmitTaskHealthChange", JSON.stringify({ cluster: "hc" }));
    expect(noTask.body.__type).toBe("InvalidParameterException");
  });
});

describe("a service task that fails its container health checks", () => {
  it("is stopped with ECS's reason and replaced, and the service says so", async () => {
    await cluster("hs");
    await berth.ecs.send(
      new CreateServiceCommand({ cluster: "hs", serviceName: "web", taskDefinition: "hs", desiredCount: 1 }),
    );
    const first = await until("the service's task", async () => {
      const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: "hs", serviceName: "web" }));
      return taskArns?.[0];
    });
    await running("hs", first);
    await health("hs", first, [{ containerName: "web", healthStatus: "UNHEALTHY" }]);

    const stopping = await until("the unhealthy task asked to stop", async () => {
      const task = await describeTask("hs", first);
      return task.desiredStatus === "STOPPED" && task;
    });
    expect(stopping).toMatchObject({
      healthStatus: "UNHEALTHY",
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Task failed container health checks",
    });
    const replacement = await until("a replacement", async () => {
      const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: "hs", serviceName: "web" }));
      return taskArns?.find((arn) => arn !== first);
    });
    const { services } = await berth.ecs.send(new DescribeServicesCommand({ cluster: "hs", services: ["web"] }));
    const id = first.split("/").pop();
    const messages = services?.[0].events?.map((e) => e.message);
    expect(messages).toContain(`(service web) (task ${id}) failed container health checks.`);
    expect(messages).toContain(`(service web) has stopped 1 running tasks: (task ${id}).`);
    expect(messages).toContain(`(service web) has started 1 tasks: (task ${replacement.split("/").pop()}).`);
  });
});
