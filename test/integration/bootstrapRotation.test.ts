import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateClusterCommand, DescribeContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../agent/config.ts";
import { createLogger } from "../../agent/log.ts";
import { type RunningAgent, startAgent } from "../../agent/main.ts";
import { FakeRuntime } from "../../agent/runtime/fake.ts";
import { generateAccessKey } from "../../core/auth/accessKeys.ts";
import { parseBootstrapToken } from "../../core/auth/bootstrapToken.ts";
import { ecsCall } from "../support/access.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/**
 * Rotating the cluster's bootstrap token while agents run: the control plane reads the token
 * where it is kept (local mode: its file in the data dir; on AWS: SSM), here with no caching so
 * that the test needs no waiting. Agents that joined sign with their own credentials and never
 * notice; the old token stops working; new hosts join with the new one.
 */
describe("bootstrap token rotation", { timeout: 60_000 }, () => {
  let berth: TestBerth;
  const agents: RunningAgent[] = [];
  const runtime = new FakeRuntime(["busybox"]);
  const tokenFile = () => join(berth.dataDir, "bootstrap-token");
  const start = async (name: string, token: string) => {
    const agent = await startAgent(
      loadAgentConfig({
        env: { ECS_DATADIR: join(berth.dataDir, name), BERTH_HEARTBEAT_SECONDS: "1" },
        configFile: false,
        overrides: { endpoint: berth.url, bootstrapToken: parseBootstrapToken(token) },
      }),
      { runtime, log: createLogger("warn", () => {}) },
    );
    agents.push(agent);
    return agent;
  };
  const registration = (token: string) => {
    const key = parseBootstrapToken(token);
    return ecsCall(
      berth,
      "RegisterContainerInstance",
      {
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
      },
      { keyId: key.accessKeyId, secret: key.secretAccessKey },
    );
  };

  beforeAll(async () => {
    berth = await startBerth(undefined, { bootstrapTokenMaxAgeMs: 0 });
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
  });
  afterAll(async () => {
    for (const agent of agents) await agent.close();
    await berth.stop();
  });

  it("leaves joined agents working, refuses the old token and lets new hosts join with the new one", async () => {
    const oldToken = readFileSync(tokenFile(), "utf8").trim();
    const first = await start("first", oldToken);
    const firstArn = first.containerInstanceArn;

    const fresh = generateAccessKey();
    const newToken = `${fresh.accessKeyId}:${fresh.secretAccessKey}`;
    writeFileSync(tokenFile(), `${newToken}\n`, { mode: 0o600 });

    expect((await registration(oldToken)).body.__type).toBe("UnrecognizedClientException");

    // The joined agent still beats and syncs with its own credentials...
    await first.sync();
    // ...and after a restart, with the old token still in its configuration, renews its registration.
    await first.close();
    agents.splice(agents.indexOf(first), 1);
    const restarted = await start("first", oldToken);
    expect(restarted.containerInstanceArn).toBe(firstArn);

    const second = await start("second", newToken);
    expect(second.containerInstanceArn).not.toBe(firstArn);
    const { containerInstances } = await berth.ecs.send(
      new DescribeContainerInstancesCommand({ containerInstances: [firstArn, second.containerInstanceArn] }),
    );
    expect(containerInstances?.map((i) => [i.status, i.agentConnected])).toEqual([
      ["ACTIVE", true],
      ["ACTIVE", true],
    ]);
  });
});
