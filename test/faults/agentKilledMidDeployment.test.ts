import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { afterAll, describe, expect, it } from "vitest";
import { type AgentProcess, type BerthProcess, spawnAgent, spawnBerth } from "../support/cli.ts";
import { clusterViolations, snapshotCluster } from "../support/clusterInvariants.ts";
import {
  containersLabelled,
  dockerUnavailable,
  removeContainersLabelled,
  TASK_ARN_LABEL,
  TEST_IMAGE,
} from "../support/docker.ts";
import { until } from "../support/poll.ts";

/**
 * `berth agent` (a process of its own, on the real Docker engine) killed with SIGKILL twice during
 * a rolling deployment of a 3-task service, and started again on the same data dir each time:
 * once as the first container of the new revision appears, once as the first of the old one
 * stops. The deployment completes; Docker holds no duplicate container (one per task), no running
 * container without its RUNNING task, every RUNNING task has its running container, and the
 * cluster's invariants hold. The lost-instance grace is long: the instance comes back, it is not
 * replaced.
 */
const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
const inCi = process.env.CI === "true";
if (unavailable && !inCi)
  console.warn(`faults/agentKilledMidDeployment: skipped, ${unavailable} (CI=true makes this fail).`);

const FAMILY = `fault-deploy-${process.pid}-${process.env.BERTH_TEST_STORE ?? "sqlite"}`;
const FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";
const REVISION_LABEL = "com.amazonaws.ecs.task-definition-version";
const TIMINGS = {
  ECS_CONTAINER_STOP_TIMEOUT: "1s",
  BERTH_HEARTBEAT_SECONDS: "1",
  BERTH_SYNC_SECONDS: "5",
  BERTH_AGENT_HEARTBEAT_SECONDS: "2",
  BERTH_SERVICE_SWEEP_SECONDS: "1",
  BERTH_LOST_INSTANCE_GRACE_SECONDS: "120",
};

describe.skipIf(unavailable !== undefined && !inCi)(
  "the agent killed during a rolling deployment",
  { timeout: 120_000 },
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), "berth-fault-deploy-"));
    const agentDir = mkdtempSync(join(tmpdir(), "berth-fault-deploy-agent-"));
    let berth: BerthProcess | undefined;
    let agent: AgentProcess | undefined;
    let ecs: ECSClient | undefined;
    afterAll(async () => {
      await agent?.stop("SIGKILL");
      await berth?.stop();
      ecs?.destroy();
      await removeContainersLabelled(docker, FAMILY_LABEL, FAMILY);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(agentDir, { recursive: true, force: true });
    });

    it("completes the deployment with one container per task and none without its task", async () => {
      if (unavailable) throw new Error(`CI=true but ${unavailable}: .ci/run installs and starts Docker.`);
      berth = await spawnBerth(dataDir, TIMINGS);
      ecs = new ECSClient({ endpoint: berth.url, region: berth.region, credentials: berth });
      await ecs.send(new CreateClusterCommand({ clusterName: "default" }));
      const startAgent = async () => {
        agent = await spawnAgent(berth as BerthProcess, agentDir, { ...TIMINGS, ECS_CLUSTER: "default" });
        return agent.containerInstanceArn;
      };
      const instance = await startAgent();
      const revision = async (version: string) => {
        const { taskDefinition } = await (ecs as ECSClient).send(
          new RegisterTaskDefinitionCommand({
            family: FAMILY,
            containerDefinitions: [
              {
                name: "main",
                image: TEST_IMAGE,
                memory: 16,
                command: ["sleep", "3600"],
                environment: [{ name: "V", value: version }],
              },
            ],
          }),
        );
        return taskDefinition?.taskDefinitionArn as string;
      };
      const containers = () => containersLabelled(docker, FAMILY_LABEL, FAMILY);
      const service = async () =>
        (await (ecs as ECSClient).send(new DescribeServicesCommand({ services: ["web"] }))).services?.[0];

      await ecs.send(
        new CreateServiceCommand({ serviceName: "web", taskDefinition: await revision("1"), desiredCount: 3 }),
      );
      await until(
        "the service stable on revision 1",
        async () => {
          const s = await service();
          return s?.runningCount === 3 && s.deployments?.length === 1;
        },
        30_000,
      );
      const revision2 = await revision("2");
      await ecs.send(new UpdateServiceCommand({ service: "web", taskDefinition: revision2 }));

      const killAndRestart = async (what: string, moment: (all: Docker.ContainerInfo[]) => boolean) => {
        await until(what, async () => moment(await containers()), 30_000, 50);
        expect(await agent?.stop("SIGKILL")).toBe("SIGKILL");
        // The same container instance: the agent keeps its ARN in its data dir.
        expect(await startAgent()).toBe(instance);
      };
      await killAndRestart("the first container of revision 2", (all) =>
        all.some((c) => c.Labels[REVISION_LABEL] === "2"),
      );
      await killAndRestart("the first container of revision 1 to stop", (all) =>
        all.some((c) => c.Labels[REVISION_LABEL] === "1" && c.State !== "running"),
      );

      await until(
        "the deployment to complete",
        async () => {
          const s = await service();
          return s?.deployments?.length === 1 && s.deployments[0].taskDefinition === revision2 && s.runningCount === 3;
        },
        45_000,
      );
      const deployment = (await service())?.deployments?.[0];
      expect(deployment).toMatchObject({ rolloutState: "COMPLETED", runningCount: 3, desiredCount: 3 });

      // Docker and the store agree once the agent has reported everything.
      const snapshot = await until(
        "Docker and the store to agree",
        async () => {
          const s = await snapshotCluster(ecs as ECSClient, "default");
          const running = (await containers()).filter((c) => c.State === "running");
          const runningTasks = s.tasks
            .filter((t) => t.lastStatus === "RUNNING")
            .map((t) => t.taskArn)
            .sort();
          return (
            JSON.stringify(running.map((c) => c.Labels[TASK_ARN_LABEL]).sort()) === JSON.stringify(runningTasks) && s
          );
        },
        20_000,
      );
      expect(await clusterViolations(ecs, snapshot)).toEqual([]);
      const all = await containers();
      // One container per task, whatever its state: none created twice across the kills.
      const perTask = new Map<string, number>();
      for (const c of all) perTask.set(c.Labels[TASK_ARN_LABEL], (perTask.get(c.Labels[TASK_ARN_LABEL]) ?? 0) + 1);
      expect([...perTask.values()].filter((n) => n > 1)).toEqual([]);
      // Every container is a task the store knows; the running ones are revision 2's three.
      const known = new Set(snapshot.tasks.map((t) => t.taskArn));
      expect(all.filter((c) => !known.has(c.Labels[TASK_ARN_LABEL]))).toEqual([]);
      const running = all.filter((c) => c.State === "running");
      expect(running.map((c) => c.Labels[REVISION_LABEL])).toEqual(["2", "2", "2"]);
      expect(
        snapshot.tasks.filter((t) => t.lastStatus === "RUNNING").every((t) => t.containerInstanceArn === instance),
      ).toBe(true);
    });
  },
);
