import {
  CreateServiceCommand,
  type ECSClient,
  GetTaskProtectionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";
import { live, servicePlay } from "../support/servicePlay.ts";

/**
 * Task scale-in protection through the ECS SDK: the two actions, and the service scheduler
 * leaving protected tasks through scale-in and deployments (the test plays the agent).
 */
let berth: TestBerth;
let ecs: ECSClient;
let play: ReturnType<typeof servicePlay>;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
  ecs = berth.ecs;
  play = servicePlay(ecs);
});
afterAll(() => berth.stop());

const protect = (cluster: string, tasks: string[], protectionEnabled = true, expiresInMinutes?: number) =>
  ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks, protectionEnabled, expiresInMinutes }));

async function serviceWith(cluster: string, desiredCount: number) {
  await play.cluster(cluster);
  await play.registerInstance(cluster);
  await ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: cluster, desiredCount }));
  return play.untilRunning(cluster, desiredCount);
}

describe("UpdateTaskProtection and GetTaskProtection", () => {
  it("protect a service's task for 120 minutes by default, and say why others cannot be", async () => {
    const [task] = await serviceWith("tp", 1);
    const { tasks: standalone } = await ecs.send(new RunTaskCommand({ cluster: "tp", taskDefinition: "tp" }));
    const before = Date.now();
    const missing = "0123456789abcdef0123456789abcdef";
    const updated = await protect("tp", [task.taskArn as string, standalone?.[0].taskArn as string, missing]);
    expect(updated.protectedTasks).toHaveLength(1);
    expect(updated.protectedTasks?.[0]).toMatchObject({ taskArn: task.taskArn, protectionEnabled: true });
    const expires = updated.protectedTasks?.[0].expirationDate?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(before + 120 * 60_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 120 * 60_000 + 1000);
    expect(updated.failures).toEqual([
      { arn: standalone?.[0].taskArn, reason: "TASK_NOT_VALID", detail: "The task is not part of a service." },
      { arn: `arn:aws:ecs:us-east-1:000000000000:task/tp/${missing}`, reason: "MISSING" },
    ]);

    // By id too; a custom expiry; then off.
    const id = task.taskArn?.split("/").pop() as string;
    const got = await ecs.send(new GetTaskProtectionCommand({ cluster: "tp", tasks: [id] }));
    expect(got.protectedTasks).toEqual(updated.protectedTasks);
    const short = await protect("tp", [id], true, 5);
    expect(short.protectedTasks?.[0].expirationDate?.getTime()).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + 1000);
    await protect("tp", [id], false);
    const off = await ecs.send(new GetTaskProtectionCommand({ cluster: "tp", tasks: [task.taskArn as string] }));
    expect(off.protectedTasks).toEqual([{ taskArn: task.taskArn, protectionEnabled: false }]);
  });

  it("refuse bad input with ECS's errors and change nothing", async () => {
    const [task] = await serviceWith("tpbad", 1);
    const arn = task.taskArn as string;
    for (const minutes of [0, 2881]) {
      await expect(protect("tpbad", [arn], true, minutes)).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "expiresInMinutes must be between 1 and 2880.",
      });
    }
    await expect(protect("tpbad", [], true)).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(protect("tpbad", Array(11).fill(arn), true)).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Tasks cannot be longer than 10.",
    });
    await expect(protect("nosuchcluster", [arn], true)).rejects.toMatchObject({ name: "ClusterNotFoundException" });
    const got = await ecs.send(new GetTaskProtectionCommand({ cluster: "tpbad", tasks: [arn] }));
    expect(got.protectedTasks).toEqual([{ taskArn: arn, protectionEnabled: false }]);
  });
});

describe("the service scheduler and protected tasks", { timeout: 90_000 }, () => {
  it("scales in around protected tasks, and stops them once unprotected", async () => {
    const tasks = await serviceWith("tpscale", 3);
    const guarded = tasks.slice(0, 2).map((t) => t.taskArn as string);
    await protect("tpscale", guarded);
    await ecs.send(new UpdateServiceCommand({ cluster: "tpscale", service: "web", desiredCount: 0 }));
    // The unprotected one stops; the protected two keep running, above the desired count.
    const left = await until(
      "the unprotected task to stop",
      async () => {
        await play.agentStep("tpscale");
        const running = live(await play.tasksOf("tpscale"));
        return running.length === 2 && running;
      },
      45_000,
    );
    expect(left.map((t) => t.taskArn).sort()).toEqual([...guarded].sort());
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a sweep or two: still there
    await play.agentStep("tpscale");
    expect(live(await play.tasksOf("tpscale"))).toHaveLength(2);

    await protect("tpscale", [guarded[0]], false);
    const last = await until(
      "the unprotected task to stop",
      async () => {
        await play.agentStep("tpscale");
        const running = live(await play.tasksOf("tpscale"));
        return running.length === 1 && running;
      },
      45_000,
    );
    expect(last[0].taskArn).toBe(guarded[1]);
  });

  it("lets a deployment wait for a protected task of the old revision", async () => {
    const tasks = await serviceWith("tpdeploy", 2);
    const guarded = tasks[0].taskArn as string;
    await protect("tpdeploy", [guarded]);
    await play.revision("tpdeploy");
    await ecs.send(new UpdateServiceCommand({ cluster: "tpdeploy", service: "web", taskDefinition: "tpdeploy:2" }));
    // Two new tasks run and the unprotected old one stops; the protected one stays.
    const during = await until(
      "the rollout to reach the protected task",
      async () => {
        await play.agentStep("tpdeploy");
        const running = live(await play.tasksOf("tpdeploy"));
        const fresh = running.filter((t) => t.taskDefinitionArn?.endsWith(":2") && t.lastStatus === "RUNNING");
        return fresh.length === 2 && running.length === 3 && running;
      },
      45_000,
    );
    expect(during.filter((t) => t.taskDefinitionArn?.endsWith(":1")).map((t) => t.taskArn)).toEqual([guarded]);
    await new Promise((resolve) => setTimeout(resolve, 4000)); // past the settle time and a few sweeps
    await play.agentStep("tpdeploy");
    const service = await play.describeService("tpdeploy");
    expect(service.deployments).toHaveLength(2);
    expect(service.deployments?.[0].rolloutState).toBe("IN_PROGRESS");
    expect(live(await play.tasksOf("tpdeploy")).map((t) => t.taskArn)).toContain(guarded);

    await protect("tpdeploy", [guarded], false);
    const done = await play.untilRunning("tpdeploy", 2);
    expect(done.every((t) => t.taskDefinitionArn?.endsWith(":2"))).toBe(true);
    expect((await play.describeService("tpdeploy")).deployments?.[0].rolloutState).toBe("COMPLETED");
  });
});
