import { CreateServiceCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { live, messages, servicePlay } from "../support/servicePlay.ts";

/**
 * The crash back-off of a DAEMON service, through the ECS SDK, the test playing the agent: on one
 * instance every task exits right after it started, on the other they keep running.
 */
let berth: TestBerth;
let ecs: ECSClient;
let play: ReturnType<typeof servicePlay>;
const BASE_MS = 1000;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: BASE_MS / 1000 } });
  ecs = berth.ecs;
  play = servicePlay(ecs);
});
afterAll(() => berth.stop());

describe("a DAEMON service whose container exits at once", () => {
  it("restarts it on that instance only after a doubling back-off, and says it is throttled", async () => {
    await play.cluster("crash");
    const bad = await play.registerInstance("crash");
    const good = await play.registerInstance("crash");
    await ecs.send(
      new CreateServiceCommand({
        cluster: "crash",
        serviceName: "web",
        taskDefinition: "crash",
        schedulingStrategy: "DAEMON",
      }),
    );

    const onBad = (t: { containerInstanceArn?: string }) => t.containerInstanceArn === bad;
    const started = Date.now();
    // Play the agent for 8 s: without a back-off, a task a round (dozens); with it, about 1 + 1 + 2 + 4 s.
    while (Date.now() - started < 8000) {
      await play.agentStep("crash", onBad);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const tasks = await play.tasksOf("crash");
    const crashed = tasks.filter(onBad).sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
    expect(crashed.length).toBeGreaterThanOrEqual(2);
    expect(crashed.length).toBeLessThanOrEqual(5);
    // Each start waits for the back-off of the crashes before it: 1 s, 2 s, 4 s after the last one stopped.
    for (let i = 1; i < crashed.length; i++) {
      const wait = (crashed[i].createdAt?.getTime() ?? 0) - (crashed[i - 1].stoppedAt?.getTime() ?? 0);
      expect(wait).toBeGreaterThanOrEqual(BASE_MS * 2 ** (i - 1) - 50);
    }
    // The other instance is not held back: its one task runs.
    const healthy = live(tasks).filter((t) => t.containerInstanceArn === good);
    expect(healthy).toHaveLength(1);
    expect(healthy[0].lastStatus).toBe("RUNNING");
    const service = await play.describeService("crash");
    const throttled = messages(service).filter(
      (m) => m === "(service web) is unable to consistently start tasks successfully.",
    );
    expect(throttled).toHaveLength(1);
  }, 30_000);
});
