import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ContainerDefinition,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliPresent, awsEcs } from "../support/awsCli.ts";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";
import { containersOfTask, dockerUnavailable, removeTaskContainers, TEST_IMAGE } from "../support/docker.ts";

/**
 * `berth local` with its local agent, as a user starts it (`npm start`), running real
 * containers on this machine's Docker engine; driven through the ECS SDK, with its waiters, and
 * the AWS CLI's `aws ecs wait tasks-running / tasks-stopped` where `aws` is installed.
 */
const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
const inCi = process.env.CI === "true";
if (unavailable && !inCi) console.warn(`e2e/agent: skipped, ${unavailable} (CI=true makes this fail).`);

describe.skipIf(unavailable !== undefined && !inCi)("the agent runs tasks on Docker", { timeout: 90_000 }, () => {
  let dataDir: string;
  let berth: BerthProcess;
  let ecs: ECSClient;
  let instanceArn: string;
  const taskArns: string[] = [];
  const ENV = { ECS_CONTAINER_STOP_TIMEOUT: "2s", BERTH_HEARTBEAT_SECONDS: "2" };

  async function start() {
    berth = await spawnBerth(dataDir, ENV, { agent: true });
    ecs?.destroy();
    ecs = new ECSClient({
      endpoint: berth.url,
      region: berth.region,
      credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    });
    const registered = /local agent: registered as (\S+)/.exec(berth.output());
    if (!registered) throw new Error(`berth local started without its agent:\n${berth.output()}`);
    return registered[1];
  }

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}: .ci/run installs and starts Docker.`);
    dataDir = mkdtempSync(join(tmpdir(), "berth-e2e-agent-"));
    instanceArn = await start();
  });
  afterAll(async () => {
    await berth?.stop();
    ecs?.destroy();
    await removeTaskContainers(docker, taskArns);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  let family = 0;
  /** Registers a one-container task definition and runs one task of it; returns its ARN. */
  async function runTask(container: Partial<ContainerDefinition>): Promise<string> {
    const name = `e2e-agent-${process.pid}-${family++}`;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: 32, essential: true, ...container }],
      }),
    );
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ taskDefinition: name, startedBy: "e2e" }));
    expect(failures).toEqual([]);
    const taskArn = tasks?.[0]?.taskArn as string;
    taskArns.push(taskArn);
    return taskArn;
  }

  const describeTask = async (taskArn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ tasks: [taskArn] }))).tasks?.[0] as Task;
  const waitRunning = (taskArn: string) =>
    waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { tasks: [taskArn] });
  const waitStopped = (taskArn: string) =>
    waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { tasks: [taskArn] });
  /** The AWS CLI's own waiter too, when `aws` is here (it polls every 6 s, so it runs once the SDK's passed). */
  const cliWait = async (waiter: "tasks-running" | "tasks-stopped", taskArn: string) => {
    if (awsCliPresent()) await awsEcs(berth, ["wait", waiter, "--tasks", taskArn]);
  };

  it("registers this machine in cluster default, with its resources and capabilities", async () => {
    expect(instanceArn).toMatch(/:container-instance\/default\/\w+$/);
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({}));
    expect(containerInstanceArns).toEqual([instanceArn]);
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({ containerInstances: [instanceArn] }),
    );
    const instance = containerInstances?.[0];
    expect(instance?.status).toBe("ACTIVE");
    expect(instance?.agentConnected).toBe(true);
    expect(instance?.versionInfo?.dockerVersion).toMatch(/^DockerVersion: \d/);
    const cpu = instance?.registeredResources?.find((r) => r.name === "CPU")?.integerValue ?? 0;
    expect(cpu % 1024).toBe(0);
    expect(cpu).toBeGreaterThan(0);
    const names = instance?.attributes?.map((a) => a.name);
    expect(names).toEqual(
      expect.arrayContaining(["ecs.os-type", "ecs.cpu-architecture", "ecs.capability.container-health-check"]),
    );
  });

  let sleeper: string;
  it("run-task → RUNNING, with the container in docker ps under ECS's labels", async () => {
    sleeper = await runTask({ command: ["sleep", "3600"] });
    await waitRunning(sleeper);
    await cliWait("tasks-running", sleeper);
    const containers = await containersOfTask(docker, sleeper);
    expect(containers).toHaveLength(1);
    expect(containers[0].State).toBe("running");
    expect(containers[0].Labels).toMatchObject({
      "com.amazonaws.ecs.task-arn": sleeper,
      "com.amazonaws.ecs.container-name": "main",
      "com.amazonaws.ecs.cluster": "default",
      "com.amazonaws.ecs.task-definition-family": expect.stringMatching(/^e2e-agent-/),
      "com.amazonaws.ecs.task-definition-version": "1",
    });
    const task = await describeTask(sleeper);
    expect(task.containers?.[0]).toMatchObject({ lastStatus: "RUNNING", runtimeId: containers[0].Id });
  });

  it("a container exiting non-zero → task STOPPED with its exit code", async () => {
    const taskArn = await runTask({ command: ["sh", "-c", "exit 3"] });
    await waitStopped(taskArn);
    const task = await describeTask(taskArn);
    expect(task.lastStatus).toBe("STOPPED");
    expect(task.stopCode).toBe("EssentialContainerExited");
    expect(task.containers?.[0]).toMatchObject({ lastStatus: "STOPPED", exitCode: 3 });
  });

  it("stop-task → SIGTERM, then SIGKILL after the stop timeout; tasks-stopped", async () => {
    // `sleep` as PID 1 ignores SIGTERM, so only the SIGKILL after ECS_CONTAINER_STOP_TIMEOUT (2 s) ends it.
    const started = Date.now();
    await ecs.send(new StopTaskCommand({ task: sleeper, reason: "e2e" }));
    await waitStopped(sleeper);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    await cliWait("tasks-stopped", sleeper);
    const task = await describeTask(sleeper);
    expect(task).toMatchObject({ lastStatus: "STOPPED", stoppedReason: "e2e", stopCode: "UserInitiated" });
    expect(task.containers?.[0].exitCode).toBe(137);
    for (const c of await containersOfTask(docker, sleeper)) expect(c.State).not.toBe("running");
  });

  it("a dynamic host port is reported in networkBindings and reachable", async () => {
    const taskArn = await runTask({
      command: ["sh", "-c", "echo hello from berth > /index.html && exec httpd -f -p 8080 -h /"],
      portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
    });
    await waitRunning(taskArn);
    const binding = (await describeTask(taskArn)).containers?.[0].networkBindings?.find(
      (b) => b.containerPort === 8080,
    );
    expect(binding?.hostPort).toBeGreaterThan(0);
    let body = "";
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${binding?.hostPort}/index.html`)
        .then((r) => r.text())
        .catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return "";
        });
    }
    expect(body).toBe("hello from berth\n");
    await ecs.send(new StopTaskCommand({ task: taskArn }));
    await waitStopped(taskArn);
  });

  it("a container health check → HEALTHY or UNHEALTHY on the container and the task", async () => {
    // Docker runs the first check one interval (ECS's minimum, 5 s) after the start; both at once.
    const check = (command: string) => ({ command: ["CMD-SHELL", command], interval: 5, timeout: 2, retries: 1 });
    const healthy = await runTask({ command: ["sleep", "3600"], healthCheck: check("true") });
    const unhealthy = await runTask({ command: ["sleep", "3600"], healthCheck: check("false") });
    const healthOf = async (taskArn: string, want: string) => {
      for (let i = 0; i < 30; i++) {
        const task = await describeTask(taskArn);
        if (task.healthStatus === want) return task;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return describeTask(taskArn);
    };
    const [good, bad] = await Promise.all([healthOf(healthy, "HEALTHY"), healthOf(unhealthy, "UNHEALTHY")]);
    expect(good).toMatchObject({ healthStatus: "HEALTHY", lastStatus: "RUNNING" });
    expect(good.containers?.[0].healthStatus).toBe("HEALTHY");
    // A task run on its own carries on whatever its health, as on ECS (a service would replace it).
    expect(bad).toMatchObject({ healthStatus: "UNHEALTHY", lastStatus: "RUNNING", desiredStatus: "RUNNING" });
    expect(bad.containers?.[0].healthStatus).toBe("UNHEALTHY");
    await ecs.send(new StopTaskCommand({ task: healthy }));
    await ecs.send(new StopTaskCommand({ task: unhealthy }));
    await Promise.all([waitStopped(healthy), waitStopped(unhealthy)]);
  });

  it("kill -9 and restart on the same data dir: same instance, no duplicate container, state still reported", async () => {
    const taskArn = await runTask({ command: ["sleep", "3600"] });
    await waitRunning(taskArn);
    const [before] = await containersOfTask(docker, taskArn);
    expect(await berth.stop("SIGKILL")).toBe("SIGKILL");

    expect(await start()).toBe(instanceArn);
    // The restarted agent has synced once before printing; give it one more pass regardless.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await containersOfTask(docker, taskArn);
    expect(after.map((c) => c.Id)).toEqual([before.Id]);
    expect(after[0].State).toBe("running");
    expect((await describeTask(taskArn)).lastStatus).toBe("RUNNING");

    await ecs.send(new StopTaskCommand({ task: taskArn }));
    await waitStopped(taskArn);
    expect((await describeTask(taskArn)).containers?.[0].exitCode).toBe(137);
    expect((await containersOfTask(docker, taskArn)).map((c) => c.Id)).toEqual([before.Id]);
  });

  it("a deregistered instance is registered again at the next heartbeat", async () => {
    await ecs.send(new DeregisterContainerInstanceCommand({ containerInstance: instanceArn, force: true }));
    let arns: string[] = [];
    for (let i = 0; i < 100 && arns.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      arns = (await ecs.send(new ListContainerInstancesCommand({}))).containerInstanceArns ?? [];
    }
    expect(arns).toHaveLength(1);
    expect(arns[0]).not.toBe(instanceArn);
    const taskArn = await runTask({ command: ["sleep", "3600"] });
    await waitRunning(taskArn);
    expect((await describeTask(taskArn)).containerInstanceArn).toBe(arns[0]);
  });
});
