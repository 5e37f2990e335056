import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../agent/config.ts";
import { createLogger } from "../../agent/log.ts";
import { type RunningAgent, startAgent } from "../../agent/main.ts";
import { FakeRuntime } from "../../agent/runtime/fake.ts";
import { parseBootstrapToken } from "../../core/auth/bootstrapToken.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";

/**
 * The agent joining with the cluster's bootstrap token (no key of its own configured): it
 * registers, fetches credentials of its own, keeps them in its state file, works with them, and
 * joins anew as another instance once its instance is deregistered (which revokes them).
 */
describe("an agent joining with a bootstrap token", { timeout: 60_000 }, () => {
  let berth: TestBerth;
  let agent: RunningAgent;
  const runtime = new FakeRuntime(["busybox"]);
  const lines: string[] = [];
  const agentDir = () => join(berth.dataDir, "agent");
  const stateFile = () => JSON.parse(readFileSync(join(agentDir(), "agent.json"), "utf8"));
  const start = () =>
    startAgent(
      loadAgentConfig({
        env: { ECS_DATADIR: agentDir(), BERTH_HEARTBEAT_SECONDS: "1" },
        configFile: false,
        overrides: { endpoint: berth.url, bootstrapToken: parseBootstrapToken(berth.bootstrapToken.token) },
      }),
      { runtime, log: createLogger("debug", (line) => lines.push(line)) },
    );

  beforeAll(async () => {
    berth = await startBerth();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    agent = await start();
  });
  afterAll(async () => {
    await agent?.close();
    await berth.stop();
  });

  it("keeps credentials of its own in its state file, readable by its owner only", async () => {
    const state = stateFile();
    expect(state.containerInstanceArn).toBe(agent.containerInstanceArn);
    expect(state.credentials.accessKeyId).toMatch(/^AKIA/);
    expect(state.credentials.accessKeyId).not.toBe(parseBootstrapToken(berth.bootstrapToken.token).accessKeyId);
    expect(statSync(join(agentDir(), "agent.json")).mode & 0o777).toBe(0o600);
  });

  it("runs a task with them", async () => {
    await berth.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "app",
        containerDefinitions: [{ name: "main", image: "busybox", memory: 32 }],
      }),
    );
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ taskDefinition: "app" }));
    const taskArn = tasks?.[0]?.taskArn as string;
    await agent.sync();
    await until("RUNNING", async () => {
      const { tasks: described } = await berth.ecs.send(new DescribeTasksCommand({ tasks: [taskArn] }));
      return described?.[0]?.lastStatus === "RUNNING";
    }).catch((error) => {
      throw new Error(`${error.message}; agent log:\n${lines.join("")}`);
    });
  });

  it("renews its registration with them after a restart", async () => {
    const arn = agent.containerInstanceArn;
    await agent.close();
    agent = await start();
    expect(agent.containerInstanceArn).toBe(arn);
  });

  it("joins as a new instance once deregistered", async () => {
    const old = agent.containerInstanceArn;
    const oldKey = stateFile().credentials.accessKeyId;
    await berth.ecs.send(new DeregisterContainerInstanceCommand({ containerInstance: old, force: true }));
    await until("a new registration", async () => agent.containerInstanceArn !== old);
    expect(stateFile().credentials.accessKeyId).not.toBe(oldKey);
  });
});
