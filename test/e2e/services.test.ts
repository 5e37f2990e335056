import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Task,
  UpdateServiceCommand,
  waitUntilServicesStable,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliPresent, awsEcs } from "../support/awsCli.ts";
import { type AgentProcess, type BerthProcess, spawnAgent, spawnBerth } from "../support/cli.ts";
import { containersLabelled, dockerUnavailable, removeContainersLabelled, TEST_IMAGE } from "../support/docker.ts";
import { until } from "../support/poll.ts";
import { messages, servicePlay } from "../support/servicePlay.ts";

/**
 * A service on real containers: `berth local` with its local agent, plus a second agent
 * (`berth agent`, its own process and container instance on the same Docker engine), driven
 * through the ECS SDK and the AWS CLI. The timings are shortened so the whole flow takes about
 * half a minute: frequent heartbeats, a sweep every second, an agent lost 2 s after it counts as
 * disconnected, a near-zero start back-off.
 */
const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
const inCi = process.env.CI === "true";
if (unavailable && !inCi) console.warn(`e2e/services: skipped, ${unavailable} (CI=true makes this fail).`);

const SERVICE = "web";
/** Unique per run: its Docker label finds this suite's containers and nothing else's (cluster `default` is shared). */
const FAMILY = `e2e-svc-${process.pid}`;
const FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";
const DESIRED = 3;
const GRACE_SECONDS = 2;
const TIMINGS = {
  ECS_CONTAINER_STOP_TIMEOUT: "1s",
  // Agents beat every second, plus the time Docker takes for each beat's container stats; the
  // control plane expects one every 2 s and calls an agent disconnected after three missed (6 s),
  // so a loaded machine does not take an instance out of placement.
  BERTH_HEARTBEAT_SECONDS: "1",
  BERTH_AGENT_HEARTBEAT_SECONDS: "2",
  BERTH_SERVICE_SWEEP_SECONDS: "1",
  BERTH_LOST_INSTANCE_GRACE_SECONDS: String(GRACE_SECONDS),
  BERTH_SERVICE_START_BACKOFF_SECONDS: "0.01",
};

describe.skipIf(unavailable !== undefined && !inCi)("a service on Docker", { timeout: 60_000 }, () => {
  const dataDirs: string[] = [];
  let berth: BerthProcess;
  let second: AgentProcess;
  let ecs: ECSClient;
  let localInstance: string;

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-e2e-services-"));
    dataDirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}: .ci/run installs and starts Docker.`);
    berth = await spawnBerth(tempDir(), TIMINGS, { agent: true });
    const registered = /local agent: registered as (\S+)/.exec(berth.output());
    if (!registered) throw new Error(`berth local started without its agent:\n${berth.output()}`);
    localInstance = registered[1];
    second = await spawnAgent(berth, tempDir(), { ...TIMINGS, ECS_CLUSTER: "default" });
    ecs = new ECSClient({
      endpoint: berth.url,
      region: berth.region,
      credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    });
  });
  afterAll(async () => {
    await second?.stop("SIGKILL");
    await berth?.stop();
    ecs?.destroy();
    await removeContainersLabelled(docker, FAMILY_LABEL, FAMILY);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  const revision = async (command: string[]) => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: 16, essential: true, command }],
      }),
    );
    return taskDefinition?.taskDefinitionArn as string;
  };
  const describeService = () => servicePlay(ecs).describeService("default", SERVICE);
  const tasks = () => servicePlay(ecs).tasksOf("default", SERVICE);
  const serving = (all: Task[]) => all.filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING");
  /** Stable as the services-stable waiter means it: one deployment, runningCount = desiredCount. */
  const stable = async () => {
    const s = await describeService();
    return s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.pendingCount === 0 && s;
  };
  /** `until`, failing with the service's deployments and latest events: what a timeout needs to be understood. */
  const untilService = <T>(
    what: string,
    check: () => Promise<T | undefined | false>,
    timeoutMs?: number,
    everyMs?: number,
  ) =>
    until(what, check, timeoutMs, everyMs).catch(async (error: Error) => {
      const s = await describeService().catch(() => undefined);
      const deployments = s?.deployments?.map((d) => [
        d.id,
        d.taskDefinition,
        d.rolloutState,
        d.runningCount,
        d.pendingCount,
        d.failedTasks,
      ]);
      throw new Error(
        `${error.message}\n${JSON.stringify({ deployments, events: s && messages(s).slice(0, 10) }, null, 1)}`,
      );
    });
  const running = () =>
    containersLabelled(docker, FAMILY_LABEL, FAMILY).then((all) => all.filter((c) => c.State === "running"));

  let revision1: string;
  it("create-service of 3 → services-stable, 3 containers under ECS's labels, spread over both instances", async () => {
    revision1 = await revision(["sleep", "3600"]);
    await ecs.send(
      new CreateServiceCommand({
        serviceName: SERVICE,
        taskDefinition: FAMILY,
        desiredCount: DESIRED,
        placementStrategy: [{ type: "spread", field: "instanceId" }],
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await waitUntilServicesStable({ client: ecs, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { services: [SERVICE] });
    // The CLI's own waiter (it polls every 15 s, so only once the SDK's has passed).
    if (awsCliPresent()) await awsEcs(berth, ["wait", "services-stable", "--services", SERVICE]);

    const live = serving(await tasks());
    expect(live).toHaveLength(DESIRED);
    const containers = await running();
    expect(containers.map((c) => c.Labels["com.amazonaws.ecs.task-arn"]).sort()).toEqual(
      live.map((t) => t.taskArn).sort(),
    );
    for (const c of containers) {
      expect(c.Labels).toMatchObject({
        "com.amazonaws.ecs.container-name": "main",
        "com.amazonaws.ecs.cluster": "default",
        [FAMILY_LABEL]: FAMILY,
        "com.amazonaws.ecs.task-definition-version": "1",
      });
    }
    expect(new Set(live.map((t) => t.containerInstanceArn))).toEqual(
      new Set([localInstance, second.containerInstanceArn]),
    );
    expect(messages(await describeService())).toContain(`(service ${SERVICE}) has reached a steady state.`);
  });

  it("docker kill → the task stops, a replacement starts, and the service's events say so", async () => {
    const [victim] = await running();
    const victimArn = victim.Labels["com.amazonaws.ecs.task-arn"];
    await docker.getContainer(victim.Id).kill();

    const replacement = await untilService("a replacement task RUNNING", async () => {
      const live = serving(await tasks());
      return live.length === DESIRED && !live.some((t) => t.taskArn === victimArn) && live;
    });
    const [killed] = (await ecs.send(new DescribeTasksCommand({ tasks: [victimArn] }))).tasks ?? [];
    expect(killed).toMatchObject({ lastStatus: "STOPPED", stopCode: "EssentialContainerExited" });
    expect(killed.containers?.[0].exitCode).toBe(137);
    const fresh = replacement.filter((t) => (t.startedAt?.getTime() ?? 0) > (killed.stoppedAt?.getTime() ?? 0));
    expect(fresh).toHaveLength(1);
    const id = fresh[0].taskArn?.split("/").pop();
    expect(messages(await describeService())).toContain(`(service ${SERVICE}) has started 1 tasks: (task ${id}).`);
    await untilService("the service stable again", stable);
  });

  let goodDeployment: string;
  let revision2: string;
  it("update-service to a new revision → a rolling deployment that never goes below 100 % nor above 200 %", async () => {
    revision2 = await revision(["sleep", "3601"]);
    await ecs.send(new UpdateServiceCommand({ service: SERVICE, taskDefinition: revision2 }));
    const samples: { serving: number; total: number }[] = [];
    const done = await untilService(
      "the rollout to complete",
      async () => {
        const all = await tasks();
        samples.push({ serving: serving(all).length, total: all.filter((t) => t.lastStatus !== "STOPPED").length });
        const s = await describeService();
        return s.deployments?.[0].rolloutState === "COMPLETED" && (await stable()) && s;
      },
      30_000,
      200,
    );
    // minimumHealthyPercent 100 and maximumPercent 200 (the defaults) of 3: at least 3 serving,
    // at most 6 not yet stopped (counting those asked to stop), at every sample.
    const seen = JSON.stringify(samples);
    expect(samples.length, seen).toBeGreaterThan(3);
    expect(Math.min(...samples.map((s) => s.serving)), seen).toBeGreaterThanOrEqual(DESIRED);
    expect(Math.max(...samples.map((s) => s.total)), seen).toBeLessThanOrEqual(2 * DESIRED);
    expect(Math.max(...samples.map((s) => s.total)), seen).toBeGreaterThan(DESIRED);

    goodDeployment = done.deployments?.[0].id as string;
    expect(done.deployments?.[0]).toMatchObject({ taskDefinition: revision2, runningCount: DESIRED });
    const live = serving(await tasks());
    expect(live.map((t) => t.taskDefinitionArn)).toEqual([revision2, revision2, revision2]);
    const versions = (await running()).map((c) => c.Labels["com.amazonaws.ecs.task-definition-version"]);
    expect(versions).toEqual(["2", "2", "2"]);
    expect(messages(done)).toContain(`(service ${SERVICE}) (deployment ${goodDeployment}) deployment completed.`);
    expect(revision1).not.toBe(revision2);
  });

  it("a revision whose container exits at start → the circuit breaker fails it and rolls back", async () => {
    const failing = await revision(["false"]);
    await ecs.send(new UpdateServiceCommand({ service: SERVICE, taskDefinition: failing }));
    const bad = (await describeService()).deployments?.[0].id;
    const seen = new Set<string>();
    const serve: number[] = [];
    const rolledBack = await untilService(
      "the rollback",
      async () => {
        serve.push(serving(await tasks()).length);
        const s = await describeService();
        const state = s.deployments?.find((d) => d.id === bad)?.rolloutState;
        if (state) seen.add(state);
        return s.deployments?.[0].id === goodDeployment && s;
      },
      45_000,
      200,
    );
    expect(rolledBack.taskDefinition).toBe(revision2);
    // The tasks that exit never lasted long enough to take the place of those that keep running.
    expect(Math.min(...serve), JSON.stringify(serve)).toBeGreaterThanOrEqual(DESIRED);
    // With no task left, the failed deployment may leave the list in the very round that fails it.
    expect(seen.has("IN_PROGRESS")).toBe(true);
    expect(messages(rolledBack)).toEqual(
      expect.arrayContaining([
        `(service ${SERVICE}) (deployment ${bad}) deployment failed: tasks failed to start.`,
        `(service ${SERVICE}) rolling back to (deployment ${goodDeployment}).`,
      ]),
    );
    const failed = (await tasks()).filter((t) => t.startedBy === bad && t.lastStatus === "STOPPED");
    expect(failed.length).toBeGreaterThanOrEqual(10);

    const settled = await untilService("the service stable on the previous revision", stable, 30_000);
    expect(settled.deployments?.[0]).toMatchObject({ id: goodDeployment, taskDefinition: revision2 });
    expect(serving(await tasks()).every((t) => t.taskDefinitionArn === revision2)).toBe(true);
  });

  it("an agent killed with SIGKILL → after the grace period its tasks are replaced on the other instance", async () => {
    const away = second.containerInstanceArn;
    const stranded = serving(await tasks()).filter((t) => t.containerInstanceArn === away);
    expect(stranded.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    expect(await second.stop("SIGKILL")).toBe("SIGKILL");

    const moved = await untilService(
      "the tasks replaced on the local instance",
      async () => {
        const live = serving(await tasks());
        return live.length === DESIRED && live.every((t) => t.containerInstanceArn === localInstance) && live;
      },
      30_000,
      200,
    );
    // Disconnected after three missed beats, lost after the grace period more.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(GRACE_SECONDS * 1000);
    expect(moved.every((t) => t.taskDefinitionArn === revision2)).toBe(true);
    const gone = (await ecs.send(new DescribeTasksCommand({ tasks: stranded.map((t) => t.taskArn as string) }))).tasks;
    for (const t of gone ?? []) {
      expect(t).toMatchObject({ lastStatus: "STOPPED", stopCode: "ServiceSchedulerInitiated" });
      expect(t.stoppedReason).toMatch(`Container instance agent disconnected for more than ${GRACE_SECONDS} s`);
    }
    const awayId = away.split("/").pop();
    expect(
      messages(await describeService()).some((m) => m.includes(`(container-instance ${awayId}), whose agent is lost`)),
    ).toBe(true);
  });
});
