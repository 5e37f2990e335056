import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  SubmitTaskStateChangeCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desiredDigest } from "../../core/model/desiredDigest.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";
import { rawCall, type Signing } from "../support/rawCall.ts";

/**
 * Berth's own actions (Heartbeat, DescribeUtilization) under X-Amz-Target Berth_20261124, and
 * agentConnected derived from heartbeat freshness, through the HTTP API.
 */
const PREFIX = "Berth_20261124";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
  await berth.ecs.send(new CreateClusterCommand({ clusterName: "beats" }));
});
afterAll(() => berth.stop());

const berthCall = (b: TestBerth, operation: string, input: unknown, sign: Signing | false = {}) =>
  rawCall(b, `${PREFIX}.${operation}`, JSON.stringify(input), sign);

async function register(b: TestBerth, cluster: string, memory = 1024) {
  const { containerInstance } = await b.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: memory },
      ],
    }),
  );
  return containerInstance?.containerInstanceArn as string;
}

const describeInstance = async (b: TestBerth, cluster: string, arn: string) =>
  (await b.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] })))
    .containerInstances?.[0];

const UTILIZATION = {
  cpuPercent: 42.5,
  memoryUsedMiB: 700,
  memoryTotalMiB: 1024,
  tasks: [{ taskArn: "arn:aws:ecs:us-east-1:000000000000:task/beats/t1", cpuPercent: 12.25, memoryMiB: 64 }],
};

describe("Heartbeat and DescribeUtilization", () => {
  it("keeps the latest utilization, keeps the agent connected, and leaves the instance's version alone", async () => {
    const arn = await register(berth, "beats");
    const before = await describeInstance(berth, "beats", arn);
    const start = Date.now();
    const beat = await berthCall(berth, "Heartbeat", {
      cluster: "beats",
      containerInstance: arn,
      utilization: UTILIZATION,
    });
    expect(beat).toMatchObject({ status: 200, body: { heartbeatIntervalSeconds: 3600 } });

    const described = await berthCall(berth, "DescribeUtilization", { cluster: "beats", containerInstances: [arn] });
    expect(described.status).toBe(200);
    const [entry] = described.body.utilization as Record<string, unknown>[];
    expect(entry).toMatchObject({ containerInstanceArn: arn, agentConnected: true, ...UTILIZATION });
    // Epoch seconds on the wire, as every timestamp of the protocol.
    expect(entry.lastHeartbeatAt).toBeGreaterThanOrEqual(Math.floor(start / 1000) - 1);
    expect(entry.lastHeartbeatAt).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(described.body.failures).toEqual([]);

    const after = await describeInstance(berth, "beats", arn);
    expect(after?.agentConnected).toBe(true);
    expect(after?.version).toBe(before?.version);
  });

  it("accepts a heartbeat by instance id without utilization, and forgets the figures of the previous one", async () => {
    const arn = await register(berth, "beats");
    await berthCall(berth, "Heartbeat", { cluster: "beats", containerInstance: arn, utilization: UTILIZATION });
    const beat = await berthCall(berth, "Heartbeat", { cluster: "beats", containerInstance: arn.split("/").pop() });
    expect(beat.status).toBe(200);
    const described = await berthCall(berth, "DescribeUtilization", { cluster: "beats", containerInstances: [arn] });
    const [entry] = described.body.utilization as Record<string, unknown>[];
    expect(entry).toMatchObject({ agentConnected: true, tasks: [] });
    expect(entry.cpuPercent).toBeUndefined();
  });

  it("describes every live instance of the cluster when none are named, and reports unknown ones as MISSING", async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "util-all" }));
    const arns = [await register(berth, "util-all"), await register(berth, "util-all")];
    const gone = await register(berth, "util-all");
    await berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "util-all", containerInstance: gone }));

    const all = await berthCall(berth, "DescribeUtilization", { cluster: "util-all" });
    const listed = (all.body.utilization as { containerInstanceArn: string; agentConnected: boolean }[]).map(
      (u) => u.containerInstanceArn,
    );
    expect(listed.sort()).toEqual([...arns].sort());

    const named = await berthCall(berth, "DescribeUtilization", {
      cluster: "util-all",
      containerInstances: [gone, "nope"],
    });
    expect(named.body.utilization).toMatchObject([{ containerInstanceArn: gone, agentConnected: false }]);
    expect(named.body.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:container-instance/util-all/nope", reason: "MISSING" },
    ]);
  });

  it("answers a heartbeat of an unknown or deregistered instance with InvalidParameterException", async () => {
    const unknown = await berthCall(berth, "Heartbeat", { cluster: "beats", containerInstance: "nope" });
    expect(unknown).toMatchObject({ status: 400, body: { __type: "InvalidParameterException" } });
    const arn = await register(berth, "beats");
    await berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "beats", containerInstance: arn }));
    const gone = await berthCall(berth, "Heartbeat", { cluster: "beats", containerInstance: arn });
    expect(gone.body.__type).toBe("InvalidParameterException");
    const noCluster = await berthCall(berth, "Heartbeat", { cluster: "nope", containerInstance: arn });
    expect(noCluster.body.__type).toBe("ClusterNotFoundException");
  });

  it.each([
    ["no containerInstance", { cluster: "beats" }, "InvalidParameterException", "containerInstance"],
    ["a number for containerInstance", { containerInstance: 5 }, "SerializationException", "containerInstance"],
    [
      "a string for a figure",
      { containerInstance: "x", utilization: { ...UTILIZATION, cpuPercent: "high" } },
      "SerializationException",
      "utilization.cpuPercent",
    ],
    [
      "a negative figure",
      { containerInstance: "x", utilization: { ...UTILIZATION, memoryUsedMiB: -1 } },
      "InvalidParameterException",
      "utilization.memoryUsedMiB",
    ],
    [
      "a task without its ARN",
      { containerInstance: "x", utilization: { ...UTILIZATION, tasks: [{ cpuPercent: 1, memoryMiB: 1 }] } },
      "InvalidParameterException",
      "utilization.tasks.1.member.taskArn",
    ],
    ["a list for utilization", { containerInstance: "x", utilization: [] }, "SerializationException", "utilization"],
  ])("checks its input by hand: %s", async (_, input, type, where) => {
    const response = await berthCall(berth, "Heartbeat", input);
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe(type);
    expect(response.body.message).toContain(where);
  });

  it("answers the digest of the tasks placed on the instance: it changes with a placement and a stop, as the agent computes it", async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "digest" }));
    const arn = await register(berth, "digest");
    const digest = async () =>
      (await berthCall(berth, "Heartbeat", { cluster: "digest", containerInstance: arn })).body.desiredTasksDigest;
    const idle = await digest();
    expect(idle).toBe(desiredDigest([]));
    await berth.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "digest",
        containerDefinitions: [{ name: "a", image: "x", memory: 64 }],
      }),
    );
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ cluster: "digest", taskDefinition: "digest" }));
    const taskArn = tasks?.[0]?.taskArn as string;
    const described = async () =>
      (await berth.ecs.send(new DescribeTasksCommand({ cluster: "digest", tasks: [taskArn] }))).tasks ?? [];

    const placed = await digest();
    expect(placed).not.toBe(idle);
    // What the agent's sync computes from DescribeTasks is what the heartbeat answers.
    expect(placed).toBe(desiredDigest(await described()));
    // The agent's own progress changes nothing it must act on.
    await berth.ecs.send(new SubmitTaskStateChangeCommand({ cluster: "digest", task: taskArn, status: "RUNNING" }));
    expect(await digest()).toBe(placed);

    await berth.ecs.send(new StopTaskCommand({ cluster: "digest", task: taskArn }));
    const stopping = await digest();
    expect(stopping).not.toBe(placed);
    expect(stopping).toBe(desiredDigest(await described()));
    await berth.ecs.send(new SubmitTaskStateChangeCommand({ cluster: "digest", task: taskArn, status: "STOPPED" }));
    expect(await digest()).toBe(idle);
  });

  it("checks DescribeUtilization's input", async () => {
    const empty = await berthCall(berth, "DescribeUtilization", { containerInstances: [] });
    expect(empty.body.__type).toBe("InvalidParameterException");
    const notList = await berthCall(berth, "DescribeUtilization", { containerInstances: "a" });
    expect(notList.body.__type).toBe("SerializationException");
  });
});

describe("GetUtilizationHistory", () => {
  const history = async (b: TestBerth, cluster: string, containerInstance: string) =>
    berthCall(b, "GetUtilizationHistory", { cluster, containerInstance });
  const beat = (b: TestBerth, cluster: string, arn: string, cpuPercent: number) =>
    berthCall(b, "Heartbeat", { cluster, containerInstance: arn, utilization: { ...UTILIZATION, cpuPercent } });

  it("keeps the first beat of each sample period, and serves the history by id or ARN", async () => {
    const arn = await register(berth, "beats");
    const before = await history(berth, "beats", arn);
    // The hour-long heartbeat interval of this server makes sample periods of six hours.
    expect(before).toMatchObject({
      status: 200,
      body: { containerInstanceArn: arn, samples: [], samplePeriodSeconds: 6 * 3600, windowSeconds: 360 * 3600 },
    });
    const start = Math.floor(Date.now() / 1000);
    await beat(berth, "beats", arn, 11.25);
    await beat(berth, "beats", arn, 99);
    await berthCall(berth, "Heartbeat", { cluster: "beats", containerInstance: arn });
    const after = await history(berth, "beats", arn.split("/").pop() as string);
    expect(after.status).toBe(200);
    const samples = after.body.samples as { at: number }[];
    expect(samples).toEqual([{ at: expect.any(Number), cpuPercent: 11.3, memoryUsedMiB: 700, memoryTotalMiB: 1024 }]);
    // Epoch seconds on the wire.
    expect(samples[0].at).toBeGreaterThanOrEqual(start - 1);
    expect(samples[0].at).toBeLessThanOrEqual(Date.now() / 1000 + 1);
  });

  it("samples period after period", async () => {
    // A heartbeat every 50 ms: a sample period of 300 ms.
    const fast = await startBerth(undefined, { heartbeatSeconds: 0.05 });
    try {
      await fast.ecs.send(new CreateClusterCommand({ clusterName: "fast" }));
      const arn = await register(fast, "fast");
      let cpu = 0;
      const samples = await until("three samples", async () => {
        await beat(fast, "fast", arn, ++cpu);
        const s = (await history(fast, "fast", arn)).body.samples as { at: number; cpuPercent: number }[];
        return s.length >= 3 && s;
      });
      const figures = samples.map((s) => s.cpuPercent);
      expect(figures).toEqual([...figures].sort((a, b) => a - b));
      expect(new Set(figures).size).toBe(samples.length);
    } finally {
      await fast.stop();
    }
  });

  it("refuses an unknown instance, a missing reference or cluster", async () => {
    const unknown = await history(berth, "beats", "nope");
    expect(unknown).toMatchObject({ status: 400, body: { __type: "InvalidParameterException" } });
    const missing = await berthCall(berth, "GetUtilizationHistory", { cluster: "beats" });
    expect(missing.body).toMatchObject({ __type: "InvalidParameterException" });
    expect(missing.body.message).toContain("containerInstance");
    const noCluster = await history(berth, "nope", "x");
    expect(noCluster.body.__type).toBe("ClusterNotFoundException");
  });
});

describe("the Berth target prefix", () => {
  it("refuses an unsigned Berth call", async () => {
    const response = await berthCall(berth, "Heartbeat", { containerInstance: "x" }, false);
    expect(response).toMatchObject({ status: 403, body: { __type: "MissingAuthenticationTokenException" } });
  });

  it.each([
    ["an unknown Berth operation", `${PREFIX}.LaunchRockets`],
    ["an ECS operation under Berth's prefix", `${PREFIX}.ListClusters`],
    ["a Berth operation under ECS's prefix", "AmazonEC2ContainerServiceV20141113.Heartbeat"],
    ["an unknown prefix", "Berth_19990101.Heartbeat"],
  ])("answers %s with UnknownOperationException", async (_, target) => {
    const response = await rawCall(berth, target, "{}");
    expect(response.body.__type).toBe("UnknownOperationException");
  });
});

describe("agentConnected from heartbeat freshness", () => {
  let fast: TestBerth;
  beforeAll(async () => {
    // Three missed beats of 0.2 s: an instance without heartbeats is disconnected after 0.6 s.
    fast = await startBerth(undefined, { heartbeatSeconds: 0.2 });
    await fast.ecs.send(new CreateClusterCommand({ clusterName: "fresh" }));
    await fast.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "half",
        containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 256 }],
      }),
    );
  });
  afterAll(() => fast.stop());

  it("disconnects a silent agent: shown, filtered, and skipped by placement with reason AGENT", async () => {
    const silent = await register(fast, "fresh", 1024);
    const beating = await register(fast, "fresh", 512);
    // Registration counts as the first beat.
    expect((await describeInstance(fast, "fresh", silent))?.agentConnected).toBe(true);

    const beat = () => berthCall(fast, "Heartbeat", { cluster: "fresh", containerInstance: beating });
    const timer = setInterval(() => void beat(), 100);
    try {
      await new Promise((resolve) => setTimeout(resolve, 900));
      await beat();
      expect((await describeInstance(fast, "fresh", silent))?.agentConnected).toBe(false);
      expect((await describeInstance(fast, "fresh", beating))?.agentConnected).toBe(true);

      const disconnected = await fast.ecs.send(
        new ListContainerInstancesCommand({ cluster: "fresh", filter: "agentConnected == false" }),
      );
      expect(disconnected.containerInstanceArns).toEqual([silent]);

      // Room for two tasks on the beating instance, four on the silent one: three asked for.
      await beat();
      const { tasks, failures } = await fast.ecs.send(
        new RunTaskCommand({ cluster: "fresh", taskDefinition: "half", count: 3 }),
      );
      expect(tasks?.map((t) => t.containerInstanceArn)).toEqual([beating, beating]);
      expect(Object.fromEntries(failures?.map((f) => [f.arn, f.reason]) ?? [])).toEqual({
        [silent]: "AGENT",
        [beating]: "RESOURCE:MEMORY",
      });
    } finally {
      clearInterval(timer);
    }

    const utilization = await berthCall(fast, "DescribeUtilization", {
      cluster: "fresh",
      containerInstances: [silent],
    });
    expect(utilization.body.utilization).toMatchObject([{ containerInstanceArn: silent, agentConnected: false }]);

    // A heartbeat reconnects it at once.
    await berthCall(fast, "Heartbeat", { cluster: "fresh", containerInstance: silent });
    expect((await describeInstance(fast, "fresh", silent))?.agentConnected).toBe(true);
  });
});
