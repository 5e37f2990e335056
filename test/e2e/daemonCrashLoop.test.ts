import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";
import { containersLabelled, dockerUnavailable, removeContainersLabelled, TEST_IMAGE } from "../support/docker.ts";

/**
 * A DAEMON service whose container exits at once, on real Docker (`berth local` and its agent),
 * as a new user would try it: the start back-off (1 s here, doubling) holds its restarts back,
 * where it used to restart with no delay (issue #14: about 80 tasks in two minutes).
 */
const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
const inCi = process.env.CI === "true";
if (unavailable && !inCi) console.warn(`e2e/daemonCrashLoop: skipped, ${unavailable} (CI=true makes this fail).`);

const FAMILY = `e2e-crash-${process.pid}`;
const FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";
const WATCH_MS = 12_000;

describe.skipIf(unavailable !== undefined && !inCi)("a crashing DAEMON service on Docker", { timeout: 60_000 }, () => {
  let dataDir: string;
  let berth: BerthProcess;
  let ecs: ECSClient;

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}: .ci/run installs and starts Docker.`);
    dataDir = mkdtempSync(join(tmpdir(), "berth-e2e-crash-"));
    berth = await spawnBerth(
      dataDir,
      {
        BERTH_HEARTBEAT_SECONDS: "1",
        BERTH_AGENT_HEARTBEAT_SECONDS: "2",
        BERTH_SERVICE_SWEEP_SECONDS: "1",
        BERTH_SERVICE_START_BACKOFF_SECONDS: "1",
      },
      { agent: true },
    );
    ecs = new ECSClient({
      endpoint: berth.url,
      region: berth.region,
      credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    });
  });
  afterAll(async () => {
    await berth?.stop();
    ecs?.destroy();
    await removeContainersLabelled(docker, FAMILY_LABEL, FAMILY);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function tasks(): Promise<Task[]> {
    const arns = new Set<string>();
    for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
      const page = await ecs.send(new ListTasksCommand({ serviceName: "crash", desiredStatus }));
      for (const arn of page.taskArns ?? []) arns.add(arn);
    }
    if (arns.size === 0) return [];
    return (await ecs.send(new DescribeTasksCommand({ tasks: [...arns] }))).tasks ?? [];
  }

  it("does not restart it more often than the back-off allows, and says the service is throttled", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: [{ name: "main", image: TEST_IMAGE, memory: 16, essential: true, command: ["false"] }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({ serviceName: "crash", taskDefinition: FAMILY, schedulingStrategy: "DAEMON" }),
    );
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
    const started = await tasks();
    const containers = await containersLabelled(docker, FAMILY_LABEL, FAMILY);
    await ecs.send(new DeleteServiceCommand({ service: "crash", force: true }));

    // Back-offs of 1, 2, 4 and 8 s after each crash (plus the time each start takes): at most 5
    // tasks in 12 s, where a restart with no delay makes one every second or so.
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.length, JSON.stringify(started.map((t) => [t.createdAt, t.stoppedAt]))).toBeLessThanOrEqual(5);
    expect(containers.length).toBeLessThanOrEqual(started.length);
    const stoppedOnes = started.filter((t) => t.lastStatus === "STOPPED");
    expect(
      stoppedOnes.every((t) => t.stopCode === "EssentialContainerExited" || t.stopCode === "TaskFailedToStart"),
    ).toBe(true);
    const { services } = await ecs.send(new DescribeServicesCommand({ services: ["crash"] }));
    const events = (services?.[0].events ?? []).map((e) => e.message);
    expect(events).toContain("(service crash) is unable to consistently start tasks successfully.");
  });
});
