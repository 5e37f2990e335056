/**
 * Auto scaling benchmark: a service whose task burns a CPU core, at 1 task, with a 50 % CPU
 * target tracking policy — how long until it runs its steady count. `berth local` runs in this
 * process with its local agent on this machine's Docker engine.
 *
 *   npm run bench:autoscale                                   # local mode's default timings
 *   npm run bench:autoscale -- --sweep-seconds 1 --heartbeat-seconds 1
 *   npm run bench:autoscale -- --policy step                  # a step policy and an `aws cloudwatch` alarm
 *
 * Each task reserves 256 CPU units (a quarter of a core) and runs `while :; do :; done`: one task
 * uses up to 400 % of its reservation, so the policy wants up to 8 (1 × 400 / 50), capped at 4;
 * four on this machine share its cores and stay above target, so 4 is the steady count. The
 * clock runs from CreateService (desired count 1, target and policy registered right after),
 * through the first task RUNNING and the scaling decision (desiredCount 4), until
 * DescribeServices, polled every 100 ms, says 4 RUNNING. What bounds the first decision's delay:
 * the agent's heartbeat (which carries the tasks' CPU) and the service sweep (which evaluates it).
 * A busy machine gives each burner less than a core: the service then climbs in smaller steps.
 * With `--policy step`: a step policy (+3 tasks at or above the threshold) that an alarm put with
 * the AWS CLI names (CPUUtilization > 50 % over one 10 s period), the same service and target.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { startLocalAgent } from "../local/agent.ts";
import { LOCAL_CLUSTER, localOptions } from "../local/config.ts";
import { startLocal } from "../local/server.ts";
import { cpuAlarmArgs, serviceResource, stepScaling, targetTracking } from "../test/support/autoScaling.ts";
import { awsCli } from "../test/support/awsCli.ts";
import { dockerUnavailable, removeContainersLabelled, TEST_IMAGE } from "../test/support/docker.ts";

const { values: flags } = parseArgs({
  options: {
    "sweep-seconds": { type: "string" },
    "heartbeat-seconds": { type: "string" },
    policy: { type: "string", default: "target" },
  },
});
const MAX = 4;
const POLL_MS = 100;
const TIMEOUT_MS = 2 * 60_000;
const TAG = `berth-bench-autoscale-${process.pid}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
if (unavailable) {
  console.error(`bench:autoscale needs Docker: ${unavailable}.`);
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), "berth-bench-autoscale-"));
const env: Record<string, string> = {};
if (flags["sweep-seconds"]) env.BERTH_SERVICE_SWEEP_SECONDS = flags["sweep-seconds"];
const options = localOptions({ port: "0", "data-dir": dataDir }, env);
const local = await startLocal(options);
const agentEnv: Record<string, string> = { ECS_LOGLEVEL: "warn", ECS_CONTAINER_STOP_TIMEOUT: "1s" };
if (flags["heartbeat-seconds"]) agentEnv.BERTH_HEARTBEAT_SECONDS = flags["heartbeat-seconds"];
const { agent, status } = await startLocalAgent(local, options, { ...process.env, ...agentEnv });
const client = { endpoint: local.url, region: options.partition.region, credentials: local.credentials };
const ecs = new ECSClient(client);
const aas = new ApplicationAutoScalingClient(client);
try {
  if (!agent) throw new Error(`the local agent did not start: ${status}`);
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: TAG,
      containerDefinitions: [
        { name: "main", image: TEST_IMAGE, cpu: 256, memory: 16, command: ["sh", "-c", "while :; do :; done"] },
      ],
    }),
  );
  const resource = serviceResource(LOCAL_CLUSTER, TAG);
  const started = performance.now();
  await ecs.send(
    new CreateServiceCommand({ cluster: LOCAL_CLUSTER, serviceName: TAG, taskDefinition: TAG, desiredCount: 1 }),
  );
  await aas.send(new RegisterScalableTargetCommand({ ...resource, MinCapacity: 1, MaxCapacity: MAX }));
  let alarmPut: Promise<number> | undefined;
  if (flags.policy === "step") {
    const { PolicyARN } = await aas.send(
      stepScaling(resource, "cpu-out", {
        AdjustmentType: "ChangeInCapacity",
        Cooldown: 0,
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: MAX - 1 }],
      }),
    );
    const target = { url: local.url, ...local.credentials, region: options.partition.region };
    // Not awaited: the CLI takes seconds to start, and the clock must see the first task run meanwhile.
    alarmPut = awsCli(
      target,
      "cloudwatch",
      cpuAlarmArgs(`${TAG}-high`, LOCAL_CLUSTER, TAG, "GreaterThanThreshold", 50, [PolicyARN as string]),
    ).then(() => performance.now() - started);
  } else {
    await aas.send(targetTracking(resource, "cpu50", "ECSServiceAverageCPUUtilization", 50, { ScaleOutCooldown: 0 }));
  }
  let firstRunning = Number.NaN;
  let firstDecision = Number.NaN;
  let decided = Number.NaN;
  for (;;) {
    const elapsed = performance.now() - started;
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: LOCAL_CLUSTER, services: [TAG] }));
    if (elapsed > TIMEOUT_MS) {
      const events = (services?.[0]?.events ?? []).slice(0, 5).map((e) => e.message);
      throw new Error(`not ${MAX} RUNNING after ${TIMEOUT_MS / 1000} s; latest events: ${JSON.stringify(events)}`);
    }
    const { runningCount = 0, desiredCount = 0 } = services?.[0] ?? {};
    if (Number.isNaN(firstRunning) && runningCount >= 1) firstRunning = elapsed;
    if (Number.isNaN(firstDecision) && desiredCount > 1) firstDecision = elapsed;
    if (Number.isNaN(decided) && desiredCount === MAX) decided = elapsed;
    if (runningCount === MAX) break;
    await sleep(POLL_MS);
  }
  const steady = performance.now() - started;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `${flags.policy === "step" ? "step policy on an alarm" : "target tracking"}, sweep every ${options.scheduler.sweepSeconds} s, agent heartbeat every ${agentEnv.BERTH_HEARTBEAT_SECONDS ?? "10 (default)"} s`,
  );
  if (alarmPut) console.log(`alarm put (AWS CLI)      ${s(await alarmPut)}`);
  console.log(`first task RUNNING       ${s(firstRunning)}`);
  console.log(
    `first scale-out decided  ${s(firstDecision)}  (${s(firstDecision - firstRunning)} after the first task ran)`,
  );
  console.log(`scale-out to ${MAX} decided   ${s(decided)}`);
  console.log(`${MAX} tasks RUNNING          ${s(steady)}`);
  console.log(
    "ECS: service CPU reaches CloudWatch as a one-minute metric, and target tracking acts on CloudWatch alarms over several such datapoints: minutes before the first decision.",
  );
} finally {
  await ecs.send(new DeleteServiceCommand({ cluster: LOCAL_CLUSTER, service: TAG, force: true })).catch(() => {});
  await agent?.close();
  ecs.destroy();
  aas.destroy();
  await local.close();
  await removeContainersLabelled(docker, "com.amazonaws.ecs.task-definition-family", TAG);
  rmSync(dataDir, { recursive: true, force: true });
}
