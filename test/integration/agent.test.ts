import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentConfig, loadAgentConfig } from "../../agent/config.ts";
import { createControlPlane } from "../../agent/controlPlane.ts";
import { createDesiredReader } from "../../agent/desired.ts";
import { createLogger } from "../../agent/log.ts";
import { type RunningAgent, startAgent } from "../../agent/main.ts";
import { FakeRuntime } from "../../agent/runtime/fake.ts";
import { localOptions } from "../../local/config.ts";
import { type RunningLocal, startLocal } from "../../local/server.ts";

/**
 * The agent's shell against a real control plane in this process, with the engine on a fake
 * container runtime (no Docker needed): registration and re-registration with the same ARN,
 * reports queued through a control-plane outage and delivered when it is back, also across an
 * agent restart; container health from the runtime to DescribeTasks.
 */
describe("the agent against a control plane that goes away", { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-agent-int-"));
  const agentDir = join(dataDir, "agent");
  const runtime = new FakeRuntime(["busybox"]);
  const lines: string[] = [];
  let port = "0";
  let local: RunningLocal;
  let ecs: ECSClient;
  let agent: RunningAgent;

  async function startControlPlane() {
    local = await startLocal(localOptions({ port, "data-dir": dataDir, "no-agent": true }, {}));
    port = new URL(local.url).port;
    ecs?.destroy();
    ecs = new ECSClient({ endpoint: local.url, region: "us-east-1", credentials: local.credentials, maxAttempts: 1 });
  }
  const agentConfig = (): AgentConfig =>
    loadAgentConfig({
      env: { ECS_DATADIR: agentDir, BERTH_HEARTBEAT_SECONDS: "1" },
      configFile: false,
      overrides: { endpoint: local.url, credentials: local.credentials },
    });
  const startTheAgent = () =>
    startAgent(agentConfig(), { runtime, log: createLogger("debug", (line) => lines.push(line)) });
  const describeTask = async (taskArn: string) =>
    (await ecs.send(new DescribeTasksCommand({ tasks: [taskArn] }))).tasks?.[0] as Task;
  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}; agent log:\n${lines.join("")}`);
  }

  beforeAll(async () => {
    await startControlPlane();
    await ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    agent = await startTheAgent();
  });
  afterAll(async () => {
    await agent?.close();
    ecs?.destroy();
    await local?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let taskArn: string;
  it("runs a task on the runtime and reports it RUNNING", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "app",
        containerDefinitions: [{ name: "main", image: "busybox", memory: 32 }],
      }),
    );
    const { tasks } = await ecs.send(new RunTaskCommand({ taskDefinition: "app" }));
    taskArn = tasks?.[0]?.taskArn as string;
    expect(tasks?.[0]?.containerInstanceArn).toBe(agent.containerInstanceArn);
    await agent.sync();
    await until("RUNNING", async () => ((await describeTask(taskArn)).lastStatus === "RUNNING" ? true : undefined));
  });

  it("reports container health from the runtime, shown on the container and the task", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "checked",
        containerDefinitions: [
          { name: "main", image: "busybox", memory: 32, healthCheck: { command: ["CMD-SHELL", "true"] } },
        ],
      }),
    );
    const { tasks } = await ecs.send(new RunTaskCommand({ taskDefinition: "checked" }));
    const checked = tasks?.[0]?.taskArn as string;
    await agent.sync();
    const container = await until("the container", async () =>
      [...runtime.containers.values()].find((c) => c.spec.Labels?.["com.amazonaws.ecs.task-arn"] === checked),
    );
    for (const health of ["HEALTHY", "UNHEALTHY"] as const) {
      runtime.setHealth(container.name, health);
      const task = await until(health, async () => {
        const t = await describeTask(checked);
        return t.healthStatus === health ? t : undefined;
      });
      expect(task.containers?.[0].healthStatus).toBe(health);
    }
    // A task run on its own carries on whatever its health, as on ECS.
    expect(await describeTask(checked)).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING" });
  });

  // Found by the soak run (bench/soak.ts): StopTask before the agent's first report stops the task at
  // once in the store; an agent that had already read it started its container, and its listing
  // left out STOPPED tasks, so it never stopped that container. The listing now names them (the
  // engine stops what it took up of them and takes up none of the others: engine.test.ts).
  it("lists a task stopped before any report to the agent it was placed on, as STOPPED", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "raced" }));
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "raced",
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
      }),
    );
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: "raced", taskDefinition: "app" }));
    const raced = tasks?.[0]?.taskArn as string;
    await ecs.send(new StopTaskCommand({ cluster: "raced", task: raced }));
    const cp = createControlPlane({ endpoint: local.url, region: "us-east-1", credentials: local.credentials });
    try {
      const { desired } = await createDesiredReader(cp, "raced")(containerInstance?.containerInstanceArn as string);
      expect(desired.map((d) => d.task)).toMatchObject([
        { taskArn: raced, lastStatus: "STOPPED", desiredStatus: "STOPPED" },
      ]);
    } finally {
      cp.destroy();
    }
  });

  /** Stops the control plane, makes the task's container exit 3, and waits for the report to be queued. */
  async function exitDuringOutage(taskArn: string) {
    await local.close();
    const container = [...runtime.containers.values()].find(
      (c) => c.spec.Labels?.["com.amazonaws.ecs.task-arn"] === taskArn,
    );
    runtime.exit(container?.name as string, 3);
    await until("the report in the state file", async () => {
      const pending = JSON.parse(readFileSync(join(agentDir, "agent.json"), "utf8")).pending as { status: string }[];
      return pending.some((r) => r.status === "STOPPED") ? true : undefined;
    });
  }

  async function expectExited(taskArn: string) {
    const task = await describeTask(taskArn);
    expect(task).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited" });
    expect(task.containers?.[0].exitCode).toBe(3);
    // A restarted engine may report what it adopted once more (harmless: the control plane ignores
    // a repeat), so the queue empties eventually rather than at the moment drained() first resolves.
    await until("an empty report queue", async () => {
      await agent.drained();
      const pending = JSON.parse(readFileSync(join(agentDir, "agent.json"), "utf8")).pending as unknown[];
      return pending.length === 0 ? true : undefined;
    });
  }

  it("retries reports while the control plane is away and delivers them when it is back", async () => {
    await exitDuringOutage(taskArn);
    await startControlPlane();
    await agent.drained();
    await expectExited(taskArn);
  });

  it("keeps reports through an outage and an agent restart, and delivers them when the control plane is back", async () => {
    const { tasks } = await ecs.send(new RunTaskCommand({ taskDefinition: "app" }));
    const second = tasks?.[0]?.taskArn as string;
    await agent.sync();
    await until("RUNNING", async () => ((await describeTask(second)).lastStatus === "RUNNING" ? true : undefined));
    await exitDuringOutage(second);
    const instanceArn = agent.containerInstanceArn;
    await agent.close();

    await startControlPlane();
    agent = await startTheAgent();
    expect(agent.containerInstanceArn).toBe(instanceArn);
    await agent.drained();
    await expectExited(second);
  });
});
