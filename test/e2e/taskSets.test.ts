import {
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteServiceCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServicePrimaryTaskSetCommand,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containersLabelled, dockerUnavailable, TASK_ARN_LABEL, TEST_IMAGE } from "../support/docker.ts";
import { type DockerBerth, dockerBerth, FAMILY_LABEL } from "../support/dockerBerth.ts";
import { until } from "../support/poll.ts";

/**
 * An EXTERNAL service's task sets on real containers: `berth local` with its local agent on this
 * machine's Docker, driven through the ECS SDK. Each task set runs its computed count of
 * containers; a killed container is replaced in its task set; a deleted task set's containers stop.
 */
const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
const inCi = process.env.CI === "true";
if (unavailable && !inCi) console.warn(`e2e/taskSets: skipped, ${unavailable} (CI=true makes this fail).`);

const SERVICE = `ext-${process.pid}`;
/** Unique per run: its Docker label finds this suite's containers and nothing else's (cluster `default` is shared). */
const FAMILY = `e2e-ts-${process.pid}`;

describe.skipIf(unavailable !== undefined && !inCi)("task sets on Docker", { timeout: 60_000 }, () => {
  let local: DockerBerth;
  let ecs: ECSClient;

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}: .ci/run installs and starts Docker.`);
    local = await dockerBerth(docker, FAMILY);
    ecs = local.ecs;
  });
  afterAll(() => local?.stop());

  const revision = async (command: string[]) => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: 16, essential: true, command }],
      }),
    );
    return taskDefinition?.taskDefinitionArn as string;
  };
  const describeService = async () =>
    ((await ecs.send(new DescribeServicesCommand({ services: [SERVICE] }))).services ?? [])[0] as Service;
  /** This suite's running containers (each task set runs a revision of its own: its label tells them apart). */
  const running = () =>
    containersLabelled(docker, FAMILY_LABEL, FAMILY).then((all) => all.filter((c) => c.State === "running"));
  const versionOf = (c: { Labels: Record<string, string> }) => c.Labels["com.amazonaws.ecs.task-definition-version"];
  /** Running containers per task definition revision. */
  const byRevision = async () => {
    const counts: Record<string, number> = {};
    for (const c of await running()) counts[versionOf(c)] = (counts[versionOf(c)] ?? 0) + 1;
    return counts;
  };
  const steadyAt = async (counts: Record<string, number>) => {
    const s = await describeService();
    const sets = s.taskSets ?? [];
    const each = sets.every(
      (ts) => ts.stabilityStatus === "STEADY_STATE" && ts.runningCount === ts.computedDesiredCount,
    );
    return each && JSON.stringify(await byRevision()) === JSON.stringify(counts) && s;
  };

  let blue: string;
  let green: string;
  it("runs each task set's computed count of containers, each of its own revision", async () => {
    const one = await revision(["sleep", "3600"]);
    const two = await revision(["sleep", "3601"]);
    await ecs.send(
      new CreateServiceCommand({ serviceName: SERVICE, desiredCount: 2, deploymentController: { type: "EXTERNAL" } }),
    );
    const created = async (taskDefinition: string, value: number) =>
      (
        await ecs.send(
          new CreateTaskSetCommand({
            cluster: "default",
            service: SERVICE,
            taskDefinition,
            scale: { value, unit: "PERCENT" },
          }),
        )
      ).taskSet?.id as string;
    blue = await created(one, 100);
    green = await created(two, 50);
    const steady = await until("2 + 1 containers, both task sets steady", () => steadyAt({ 1: 2, 2: 1 }), 45_000);
    expect(steady.taskSets?.map((ts) => [ts.id, ts.computedDesiredCount, ts.runningCount])).toEqual([
      [blue, 2, 2],
      [green, 1, 1],
    ]);
  });

  it("replaces a killed container in its own task set", async () => {
    const [victim] = (await running()).filter((c) => versionOf(c) === "2");
    await docker.getContainer(victim.Id).kill();
    await until(
      "a new container for the green task set",
      async () => {
        const now = (await running()).filter((c) => versionOf(c) === "2");
        return now.length === 1 && now[0].Labels[TASK_ARN_LABEL] !== victim.Labels[TASK_ARN_LABEL] && now;
      },
      45_000,
    );
    await until("steady again", () => steadyAt({ 1: 2, 2: 1 }), 45_000);
  });

  it("moves the primary, stops a deleted task set's containers, then the service's", async () => {
    await ecs.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: "default", service: SERVICE, primaryTaskSet: green }),
    );
    await ecs.send(new DeleteTaskSetCommand({ cluster: "default", service: SERVICE, taskSet: blue }));
    const left = await until(
      "the blue task set gone with its containers",
      async () => {
        const s = await describeService();
        return s.taskSets?.length === 1 && JSON.stringify(await byRevision()) === JSON.stringify({ 2: 1 }) && s;
      },
      45_000,
    );
    expect(left.taskSets?.[0]).toMatchObject({ id: green, status: "PRIMARY" });
    expect(left.taskDefinition).toMatch(new RegExp(`task-definition/${FAMILY}:2$`));

    await ecs.send(new DeleteServiceCommand({ service: SERVICE, force: true }));
    await until(
      "no container left, the service INACTIVE",
      async () => (await running()).length === 0 && (await describeService()).status === "INACTIVE",
      45_000,
    );
  });
});
