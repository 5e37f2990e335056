import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateGraph } from "../infra/graph.ts";
import { createKey, ecsCall } from "../support/access.ts";
import { awsCli, awsEcs } from "../support/awsCli.ts";
import { browserUnavailable, launchBrowser } from "../support/browser.ts";
import type { AgentProcess } from "../support/cli.ts";
import { containersOfTask, dockerUnavailable, removeTaskContainers, TEST_IMAGE } from "../support/docker.ts";
import { until } from "../support/poll.ts";
import { type CloudDeployment, deployOffline } from "./deployment/deployment.ts";
import { type Outputs, one, TYPES } from "./deployment/graphParts.ts";
import { clientConfig } from "./deployment/provision.ts";
import { joinHost } from "./host/agentHost.ts";
import { motoMissing } from "./standIns/moto.ts";

/**
 * Berth as `sst deploy` would deploy it, stood up on this machine from the evaluated graph and
 * driven as its users drive it: the AWS CLI and the SDK through the HTTP API, a deployment
 * request through EventBridge, hosts' agents joining with the bootstrap token, a host lost, the
 * web console in a browser.
 * The steps build on each other (one deployment, in order). See docs/cloud-test.md.
 */
for (const missing of [motoMissing(), await dockerUnavailable(), browserUnavailable()]) {
  if (missing) throw new Error(`npm run test:cloud cannot run here: ${missing}.`);
}

/**
 * Deploy-time settings of this run, read by infra/ as `sst deploy` reads them: the hosts here are
 * not EC2 instances (whose identity documents only AWS signs), and a lost host is given up on
 * within seconds rather than minutes.
 */
const DEPLOY_ENV = {
  BERTH_EC2_IDENTITY_CHECK: "0",
  // An agent silent for 3 beats is disconnected, and lost after the grace period. Every call of
  // both agents and the console goes through one API function environment here (Lambda would
  // run more), so on a loaded 2-CPU machine a live agent's beats can queue for seconds: with 2 s
  // beats and a 6 s grace a live host was once given up on (its tasks replaced, nothing placed
  // on it), and the console step timed out. 15 s of silence, then 10 s, still lose a host fast.
  BERTH_AGENT_HEARTBEAT_SECONDS: "5",
  BERTH_LOST_INSTANCE_GRACE_SECONDS: "10",
};

const docker = new Docker();
let cloud: CloudDeployment;
let admin: { accessKeyId: string; secretAccessKey: string };
let ecs: ECSClient;
let tap: { sqs: SQSClient; url: string; events: Record<string, unknown>[] };
const hosts: AgentProcess[] = [];
const taskArns: string[] = [];

beforeAll(async () => {
  const graph = await evaluateGraph("cloud", { settings: DEPLOY_ENV });
  const [accessKeyId, secretAccessKey] = graph.secrets.BerthAdminKey.split(":");
  admin = { accessKeyId, secretAccessKey };
  cloud = await deployOffline(graph, { sqsRetryAfterSeconds: 1 });
  ecs = new ECSClient({ endpoint: cloud.apiUrl, region: cloud.partition.region, credentials: admin });
  tap = await tapBus();
}, 300_000);

afterAll(async () => {
  for (const host of hosts) await host.stop("SIGKILL");
  await removeTaskContainers(docker, taskArns);
  await cloud?.stop();
  for (const fn of cloud?.functions ?? []) {
    if (fn.errors.length > 0)
      console.error(`${fn.name}: ${fn.errors.length} error(s), the first: ${fn.errors[0].message}`);
  }
}, 120_000);

/** The AWS CLI as a user runs it: against the deployment's API with the admin key. */
const cli = (args: string[]) =>
  awsEcs({ url: cloud.apiUrl, region: cloud.partition.region, ...admin }, [...args, "--output", "json"]).then((out) =>
    JSON.parse(out),
  );

const shortTaskId = (taskArn: string) => taskArn.slice(taskArn.lastIndexOf("/") + 1);

/** An account's own rule on Berth's bus, all of Berth's events into a queue (as a user would tap them). */
async function tapBus() {
  const config = clientConfig(cloud.motoEndpoint, cloud.partition.region);
  const sqs = new SQSClient(config);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "berth-events-tap" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const bus = one(cloud.graph, TYPES.bus).name;
  const events = new EventBridgeClient(config);
  await events.send(
    new PutRuleCommand({ Name: "tap", EventBusName: bus, EventPattern: JSON.stringify({ source: ["berth.ecs"] }) }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: "tap", EventBusName: bus, Targets: [{ Id: "queue", Arn: Attributes?.QueueArn }] }),
  );
  return { sqs, url: QueueUrl as string, events: [] as Record<string, unknown>[] };
}

/** Drains the tap into `tap.events`; resolves to the events of `detailType` so far. */
async function tapped(detailType: string) {
  for (;;) {
    const { Messages = [] } = await tap.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: tap.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) break;
    tap.events.push(...Messages.map((m) => JSON.parse(m.Body ?? "{}")));
    await tap.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: tap.url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return tap.events.filter((e) => e["detail-type"] === detailType);
}

async function tasksOf(service: string, desiredStatus: "RUNNING" | "STOPPED" = "RUNNING") {
  const { taskArns: arns = [] } = await ecs.send(new ListTasksCommand({ serviceName: service, desiredStatus }));
  if (arns.length === 0) return [];
  taskArns.push(...arns);
  return (await ecs.send(new DescribeTasksCommand({ tasks: arns }))).tasks ?? [];
}

/** What a service looks like now, for a failure's message: its deployments, tasks and last events. */
async function serviceSummary(service: string) {
  const { services = [] } = await ecs.send(new DescribeServicesCommand({ services: [service] }));
  const tasks = await tasksOf(service);
  return JSON.stringify({
    taskDefinition: services[0]?.taskDefinition,
    desiredCount: services[0]?.desiredCount,
    deployments: services[0]?.deployments?.map((d) => [d.status, d.taskDefinition, d.runningCount, d.rolloutState]),
    tasks: tasks.map((t) => [
      t.taskDefinitionArn?.split("/")[1],
      t.lastStatus,
      t.desiredStatus,
      t.containerInstanceArn?.split("/").at(-1),
    ]),
    events: services[0]?.events?.slice(0, 5).map((e) => e.message),
  });
}

const taskDefinition = (command: string[]) => [
  "register-task-definition",
  "--family",
  "app",
  "--container-definitions",
  JSON.stringify([{ name: "main", image: TEST_IMAGE, memory: 16, essential: true, command }]),
];

describe("Berth deployed, on this machine", () => {
  it("answers health checks and the ECS API through the HTTP API", async () => {
    const health = await fetch(`${cloud.apiUrl}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, "ok\n"]);
    expect((await fetch(`${cloud.apiUrl}/nowhere`)).status).toBe(404);
    const created = await cli(["create-cluster", "--cluster-name", "default"]);
    expect(created.cluster.clusterArn).toBe(
      `arn:aws:ecs:${cloud.partition.region}:${cloud.partition.accountId}:cluster/default`,
    );
    const registered = await cli(taskDefinition(["sleep", "3600"]));
    expect(registered.taskDefinition.revision).toBe(1);
  });

  it("lets two hosts join with the bootstrap token, their agents registering through the front door", async () => {
    hosts.push(await joinHost(cloud, "a"), await joinHost(cloud, "b"));
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: "default" }));
    expect(containerInstanceArns?.sort()).toEqual(hosts.map((h) => h.containerInstanceArn).sort());
    const joined = await until("instance events on the bus", async () => {
      const events = await tapped("ECS Container Instance State Change");
      return events.length >= 2 && events;
    });
    const arns = joined.map((e) => (e.detail as Record<string, unknown>).containerInstanceArn);
    expect(new Set(arns)).toEqual(new Set(hosts.map((h) => h.containerInstanceArn)));
    expect(joined[0]).toMatchObject({ source: "berth.ecs" });
  });

  it("runs a task whose container really starts", async () => {
    const { tasks = [], failures } = await ecs.send(new RunTaskCommand({ taskDefinition: "app", cluster: "default" }));
    expect(failures).toEqual([]);
    const arn = tasks[0].taskArn as string;
    taskArns.push(arn);
    await until(
      "the task RUNNING",
      async () => (await ecs.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks?.[0]?.lastStatus === "RUNNING",
      60_000,
      250,
    );
    const [container] = await containersOfTask(docker, arn);
    expect(container.State).toBe("running");
    const changes = await until("the task's RUNNING event on the bus", async () => {
      const events = await tapped("ECS Task State Change");
      return events.some((e) => (e.detail as Record<string, unknown>).lastStatus === "RUNNING") && events;
    });
    expect(changes.some((e) => (e.resources as string[]).includes(arn))).toBe(true);
  });

  it("keeps a service of 3 running (scheduler queue → scheduler function)", async () => {
    await ecs.send(new CreateServiceCommand({ serviceName: "web", taskDefinition: "app:1", desiredCount: 3 }));
    await until(
      "3 RUNNING tasks of web",
      async () => (await tasksOf("web")).filter((t) => t.lastStatus === "RUNNING").length === 3,
      90_000,
      500,
    );
  });

  it("rolls the service on a deployment request put on the bus (EventBridge → deploy function)", async () => {
    await cli(taskDefinition(["sleep", "3601"]));
    const bus = one(cloud.graph, TYPES.bus).name;
    const entry = {
      Source: "berth.deployments",
      DetailType: "Deployment Requested",
      EventBusName: bus,
      Detail: JSON.stringify({ cluster: "default", service: "web", taskDefinition: "app:2" }),
    };
    const put = JSON.parse(
      await awsCli(
        { url: cloud.motoEndpoint, region: cloud.partition.region, accessKeyId: "test", secretAccessKey: "test" },
        "events",
        ["put-events", "--entries", JSON.stringify([entry]), "--output", "json"],
      ),
    );
    expect(put.FailedEntryCount).toBe(0);
    await until(
      "web rolled to app:2, 3 tasks running",
      async () => {
        // An old task stops once a new one has run for the settle time (core/services/bounds.ts),
        // at the round after that: the next change or the next sweep, which AWS's schedule runs
        // every minute and this run ticks as it waits.
        await cloud.tickSchedule();
        const { services = [] } = await ecs.send(new DescribeServicesCommand({ services: ["web"] }));
        const running = (await tasksOf("web")).filter((t) => t.lastStatus === "RUNNING");
        return (
          services[0]?.taskDefinition?.endsWith(":2") &&
          services[0].deployments?.length === 1 &&
          running.length === 3 &&
          running.every((t) => t.taskDefinitionArn?.endsWith(":2"))
        );
      },
      120_000,
      2000,
    ).catch(async (error) => {
      throw new Error(`${error.message}; web now: ${await serviceSummary("web")}`);
    });
    const deployments = await until("deployment events on the bus", async () => {
      const events = await tapped("ECS Deployment State Change");
      return events.length > 0 && events;
    });
    expect(deployments[0]).toMatchObject({ source: "berth.ecs" });
  });

  it("refuses a write signed with a read-only key", async () => {
    const target = { url: cloud.apiUrl, credentials: admin };
    const reader = await createKey(target, { kind: "read-only" });
    const read = await ecsCall(target, "ListClusters", {}, reader);
    expect(read.status).toBe(200);
    const write = await ecsCall(target, "CreateCluster", { clusterName: "nope" }, reader);
    expect(write.status).toBe(400);
    expect(write.body.__type).toBe("AccessDeniedException");
  });

  it("replaces a lost host's service tasks after the grace period (the sweeper's schedule ticked)", async () => {
    const running = await tasksOf("web");
    const lost = hosts.find((h) =>
      running.some((t) => t.containerInstanceArn === h.containerInstanceArn),
    ) as AgentProcess;
    const survivor = hosts.find((h) => h !== lost) as AgentProcess;
    const onLost = running.filter((t) => t.containerInstanceArn === lost.containerInstanceArn).map((t) => t.taskArn);
    // The host goes away: its agent killed, its containers with it.
    await lost.stop("SIGKILL");
    await removeTaskContainers(docker, onLost as string[]);
    await until(
      "web's tasks all on the surviving host",
      async () => {
        await cloud.tickSchedule();
        const now = (await tasksOf("web")).filter((t) => t.lastStatus === "RUNNING");
        return now.length === 3 && now.every((t) => t.containerInstanceArn === survivor.containerInstanceArn);
      },
      120_000,
      2000,
    ).catch(async (error) => {
      throw new Error(`${error.message}; web now: ${await serviceSummary("web")}`);
    });
    const disconnected = (await tapped("ECS Container Instance State Change")).filter(
      (e) => (e.detail as Record<string, unknown>).agentConnected === false,
    );
    expect(disconnected.length).toBeGreaterThan(0);
  });

  it("parks a nudge the scheduler cannot read in the dead-letter queue after the redrive count", async () => {
    const queue = one(cloud.graph, TYPES.queue, (q) => typeof q.redrivePolicy === "string");
    const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(queue.redrivePolicy);
    const deadLetters = one(cloud.graph, TYPES.queue, (q) => q.arn === deadLetterTargetArn);
    const at = (q: Outputs) => `${cloud.motoEndpoint}/${cloud.partition.accountId}/${q.name}`;
    await tap.sqs.send(
      new SendMessageCommand({
        QueueUrl: at(queue),
        MessageBody: "not a nudge",
        MessageGroupId: "poison",
        MessageDeduplicationId: "poison-1",
      }),
    );
    const parked = await until(
      "the poison message in the dead-letter queue",
      async () => {
        const { Messages = [] } = await tap.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: at(deadLetters), MessageSystemAttributeNames: ["All"] }),
        );
        return Messages[0];
      },
      60_000,
      500,
    );
    expect(parked.Body).toBe("not a nudge");
    // Received by the scheduler's mapping maxReceiveCount times, each one reported as failed.
    expect(Number(parked.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(Number(maxReceiveCount));
  });

  it("serves the console from the stack's own HTTP API, which scales the service through the API function", async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      // The address the stack outputs, on this machine's front door.
      const consoleUrl = `${cloud.apiUrl}${new URL(String(cloud.graph.outputs.console)).pathname}`;
      await page.goto(consoleUrl);
      await page.getByLabel("Access key ID").fill(admin.accessKeyId);
      await page.getByLabel("Secret access key").fill(admin.secretAccessKey);
      // No region typed: the page names the deployment's own (the console function's AWS_REGION).
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Clusters" }).waitFor();
      await page.goto(`${consoleUrl}#/c/default/services/web`);
      await expect.poll(() => page.getByTestId("running").textContent(), { timeout: 30_000 }).toBe("3");
      await page.getByLabel("Desired count").fill("4");
      await page.getByRole("button", { name: "Scale" }).click();
      const dialog = page.getByRole("dialog", { name: "Scale" });
      await dialog.getByRole("button", { name: "Scale" }).click();
      // The call went through (a failure would stay in the dialog, as ECS worded it).
      await dialog.waitFor({ state: "hidden", timeout: 30_000 }).catch(async (error) => {
        const alert = await dialog
          .getByRole("alert")
          .textContent({ timeout: 1000 })
          .catch(() => "none");
        throw new Error(`${error.message}; the dialog's error: ${alert}`);
      });
      const { services = [] } = await ecs.send(new DescribeServicesCommand({ services: ["web"] }));
      expect(services[0]?.desiredCount).toBe(4);
      let sweptAt = Date.now();
      const running = await until(
        "4 RUNNING tasks of web",
        async () => {
          // The scale is the nudge's to carry; a step that waits for a sweep (a back-off ending)
          // gets one every 10 s here, as AWS's schedule runs one every minute.
          if (Date.now() - sweptAt >= 10_000) {
            sweptAt = Date.now();
            await cloud.tickSchedule();
          }
          const now = (await tasksOf("web")).filter((t) => t.lastStatus === "RUNNING");
          return now.length === 4 && now;
        },
        90_000,
        1000,
      ).catch(async (error) => {
        throw new Error(`${error.message}; web now: ${await serviceSummary("web")}`);
      });
      for (const task of running) {
        const [container] = await containersOfTask(docker, task.taskArn as string);
        expect(container?.State).toBe("running");
      }
      await expect.poll(() => page.getByTestId("running").textContent(), { timeout: 30_000 }).toBe("4");
      // The events function kept the tasks' events in the table: the Events page lists them
      // (ListEvents through the API function), as EventBridge alone would not.
      const started = shortTaskId(running[0].taskArn as string);
      await page.goto(`${consoleUrl}#/c/default/events`);
      await page.getByLabel("Show").selectOption("task");
      await page.getByLabel("Containing").fill(started);
      await expect
        .poll(() => page.locator("tbody").first().textContent(), { timeout: 30_000 })
        .toContain("RUNNING (desired RUNNING)");
      if (process.env.BERTH_TEST_SCREENSHOTS) {
        await page.screenshot({ path: `${process.env.BERTH_TEST_SCREENSHOTS}/cloud-events.png`, fullPage: true });
      }
    } finally {
      await browser.dispose();
    }
  });

  it("left no function error unreported: every failure the run saw is listed here", () => {
    const errors = cloud.functions.flatMap((fn) => fn.errors.map((e) => e.message));
    expect(errors).toEqual([]);
  });
});
