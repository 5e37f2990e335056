import {
  CreateClusterCommand,
  DeregisterContainerInstanceCommand,
  DiscoverPollEndpointCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
  SubmitTaskStateChangeCommand,
} from "@aws-sdk/client-ecs";
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";

/**
 * Each container instance's wake-up queue in local mode's embedded SQS server: created at
 * registration, named by DiscoverPollEndpoint, nudged when the instance's tasks change, deleted
 * at deregistration. Read with @aws-sdk/client-sqs, as an agent does.
 */
let berth: TestBerth;
let sqs: SQSClient;
beforeAll(async () => {
  berth = await startBerth();
  // What an agent in local mode uses: the embedded endpoint, the partition's region, any key.
  sqs = new SQSClient({
    endpoint: berth.sqsEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "agent", secretAccessKey: "agent" },
  });
  await berth.ecs.send(new CreateClusterCommand({ clusterName: "wake" }));
  await berth.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "sleeper",
      containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", memory: 64 }],
    }),
  );
});
afterAll(async () => {
  sqs.destroy();
  await berth.stop();
});

async function register() {
  const { containerInstance } = await berth.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: "wake",
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
      ],
    }),
  );
  const arn = containerInstance?.containerInstanceArn as string;
  return { arn, id: arn.split("/").pop() as string };
}

const discover = (containerInstance?: string) =>
  berth.ecs.send(new DiscoverPollEndpointCommand({ cluster: "wake", containerInstance }));

/** Long-polls the queue for one message (up to `seconds`), deletes it, and returns its body. */
async function receive(queueUrl: string, seconds = 5): Promise<unknown> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: seconds, MaxNumberOfMessages: 10 }),
  );
  if (!Messages?.length) return undefined;
  for (const m of Messages)
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  return JSON.parse(Messages[0].Body as string);
}

describe("per-instance wake-up queues", () => {
  it("names the instance's queue in DiscoverPollEndpoint, the control plane for the rest", async () => {
    const { arn, id } = await register();
    const first = await discover(arn);
    expect(first.endpoint).toMatch(new RegExp(`/berth-agent-${id}$`));
    expect(first.telemetryEndpoint).toBe(berth.url);
    expect(first.serviceConnectEndpoint).toBe(berth.url);
    // Idempotent, and the queue exists already (made at registration).
    expect((await discover(id)).endpoint).toBe(first.endpoint);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `berth-agent-${id}` }));
    expect(QueueUrl).toBe(first.endpoint);
    // Without an instance there is no queue to name.
    expect((await discover()).endpoint).toBe(berth.url);
    expect((await discover("nope")).endpoint).toBe(berth.url);
  });

  it("nudges the instance when a task is placed on it and when an acknowledged task is stopped", async () => {
    const { arn, id } = await register();
    const queueUrl = (await discover(arn)).endpoint as string;
    expect(await receive(queueUrl, 0)).toBeUndefined();

    const { tasks } = await berth.ecs.send(
      new StartTaskCommand({ cluster: "wake", taskDefinition: "sleeper", containerInstances: [arn] }),
    );
    const taskArn = tasks?.[0].taskArn as string;
    expect(await receive(queueUrl)).toEqual({ type: "tasks-changed", cluster: "wake", containerInstance: id });

    // The agent acknowledges the task: its own report changes nothing it must be told of.
    await berth.ecs.send(new SubmitTaskStateChangeCommand({ cluster: "wake", task: taskArn, status: "RUNNING" }));
    expect(await receive(queueUrl, 0)).toBeUndefined();

    await berth.ecs.send(new StopTaskCommand({ cluster: "wake", task: taskArn }));
    expect(await receive(queueUrl)).toEqual({ type: "tasks-changed", cluster: "wake", containerInstance: id });
  });

  it("deletes the instance's queue when it is deregistered", async () => {
    const { arn, id } = await register();
    await discover(arn);
    await berth.ecs.send(new DeregisterContainerInstanceCommand({ cluster: "wake", containerInstance: arn }));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: `berth-agent-${id}` }))).rejects.toMatchObject({
      name: "QueueDoesNotExist",
    });
    expect((await discover(arn)).endpoint).toBe(berth.url);
  });
});
