import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  DiscoverPollEndpointCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../agent/config.ts";
import { createControlPlane } from "../../agent/controlPlane.ts";
import { createLogger } from "../../agent/log.ts";
import { type RunningAgent, startAgent } from "../../agent/main.ts";
import { FakeRuntime } from "../../agent/runtime/fake.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { settledCluster } from "../support/clusterInvariants.ts";
import { until } from "../support/poll.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcpProxy.ts";

/**
 * The queue service (local mode's embedded SQS) out of the agent's reach while tasks are placed on
 * it: the agent's wake-ups fail, it says so, and its heartbeats (whose answer carries the digest
 * of the tasks placed on it) still start every task, and the cluster's invariants hold. The agent reaches the queue through a
 * TCP proxy (its DiscoverPollEndpoint answer rewritten to name the proxy), which the test stops.
 */
describe("the queue service out of the agents' reach", { timeout: 90_000 }, () => {
  let berth: TestBerth;
  let agent: RunningAgent | undefined;
  let proxy: TcpProxy | undefined;
  const agentDir = mkdtempSync(join(tmpdir(), "berth-fault-queue-"));
  afterAll(async () => {
    await agent?.close();
    await proxy?.stop();
    await berth?.stop();
    rmSync(agentDir, { recursive: true, force: true });
  });

  it("starts every task placed during the outage through the heartbeats' digests; an idle agent does not sync", async () => {
    berth = await startBerth();
    const sqsPort = Number(new URL(berth.sqsEndpoint).port);
    proxy = await startTcpProxy(sqsPort);
    const proxyPort = proxy.port;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    await berth.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "app",
        containerDefinitions: [{ name: "main", image: "busybox", memory: 32 }],
      }),
    );

    const config = loadAgentConfig({
      env: { ECS_DATADIR: agentDir, BERTH_HEARTBEAT_SECONDS: "1" },
      configFile: false,
      overrides: { endpoint: berth.url, credentials: berth.credentials },
    });
    const cp = createControlPlane(config);
    // The agent's queue URL names the proxy instead of the embedded SQS server.
    cp.ecs.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const output = result.output as { endpoint?: string };
        if (context.commandName === DiscoverPollEndpointCommand.name && output.endpoint)
          output.endpoint = output.endpoint.replace(`:${sqsPort}/`, `:${proxyPort}/`);
        return result;
      },
      { step: "initialize" },
    );
    const lines: string[] = [];
    const runtime = new FakeRuntime(["busybox"]);
    agent = await startAgent(config, {
      runtime,
      controlPlane: cp,
      log: createLogger("debug", (line) => lines.push(line)),
    });
    const running = (n: number) => async () => {
      return [...runtime.containers.values()].filter((c) => c.state === "running").length === n;
    };

    // Wake-ups work: a task placed now starts well before the next periodic sync.
    await until("listening for wake-ups", async () => lines.some((l) => l.includes(`:${proxyPort}/`)));
    await berth.ecs.send(new RunTaskCommand({ taskDefinition: "app" }));
    await until("the woken agent to start the first task", running(1), 20_000);
    expect(lines.join("")).toContain("wake-up: 1 message(s)");

    await proxy.stop();
    await until("the agent to see its queue gone", async () =>
      lines.some(
        (l) => l.includes("receiving wake-ups from") && l.includes("Tasks still sync when a heartbeat shows a change."),
      ),
    );
    // Nothing changed: beats (every second) answer the digest of the last sync, so no sync runs.
    const syncs = () => lines.filter((l) => l.includes("DEBUG agent: sync: ")).length;
    const quiet = syncs();
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(syncs()).toBe(quiet);
    await berth.ecs.send(new RunTaskCommand({ taskDefinition: "app", count: 3 }));
    // No wake-up reaches it: the next beat's digest differs from the last sync's, and a sync starts them.
    await until("a heartbeat to start the tasks placed during the outage", running(4), 45_000);
    expect(lines.join("")).toContain("heartbeat: the tasks placed here changed since the last sync");

    // The queue back (its wake-ups resume after the agent's backoff, up to 30 s: not waited for here).
    proxy = await startTcpProxy(sqsPort, proxyPort);
    const { violations } = await settledCluster(berth.ecs, "default", {
      runtimes: new Map([[agent.containerInstanceArn, runtime]]),
      withinMs: 10_000,
    });
    expect(violations).toEqual([]);
  });
});
