/**
 * A load-balanced service on real containers: `berth local` with moto's server as its ELBv2 API
 * (BERTH_ELBV2_ENDPOINT), and `berth agent` running the tasks on Docker with bridge networking
 * and dynamic host ports. The agent reads its EC2 instance id from an IMDSv2 stand-in
 * (AWS_EC2_METADATA_SERVICE_ENDPOINT), so targets are that instance and the port Docker bound.
 * moto's DescribeTargetHealth calls every registered target `healthy` (it checks nothing) and
 * shows a deregistered one no more at once (no `draining`); and moto keeps one target per
 * instance id: registering the same instance on another port replaces the first, deregistering
 * either removes both (moto 5.2.1; ELBv2 keeps each instance and port apart). So two agents, two
 * instances, and a distinctInstance constraint: a deployment's new task runs on the other
 * instance, as it would behind a real ELBv2 with one host port per task.
 * test/integration/serviceLoadBalancers.test.ts covers the rest playing the agent.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Moto, motoMissing, startMoto } from "../cloud/standIns/moto.ts";
import { type AgentProcess, type BerthProcess, spawnAgent, spawnBerth } from "../support/cli.ts";
import { containersOfTask, dockerUnavailable, removeContainersLabelled, TEST_IMAGE } from "../support/docker.ts";
import { motoLoadBalancer } from "../support/motoLoadBalancer.ts";
import { until } from "../support/poll.ts";

const docker = new Docker();
const missing = (await dockerUnavailable(docker)) ?? motoMissing();
if (missing) console.warn(`e2e/loadBalancedService: skipped, ${missing}.`);

const INSTANCE_IDS = ["i-0e2e1b0000000000a", "i-0e2e1b0000000000b"];
const CLUSTER = `e2e-lb-${process.pid}`;
const FAMILY = CLUSTER;
const FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family";
const DRAIN_SECONDS = 2;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** IMDSv2 for one EC2 instance: a token, then its identity document and signature. */
async function imdsStandIn(instanceId: string): Promise<Server> {
  const document = JSON.stringify({
    instanceId,
    instanceType: "t3.small",
    availabilityZone: "us-east-1a",
    region: "us-east-1",
    accountId: "000000000000",
    pendingTime: new Date().toISOString(),
  });
  const server = createServer((req, res) => {
    if (req.method === "PUT" && req.url === "/latest/api/token") return res.end("token");
    if (req.headers["x-aws-ec2-metadata-token"] !== "token") return res.writeHead(401).end();
    if (req.url === "/latest/dynamic/instance-identity/document") return res.end(document);
    if (req.url === "/latest/dynamic/instance-identity/signature") return res.end("unchecked-in-local-mode");
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

describe.skipIf(missing)("a load-balanced service on Docker, against moto's ELBv2", { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  let moto: Moto;
  const imds: Server[] = [];
  let berth: BerthProcess;
  const agents: AgentProcess[] = [];
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let group: string;

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-e2e-lb-"));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    moto = await startMoto("000000000000");
    const made = await motoLoadBalancer(moto.endpoint, "berth-e2e");
    elb = made.elb;
    const created = await elb.send(
      new CreateTargetGroupCommand({
        Name: "berth-e2e-web",
        Protocol: "HTTP",
        Port: 80,
        VpcId: made.vpcId,
        TargetType: "instance",
      }),
    );
    group = created.TargetGroups?.[0].TargetGroupArn as string;
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: made.loadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: group }],
      }),
    );
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: group,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: String(DRAIN_SECONDS) }],
      }),
    );
    const timings = { BERTH_AGENT_HEARTBEAT_SECONDS: "2", BERTH_SERVICE_SWEEP_SECONDS: "1" };
    berth = await spawnBerth(tempDir(), {
      ...timings,
      BERTH_SERVICE_START_BACKOFF_SECONDS: "0.01",
      BERTH_ELBV2_ENDPOINT: moto.endpoint,
      // moto takes any key; the ELBv2 client finds it in the SDK's usual chain.
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    ecs = new ECSClient({
      endpoint: berth.url,
      region: berth.region,
      credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    });
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (const id of INSTANCE_IDS) {
      const server = await imdsStandIn(id);
      imds.push(server);
      agents.push(
        await spawnAgent(berth, tempDir(), {
          ECS_CLUSTER: CLUSTER,
          ECS_ENABLE_IMDS: "true",
          AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          ECS_CONTAINER_STOP_TIMEOUT: "1s",
          BERTH_HEARTBEAT_SECONDS: "1",
        }),
      );
    }
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: [
          {
            name: "web",
            image: TEST_IMAGE,
            command: ["httpd", "-f", "-p", "80"],
            memory: 32,
            essential: true,
            // Bridge networking, no host port given: Docker picks one, which is the target's port.
            portMappings: [{ containerPort: 80 }],
          },
        ],
      }),
    );
  }, 90_000);
  afterAll(async () => {
    await ecs?.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web", force: true })).catch(() => {});
    for (const agent of agents) await agent.stop("SIGKILL");
    await berth?.stop();
    await removeContainersLabelled(docker, FAMILY_LABEL, FAMILY);
    ecs?.destroy();
    elb?.destroy();
    for (const server of imds) server.close();
    await moto?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const targets = async () =>
    ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }))).TargetHealthDescriptions ?? []).map(
      (d) => ({ id: d.Target?.Id, port: d.Target?.Port, state: d.TargetHealth?.State }),
    );
  const tasks = async (desiredStatus: "RUNNING" | "STOPPED" = "RUNNING"): Promise<Task[]> => {
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus }));
    if (!taskArns?.length) return [];
    return (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }))).tasks ?? [];
  };
  const hostPort = (task: Task) => task.containers?.[0].networkBindings?.[0]?.hostPort;
  /** The EC2 instance a task runs on (each agent's IMDS names one). */
  const instanceOf = (task: Task) =>
    INSTANCE_IDS[agents.findIndex((a) => a.containerInstanceArn === task.containerInstanceArn)];
  const service = async () =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"] }))).services?.[0];
  /** The service's event messages with their times, oldest first. */
  const events = async () =>
    ((await service())?.events ?? [])
      .map((e) => ({ at: e.createdAt?.getTime() ?? 0, message: e.message ?? "" }))
      .reverse();
  const running = async () => {
    const live = await tasks();
    return live.length === 1 && live[0].lastStatus === "RUNNING" && hostPort(live[0]) ? live[0] : undefined;
  };

  let first: Task;

  it("registers the instance and the host port Docker bound, which answers HTTP", async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "web",
        taskDefinition: FAMILY,
        desiredCount: 1,
        placementConstraints: [{ type: "distinctInstance" }],
        loadBalancers: [{ targetGroupArn: group, containerName: "web", containerPort: 80 }],
      }),
    );
    first = await until("the service's task to run with a host port", running, 60_000, 250);
    const port = hostPort(first);
    const [container] = await containersOfTask(docker, first.taskArn as string);
    expect(container.Ports.find((p) => p.PrivatePort === 80)?.PublicPort).toBe(port);
    await until("its target to be registered", async () =>
      (await targets()).some((t) => t.id === instanceOf(first) && t.port === port),
    );
    expect(await targets()).toEqual([{ id: instanceOf(first), port, state: "healthy" }]);
    // The port is real: busybox httpd answers on it (404: it serves no index page).
    const answer = await fetch(`http://127.0.0.1:${port}/`);
    expect(answer.status).toBe(404);
  });

  it("rolls a deployment: the new task's target first, and the old task stops only after its target drained", async () => {
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", forceNewDeployment: true }));
    const describeFirst = async () =>
      (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [first.taskArn as string] }))).tasks?.[0];
    await until(
      "the deployment to complete and the old task to stop",
      async () =>
        (await service())?.deployments?.[0]?.rolloutState === "COMPLETED" &&
        (await running()) &&
        (await describeFirst())?.lastStatus === "STOPPED",
      90_000,
      250,
    );
    const second = (await running()) as Task;
    expect(second.taskArn).not.toBe(first.taskArn);
    expect(instanceOf(second)).not.toBe(instanceOf(first));
    expect(await targets()).toEqual([{ id: instanceOf(second), port: hostPort(second), state: "healthy" }]);
    const old = (await describeFirst()) as Task;
    const log = await events();
    const registered = log.filter((e) => e.message.includes(" registered 1 targets"));
    const deregistered = log.find((e) => e.message.includes(" deregistered 1 targets"));
    expect(registered, JSON.stringify(log, null, 1)).toHaveLength(2);
    expect(deregistered).toBeDefined();
    // Berth's own times: the new target was in before the old one left, and the old task was
    // told to stop no sooner than the target group's deregistration delay after.
    expect(registered[1].at).toBeLessThanOrEqual(deregistered?.at ?? 0);
    expect(old.stoppingAt?.getTime() ?? 0).toBeGreaterThanOrEqual((deregistered?.at ?? 0) + DRAIN_SECONDS * 1000);
    first = second;
  });

  it("deregisters a task that stops on its own, and registers its replacement", async () => {
    const deregistrations = async () => (await events()).filter((e) => e.message.includes(" deregistered 1 targets"));
    const before = (await deregistrations()).length;
    const [container] = await containersOfTask(docker, first.taskArn as string);
    await docker.getContainer(container.Id).kill();
    const replacement = await until(
      "a replacement task with its target",
      async () => {
        const now = await running();
        if (!now || now.taskArn === first.taskArn) return undefined;
        const registered = await targets();
        return registered.length === 1 && registered[0].port === hostPort(now) ? now : undefined;
      },
      60_000,
      250,
    );
    const gone = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [first.taskArn as string] })))
      .tasks?.[0];
    expect(gone?.lastStatus).toBe("STOPPED");
    // Its own deregistration, not only moto replacing a target of the same instance (see above).
    await until("the stopped task's deregistration event", async () => (await deregistrations()).length === before + 1);
    expect(await targets()).toEqual([{ id: instanceOf(replacement), port: hostPort(replacement), state: "healthy" }]);
  });
});
