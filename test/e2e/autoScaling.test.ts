import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  ApplicationAutoScalingClient,
  RegisterScalableTargetCommand,
  type StepScalingPolicyConfiguration,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpuAlarmArgs, serviceResource, stepScaling, targetTracking } from "../support/autoScaling.ts";
import { awsCli } from "../support/awsCli.ts";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";
import { containersLabelled, dockerUnavailable, removeContainersLabelled, TEST_IMAGE } from "../support/docker.ts";
import { until } from "../support/poll.ts";

/**
 * Auto scaling on real containers: `berth local` with its agent, services whose tasks burn a CPU
 * core until told to idle (a file they watch), scaled by a 50 % CPU target, or by step policies
 * that `aws cloudwatch` alarms on the service's CPUUtilization name. The agent's heartbeats carry
 * each task's CPU use, as `docker stats` measures it; the scheduler's rounds scale the services
 * out, and back in once the test makes their tasks idle.
 */
const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
const inCi = process.env.CI === "true";
if (unavailable && !inCi) console.warn(`e2e/autoScaling: skipped, ${unavailable} (CI=true makes this fail).`);

const SERVICE = `burn-${process.pid}`;
const STEPPED = `stepped-${process.pid}`;
const FAMILY = `e2e-burn-${process.pid}`;
const FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";
const run = promisify(execFile);
/** Busy until /tmp/idle exists, then asleep. */
const BURN = "while [ ! -f /tmp/idle ]; do :; done; exec sleep 86400";
const TIMINGS = {
  ECS_CONTAINER_STOP_TIMEOUT: "1s",
  BERTH_HEARTBEAT_SECONDS: "1",
  BERTH_AGENT_HEARTBEAT_SECONDS: "2",
  BERTH_SERVICE_SWEEP_SECONDS: "1",
  BERTH_SERVICE_START_BACKOFF_SECONDS: "0.01",
};

describe.skipIf(unavailable !== undefined && !inCi)("auto scaling on Docker", { timeout: 120_000 }, () => {
  let dataDir: string;
  let berth: BerthProcess;
  let ecs: ECSClient;
  let aas: ApplicationAutoScalingClient;

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true but ${unavailable}: .ci/run installs and starts Docker.`);
    dataDir = mkdtempSync(join(tmpdir(), "berth-e2e-autoscaling-"));
    berth = await spawnBerth(dataDir, TIMINGS, { agent: true });
    const client = {
      endpoint: berth.url,
      region: berth.region,
      credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    };
    ecs = new ECSClient(client);
    aas = new ApplicationAutoScalingClient(client);
  });
  afterAll(async () => {
    for (const service of [SERVICE, STEPPED]) {
      await ecs?.send(new DeleteServiceCommand({ service, force: true })).catch(() => {});
    }
    await berth?.stop();
    ecs?.destroy();
    aas?.destroy();
    await removeContainersLabelled(docker, FAMILY_LABEL, FAMILY);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const describeService = async (service = SERVICE): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ services: [service] }))).services?.[0] as Service;
  const settledAt = async (count: number, service = SERVICE) => {
    const s = await describeService(service);
    return s.desiredCount === count && s.runningCount === count && s.pendingCount === 0 && s;
  };
  const messages = (s: Service) => (s.events ?? []).map((e) => e.message as string);

  const idle = async () => {
    // (`sh -c`: the test image has no `touch` binary, only busybox's shell and its applets.)
    for (const c of await containersLabelled(docker, FAMILY_LABEL, FAMILY)) {
      if (c.State === "running") await run("docker", ["exec", c.Id, "sh", "-c", ": > /tmp/idle"]);
    }
  };

  it("scales a CPU-burning service out to its maximum, and back in once its tasks idle", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: [
          { name: "main", image: TEST_IMAGE, cpu: 128, memory: 16, essential: true, command: ["sh", "-c", BURN] },
        ],
      }),
    );
    await ecs.send(new CreateServiceCommand({ serviceName: SERVICE, taskDefinition: FAMILY, desiredCount: 1 }));
    const resource = serviceResource("default", SERVICE);
    await aas.send(new RegisterScalableTargetCommand({ ...resource, MinCapacity: 1, MaxCapacity: 2 }));
    await aas.send(
      targetTracking(resource, "cpu50", "ECSServiceAverageCPUUtilization", 50, {
        ScaleOutCooldown: 0,
        ScaleInCooldown: 0,
      }),
    );

    // One busy task uses far more than half its 128 units (even on a busy machine): two are wanted, the maximum.
    const out = await until("2 tasks running", () => settledAt(2), 90_000, 250);
    expect(messages(out)).toContainEqual(
      expect.stringContaining(`(service ${SERVICE}) was scaled out from 1 to 2 tasks`),
    );

    // Idle: both tasks' CPU falls to nothing, and one task is enough (the minimum).
    await idle();
    const back = await until("1 task running", () => settledAt(1), 90_000, 250);
    expect(messages(back)).toContainEqual(
      expect.stringContaining(`(service ${SERVICE}) was scaled in from 2 to 1 tasks`),
    );
  });

  it("steps a CPU-burning service out while an `aws cloudwatch` alarm on it is in ALARM, and in by another", async () => {
    await ecs.send(new CreateServiceCommand({ serviceName: STEPPED, taskDefinition: FAMILY, desiredCount: 1 }));
    const resource = serviceResource("default", STEPPED);
    await aas.send(new RegisterScalableTargetCommand({ ...resource, MinCapacity: 1, MaxCapacity: 2 }));
    const policy = async (name: string, config: StepScalingPolicyConfiguration) =>
      (await aas.send(stepScaling(resource, name, config))).PolicyARN as string;
    const out = await policy("out", {
      AdjustmentType: "ChangeInCapacity",
      Cooldown: 0,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
    });
    const scaleIn = await policy("in", {
      AdjustmentType: "ChangeInCapacity",
      Cooldown: 0,
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
    });
    const alarm = (name: string, operator: string, threshold: number, action: string) =>
      awsCli(berth, "cloudwatch", cpuAlarmArgs(name, "default", STEPPED, operator, threshold, [action]));
    await alarm(`${STEPPED}-high`, "GreaterThanThreshold", 50, out);
    await alarm(`${STEPPED}-low`, "LessThanThreshold", 10, scaleIn);

    const stepped = await until("2 tasks running", () => settledAt(2, STEPPED), 90_000, 250);
    expect(messages(stepped)).toContainEqual(
      expect.stringContaining(
        `(service ${STEPPED}) was scaled out from 1 to 2 tasks by Application Auto Scaling: monitor alarm ${STEPPED}-high in state ALARM`,
      ),
    );
    await idle();
    const back = await until("1 task running", () => settledAt(1, STEPPED), 90_000, 250);
    expect(messages(back)).toContainEqual(expect.stringContaining(`monitor alarm ${STEPPED}-low in state ALARM`));
  });
});
