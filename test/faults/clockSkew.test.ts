import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../../agent/controlPlane.ts";
import type { DescribeUtilizationResponse } from "../../core/actions/berth/shapes.ts";
import { type AgentProcess, type BerthProcess, spawnAgent, spawnBerth } from "../support/cli.ts";
import { until } from "../support/poll.ts";

const SKEW_CLOCK = fileURLToPath(new URL("./fixtures/skewClock.mjs", import.meta.url));
const MINUTE = 60_000;

/**
 * An agent on a host whose clock is off. Within 15 min the control plane takes its signatures, as
 * AWS does; beyond, it refuses them with the reason. Either way the agent learns the control
 * plane's time from its answers and signs with it (as the AWS SDKs do), its heartbeats included,
 * and logs a line telling the operator to fix the host's clock.
 */
describe("clock skew on an agent", { timeout: 60_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-fault-skew-"));
  let berth: BerthProcess;
  const agents: AgentProcess[] = [];
  beforeAll(async () => {
    berth = await spawnBerth(dataDir);
    const ecs = new ECSClient({ endpoint: berth.url, region: berth.region, credentials: berth });
    await ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    ecs.destroy();
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await berth?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `berth agent` with its clock `skewMs` off; resolves once a heartbeat with utilization got through. */
  async function skewedAgent(skewMs: number) {
    const agent = await spawnAgent(berth, join(dataDir, `agent${skewMs}`), {
      NODE_OPTIONS: `--import ${SKEW_CLOCK}`,
      BERTH_TEST_CLOCK_SKEW_MS: String(skewMs),
      BERTH_HEARTBEAT_SECONDS: "1",
    });
    agents.push(agent);
    const cp = createControlPlane({ endpoint: berth.url, region: berth.region, credentials: berth });
    try {
      await until(
        "a heartbeat of the skewed agent",
        async () => {
          const { utilization } = await cp.berth<DescribeUtilizationResponse>("DescribeUtilization", {
            containerInstances: [agent.containerInstanceArn],
          });
          return utilization[0]?.cpuPercent !== undefined;
        },
        45_000,
      );
    } finally {
      cp.destroy();
    }
    return agent;
  }

  const notice = (skew: number) =>
    `WARN  agent: this host's clock is ${Math.abs(skew)} min ${skew > 0 ? "ahead of" : "behind"} the control plane's; ` +
    "the agent signs with the control plane's time (it refuses signatures more than 15 min off: " +
    "InvalidSignatureException). Set this host's clock right (NTP: chronyd or systemd-timesyncd).";

  for (const skew of [10])
    it(`takes the signatures of an agent ${Math.abs(skew)} min ${skew > 0 ? "ahead" : "behind"}, as AWS does; the agent says its clock is off`, async () => {
      const agent = await skewedAgent(skew * MINUTE);
      expect(agent.output()).toContain(notice(skew));
      expect(agent.output()).not.toContain("heartbeat failed");
    });

  for (const skew of [-20])
    it(`refuses signatures ${Math.abs(skew)} min ${skew > 0 ? "ahead" : "behind"} with the reason; the agent says so and carries on`, async () => {
      // A client that does not correct its clock sees the refusal and why.
      const skewed = new ECSClient({
        endpoint: berth.url,
        region: berth.region,
        credentials: berth,
        systemClockOffset: skew * MINUTE,
        maxAttempts: 1,
      });
      const refusal = await skewed.send(new DescribeClustersCommand({})).catch((e: Error) => e);
      skewed.destroy();
      expect(refusal).toMatchObject({
        name: "InvalidSignatureException",
        message: expect.stringMatching(skew > 0 ? /^Signature not yet current: / : /^Signature expired: /),
      });

      const agent = await skewedAgent(skew * MINUTE);
      expect(agent.output()).toContain(notice(skew));
      expect(agent.output()).not.toContain("heartbeat failed");
    });
});
