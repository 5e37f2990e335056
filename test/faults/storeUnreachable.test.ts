import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, inject, it } from "vitest";
import { loadAgentConfig } from "../../agent/config.ts";
import { createLogger } from "../../agent/log.ts";
import { type RunningAgent, startAgent } from "../../agent/main.ts";
import { FakeRuntime } from "../../agent/runtime/fake.ts";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";
import { settledCluster } from "../support/clusterInvariants.ts";
import { until } from "../support/poll.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcpProxy.ts";

/**
 * DynamoDB unreachable while a cluster runs: `berth local` reaches DynamoDB Local through a TCP
 * proxy the test stops (DynamoDB Local runs in memory: stopping it would lose the table) and
 * starts again on the same port. Meanwhile every call answers ServerException (HTTP 500, which
 * the SDKs and the CLI retry) and writes nothing; the agent keeps its containers running, and a
 * container that exits during the outage is reported once the store is back; the service comes
 * back to its count, without a replacement. The issue says 30 s; the outage here is 15 s: with
 * the test's 1 s heartbeats that is 15 missed heartbeats, five times what disconnects an agent,
 * as 30 s is three times the default 10 s. Found: the agent's reports waited out their backoff
 * (up to 30 s) after the store came back; a heartbeat that goes through now sends them at once.
 */
const OUTAGE_MS = 15_000;

describe("DynamoDB unreachable for the control plane", { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-fault-dynamo-"));
  const agentDir = mkdtempSync(join(tmpdir(), "berth-fault-dynamo-agent-"));
  let proxy: TcpProxy | undefined;
  let berth: BerthProcess | undefined;
  let agent: RunningAgent | undefined;
  let ecs: ECSClient | undefined;
  afterAll(async () => {
    await agent?.close();
    ecs?.destroy();
    await berth?.stop();
    await proxy?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(agentDir, { recursive: true, force: true });
  });

  it("answers retryable errors, writes nothing, and the agent catches up after", async () => {
    const dynamoPort = Number(new URL(inject("dynamodbEndpoint")).port);
    proxy = await startTcpProxy(dynamoPort);
    berth = await spawnBerth(dataDir, {
      BERTH_STORE: "dynamodb",
      BERTH_DYNAMODB_ENDPOINT: proxy.url,
      BERTH_TABLE: `berth-test-${basename(dataDir)}`,
      BERTH_AGENT_HEARTBEAT_SECONDS: "1",
      BERTH_SERVICE_SWEEP_SECONDS: "1",
    });
    // One attempt per call: the test sees what the SDK would retry.
    ecs = new ECSClient({ endpoint: berth.url, region: berth.region, credentials: berth, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "app",
        containerDefinitions: [{ name: "main", image: "busybox", cpu: 64, memory: 64 }],
      }),
    );
    const runtime = new FakeRuntime(["busybox"]);
    const lines: string[] = [];
    agent = await startAgent(
      loadAgentConfig({
        env: { ECS_DATADIR: agentDir, BERTH_HEARTBEAT_SECONDS: "1", BERTH_SYNC_SECONDS: "2" },
        configFile: false,
        overrides: { endpoint: berth.url, credentials: berth, region: berth.region },
      }),
      { runtime, log: createLogger("info", (line) => lines.push(line)) },
    );
    const running = () => [...runtime.containers.values()].filter((c) => c.state === "running");
    const { tasks: [lone] = [] } = await ecs.send(new RunTaskCommand({ taskDefinition: "app" }));
    const { tasks: [exiting] = [] } = await ecs.send(new RunTaskCommand({ taskDefinition: "app" }));
    await ecs.send(new CreateServiceCommand({ serviceName: "web", taskDefinition: "app", desiredCount: 2 }));
    await until("4 containers running", async () => running().length === 4, 20_000);
    const before = await allTasks(ecs);
    const containersBefore = running().map((c) => c.id);

    await proxy.stop();
    const cutAt = Date.now();
    // Writes and reads alike answer ServerException, a 5xx the SDK's retry strategy retries.
    const refused = [
      () => ecs?.send(new RunTaskCommand({ taskDefinition: "app", count: 2 })),
      () => ecs?.send(new StopTaskCommand({ task: lone.taskArn as string })),
      () => ecs?.send(new UpdateServiceCommand({ service: "web", desiredCount: 3 })),
      () => ecs?.send(new CreateClusterCommand({ clusterName: "during-the-outage" })),
      () => ecs?.send(new DescribeTasksCommand({ tasks: [lone.taskArn as string] })),
    ];
    for (const send of refused) {
      const error = await send()?.then(
        () => undefined,
        (e: Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }) => e,
      );
      expect({ name: error?.name, fault: error?.$fault, status: error?.$metadata?.httpStatusCode }).toEqual({
        name: "ServerException",
        fault: "server",
        status: 500,
      });
    }
    // A container exits while the store is away: its report waits in the agent's queue.
    runtime.exit(runtime.containers.get(containersBefore[1])?.name as string, 3);
    const exitedContainer = [...runtime.containers.values()].find((c) => c.state === "exited");
    const exitedTask = exitedContainer?.spec.Labels?.["com.amazonaws.ecs.task-arn"];
    await until("the agent to see its reports refused", async () =>
      lines.some((l) => l.includes("reporting") && l.includes("failed")),
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
    // The agent stopped nothing: the same containers run, but the one that exited by itself.
    expect(running().map((c) => c.id)).toEqual(containersBefore.filter((id) => id !== exitedContainer?.id));

    proxy = await startTcpProxy(dynamoPort, proxy.port);
    // Nothing the refused calls asked for was written: the same tasks (none for the refused
    // RunTask, the lone task not stopped), no cluster made, the service still at 2.
    const exitedWasService = !!exitedTask && exitedTask !== lone.taskArn && exitedTask !== exiting.taskArn;
    const { snapshot, violations } = await settledCluster(ecs, "default", {
      runtimes: new Map([[agent.containerInstanceArn, runtime]]),
      withinMs: 20_000,
    });
    expect(violations).toEqual([]);
    const stopped = snapshot.tasks.find((t) => t.taskArn === exitedTask);
    expect(stopped).toMatchObject({ lastStatus: "STOPPED", containers: [{ exitCode: 3 }] });
    const lonely = snapshot.tasks.find((t) => t.taskArn === lone.taskArn);
    expect(lonely?.lastStatus).toBe(exitedTask === lone.taskArn ? "STOPPED" : "RUNNING");
    const service = snapshot.services.find((s) => s.serviceName === "web");
    expect(service).toMatchObject({ desiredCount: 2, runningCount: 2 });
    // Only the exited service task was replaced (a task of the service's, not a stand-alone one).
    const after = await allTasks(ecs);
    expect(after.length).toBe(before.length + (exitedWasService ? 1 : 0));
    expect(after).toEqual(expect.arrayContaining(before));
    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ["during-the-outage"] }));
    expect(clusters).toEqual([]);
  });
});

async function allTasks(ecs: ECSClient): Promise<string[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const)
    arns.push(...((await ecs.send(new ListTasksCommand({ desiredStatus }))).taskArns ?? []));
  return arns.sort();
}
