import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqsNotifier, sqsInstanceNotifier } from "../../core/aws/sqs.ts";
import { type EmbeddedSqs, startEmbeddedSqs } from "../../local/sqs.ts";

/**
 * Nudges to one agent's queue asked for while one is being sent (concurrent launches on one
 * instance) are sent as one more, after it, on a real SQS-compatible server (fauxqs): no commit
 * goes without a message sent after it, and the queue does not get one per launch.
 */
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let sqs: EmbeddedSqs;
let client: SQSClient;
let notifier: SqsNotifier;

beforeAll(async () => {
  sqs = await startEmbeddedSqs("127.0.0.1", "us-east-1");
  client = new SQSClient({ endpoint: sqs.endpoint, region: "us-east-1", credentials });
  notifier = sqsInstanceNotifier({
    endpoint: sqs.endpoint,
    region: "us-east-1",
    credentials,
    queuePrefix: "coalesce-",
  });
});
afterAll(async () => {
  await notifier.close();
  client.destroy();
  await sqs.stop();
});

/** Every message in the queue now (fauxqs answers at once when there are none). */
async function drain(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body as string));
  }
}

describe("nudges to one instance", () => {
  it("asked for during a send are one more message after it; a later nudge is its own", async () => {
    const url = await notifier.queueFor("default", "ci-1");
    await Promise.all(Array.from({ length: 8 }, () => notifier.nudge("default", "ci-1")));
    const body = JSON.stringify({ type: "tasks-changed", cluster: "default", containerInstance: "ci-1" });
    expect(await drain(url)).toEqual([body, body]);

    await notifier.nudge("default", "ci-1");
    expect(await drain(url)).toEqual([body]);
  });

  it("to different instances are not joined", async () => {
    const urls = await Promise.all(["ci-2", "ci-3"].map((id) => notifier.queueFor("default", id)));
    await Promise.all([notifier.nudge("default", "ci-2"), notifier.nudge("default", "ci-3")]);
    expect((await drain(urls[0])).length).toBe(1);
    expect((await drain(urls[1])).length).toBe(1);
  });
});
