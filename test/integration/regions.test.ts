import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListAccountSettingsCommand,
  ListClustersCommand,
  ListContainerInstancesCommand,
  PutAccountSettingCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../agent/config.ts";
import { createLogger } from "../../agent/log.ts";
import { type RunningAgent, startAgent } from "../../agent/main.ts";
import { FakeRuntime } from "../../agent/runtime/fake.ts";
import {
  BERTH_TARGET_PREFIX,
  type CreateAccessKeyResponse,
  type ListAccessKeysResponse,
} from "../../core/actions/berth/shapes.ts";
import { parseBootstrapToken } from "../../core/auth/bootstrapToken.ts";
import { instanceQueueName } from "../../core/aws/sqs.ts";
import { lastSegment } from "../../core/model/arn.ts";
import { awsCliPresent, awsEcs } from "../support/awsCli.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { rawCall } from "../support/rawCall.ts";

/**
 * Local mode answers for every region, each in a namespace of its own, as ECS's regional
 * endpoints do: the region a request is signed for picks the control plane. The default region
 * here is us-east-1; eu-west-1 is met on the first request signed for it.
 */
describe("every region in local mode", { timeout: 60_000 }, () => {
  let berth: TestBerth;
  let eu: ECSClient;
  let agent: RunningAgent | undefined;
  const agentLog: string[] = [];
  const clientIn = (region: string) =>
    new ECSClient({ endpoint: berth.url, region, credentials: berth.credentials, maxAttempts: 1 });

  beforeAll(async () => {
    berth = await startBerth(undefined, { heartbeatSeconds: 1 });
    eu = clientIn("eu-west-1");
  });
  afterAll(async () => {
    await agent?.close();
    eu?.destroy();
    await berth?.stop();
  });

  it("keeps a cluster of the same name apart in two regions, each with its region in its ARN", async () => {
    const us = await berth.ecs.send(
      new CreateClusterCommand({ clusterName: "web", tags: [{ key: "in", value: "us" }] }),
    );
    const inEu = await eu.send(new CreateClusterCommand({ clusterName: "web", tags: [{ key: "in", value: "eu" }] }));
    expect(us.cluster?.clusterArn).toBe("arn:aws:ecs:us-east-1:000000000000:cluster/web");
    expect(inEu.cluster?.clusterArn).toBe("arn:aws:ecs:eu-west-1:000000000000:cluster/web");
    const tagIn = async (client: ECSClient) =>
      (await client.send(new DescribeClustersCommand({ clusters: ["web"], include: ["TAGS"] }))).clusters?.[0]?.tags;
    expect(await tagIn(berth.ecs)).toEqual([{ key: "in", value: "us" }]);
    expect(await tagIn(eu)).toEqual([{ key: "in", value: "eu" }]);
    expect(berth.regions()).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("lists in one region only what was made there", async () => {
    await eu.send(new CreateClusterCommand({ clusterName: "only-in-eu" }));
    const listed = async (client: ECSClient) =>
      (await client.send(new ListClustersCommand({}))).clusterArns?.toSorted();
    expect(await listed(eu)).toEqual([
      "arn:aws:ecs:eu-west-1:000000000000:cluster/only-in-eu",
      "arn:aws:ecs:eu-west-1:000000000000:cluster/web",
    ]);
    expect(await listed(berth.ecs)).toEqual(["arn:aws:ecs:us-east-1:000000000000:cluster/web"]);
    const missing = await berth.ecs.send(new DescribeClustersCommand({ clusters: ["only-in-eu"] }));
    expect(missing.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:cluster/only-in-eu", reason: "MISSING" },
    ]);
  });

  it("numbers task definition revisions per region", async () => {
    const register = (client: ECSClient) =>
      client.send(
        new RegisterTaskDefinitionCommand({
          family: "app",
          containerDefinitions: [{ name: "main", image: "busybox", memory: 32 }],
        }),
      );
    await register(berth.ecs);
    await register(berth.ecs);
    const inEu = await register(eu);
    expect(inEu.taskDefinition?.taskDefinitionArn).toBe("arn:aws:ecs:eu-west-1:000000000000:task-definition/app:1");
  });

  it("keeps account settings per region", async () => {
    await eu.send(new PutAccountSettingCommand({ name: "containerInsights", value: "enabled" }));
    const value = async (client: ECSClient) =>
      (await client.send(new ListAccountSettingsCommand({ name: "containerInsights", effectiveSettings: true })))
        .settings?.[0]?.value;
    expect(await value(eu)).toBe("enabled");
    expect(await value(berth.ecs)).not.toBe("enabled");
  });

  it("runs a task in the second region on an agent that joined it with the bootstrap token", async () => {
    await eu.send(new CreateClusterCommand({ clusterName: "default" }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    const runtime = new FakeRuntime(["busybox"]);
    const config = loadAgentConfig({
      env: { ECS_DATADIR: join(berth.dataDir, "eu-agent"), BERTH_HEARTBEAT_SECONDS: "1" },
      configFile: false,
      overrides: {
        endpoint: berth.url,
        region: "eu-west-1",
        cluster: "default",
        bootstrapToken: parseBootstrapToken(berth.bootstrapToken.token),
      },
    });
    agent = await startAgent(config, { runtime, log: createLogger("debug", (line) => agentLog.push(line)) });
    expect(agent.containerInstanceArn).toMatch(/^arn:aws:ecs:eu-west-1:000000000000:container-instance\/default\//);
    // The agent and its heartbeats are the second region's only.
    const instances = async (client: ECSClient) =>
      (await client.send(new ListContainerInstancesCommand({ cluster: "default" }))).containerInstanceArns;
    expect(await instances(eu)).toEqual([agent.containerInstanceArn]);
    expect(await instances(berth.ecs)).toEqual([]);
    const [described] =
      (
        await eu.send(
          new DescribeContainerInstancesCommand({
            cluster: "default",
            containerInstances: [agent.containerInstanceArn],
          }),
        )
      ).containerInstances ?? [];
    expect(described?.agentConnected).toBe(true);
    // Its wake-up queue is in its region on the embedded SQS server, not in the default one.
    const queueIn = (region: string) =>
      new SQSClient({ endpoint: berth.sqsEndpoint, region, credentials: berth.credentials }).send(
        new GetQueueUrlCommand({
          QueueName: instanceQueueName("berth-agent-", lastSegment(agent?.containerInstanceArn ?? "")),
        }),
      );
    await expect(queueIn("eu-west-1")).resolves.toMatchObject({ QueueUrl: expect.stringContaining("eu-west-1") });
    await expect(queueIn("us-east-1")).rejects.toThrow();

    const { tasks, failures } = await eu.send(new RunTaskCommand({ cluster: "default", taskDefinition: "app" }));
    expect(failures).toEqual([]);
    const taskArn = tasks?.[0]?.taskArn as string;
    expect(taskArn).toMatch(/^arn:aws:ecs:eu-west-1:000000000000:task\/default\//);
    expect(tasks?.[0]?.taskDefinitionArn).toBe("arn:aws:ecs:eu-west-1:000000000000:task-definition/app:1");
    await agent.sync();
    let status: string | undefined;
    for (let i = 0; i < 200 && status !== "RUNNING"; i++) {
      status = (await eu.send(new DescribeTasksCommand({ cluster: "default", tasks: [taskArn] }))).tasks?.[0]
        ?.lastStatus;
      if (status !== "RUNNING") await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status, agentLog.join("")).toBe("RUNNING");
    const elsewhere = await berth.ecs.send(new DescribeTasksCommand({ cluster: "default", tasks: [taskArn] }));
    expect(elsewhere.tasks).toEqual([]);
    expect(elsewhere.failures?.[0]?.reason).toBe("MISSING");
  });

  it("keeps a service in the second region at its desired count, with that region's scheduler", async () => {
    await eu.send(
      new CreateServiceCommand({ cluster: "default", serviceName: "web", taskDefinition: "app", desiredCount: 2 }),
    );
    let running: number | undefined;
    for (let i = 0; i < 300 && running !== 2; i++) {
      await agent?.sync();
      running = (await eu.send(new DescribeServicesCommand({ cluster: "default", services: ["web"] }))).services?.[0]
        ?.runningCount;
      if (running !== 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(running, agentLog.join("")).toBe(2);
    const { failures } = await berth.ecs.send(new DescribeServicesCommand({ cluster: "default", services: ["web"] }));
    expect(failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:000000000000:service/web", reason: "MISSING" }]);
  });

  it("shares the account's keys between regions: one made in one region signs in another", async () => {
    const created = await rawCall(
      berth,
      `${BERTH_TARGET_PREFIX}.CreateAccessKey`,
      JSON.stringify({ policy: { kind: "read-only" }, description: "made in eu-west-1" }),
      { region: "eu-west-1" },
    );
    expect(created.status).toBe(200);
    const { accessKeyId, secretAccessKey } = (created.body as unknown as CreateAccessKeyResponse).accessKey;
    const listed = await rawCall(berth, "AmazonEC2ContainerServiceV20141113.ListClusters", "{}", {
      keyId: accessKeyId,
      secret: secretAccessKey,
      region: "us-east-1",
    });
    expect(listed.status).toBe(200);
    const keys = await rawCall(berth, `${BERTH_TARGET_PREFIX}.ListAccessKeys`, "{}", { region: "us-east-1" });
    expect((keys.body as unknown as ListAccessKeysResponse).accessKeys.map((k) => k.accessKeyId)).toContain(
      accessKeyId,
    );
  });

  it("works with the AWS CLI and --region", { skip: !awsCliPresent() }, async () => {
    const target = { url: berth.url, ...berth.credentials, region: "us-east-1" };
    const out = await awsEcs(target, ["list-clusters", "--region", "eu-west-1", "--output", "json"]);
    expect(JSON.parse(out).clusterArns).toContain("arn:aws:ecs:eu-west-1:000000000000:cluster/only-in-eu");
    const created = await awsEcs(target, ["create-cluster", "--cluster-name", "cli", "--region", "ap-south-2"]);
    expect(JSON.parse(created).cluster.clusterArn).toBe("arn:aws:ecs:ap-south-2:000000000000:cluster/cli");
  });

  it.each([
    ["a string that is no region", "not a region"],
    ["a region of another partition", "cn-north-1"],
    ["an upper-case region", "EU-WEST-1"],
    ["a name shaped as a region that AWS does not have", "us-aaaa-1"],
  ])("refuses a request signed for %s, clearly, and opens nothing", async (_, region) => {
    const before = berth.regions();
    const files = readdirSync(berth.dataDir);
    const response = await rawCall(berth, "AmazonEC2ContainerServiceV20141113.CreateCluster", '{"clusterName":"x"}', {
      region,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      __type: "InvalidSignatureException",
      message: expect.stringContaining(`Credential should be scoped to a valid region, not '${region}'.`),
    });
    expect(berth.regions()).toEqual(before);
    expect(readdirSync(berth.dataDir)).toEqual(files);
  });

  it.each([
    ["a key it does not know", { keyId: "AKIAUNKNOWNUNKNOWN00" }, "UnrecognizedClientException"],
    ["a wrong secret", { secret: "wrong" }, "InvalidSignatureException"],
  ])("opens no region for a request signed with %s", async (_, sign, type) => {
    const response = await rawCall(berth, "AmazonEC2ContainerServiceV20141113.CreateCluster", '{"clusterName":"x"}', {
      region: "sa-east-1",
      ...sign,
    });
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe(type);
    expect(berth.regions()).not.toContain("sa-east-1");
    expect(existsSync(join(berth.dataDir, "berth.sa-east-1.sqlite"))).toBe(false);
  });

  it("starts the control plane of every region that has records again after a restart", async () => {
    await agent?.close();
    agent = undefined;
    await berth.stop({ keepData: true });
    eu.destroy();
    berth = await startBerth(berth.dataDir);
    eu = clientIn("eu-west-1");
    expect(berth.regions()[0]).toBe("us-east-1");
    expect(berth.regions()).toContain("eu-west-1");
    const { clusters } = await eu.send(new DescribeClustersCommand({ clusters: ["only-in-eu"] }));
    expect(clusters?.[0]?.clusterArn).toBe("arn:aws:ecs:eu-west-1:000000000000:cluster/only-in-eu");
  });
});
