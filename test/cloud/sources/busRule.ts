import { type EventBridgeClient, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { EventSource } from "./sqsSource.ts";

/**
 * An EventBridge rule whose target is a function, as the graph declares it. moto's EventBridge
 * matches rules' patterns on PutEvents (its matcher, not ours) and delivers to SQS targets, but
 * invokes no function: so the rule's target here is a delivery queue in moto, which this source
 * drains into the function, one event per invocation (EventBridge invokes asynchronously with the
 * event as the payload). A failed invocation is retried later, as EventBridge retries.
 */
export interface BusRuleConfig {
  events: EventBridgeClient;
  sqs: SQSClient;
  busName: string;
  ruleName: string;
  targetId: string;
  invoke(event: unknown): Promise<unknown>;
}

export async function startBusRule(config: BusRuleConfig): Promise<EventSource> {
  const { QueueUrl } = await config.sqs.send(
    new CreateQueueCommand({ QueueName: `eventbridge-delivery-${config.targetId}`.slice(0, 80) }),
  );
  const { Attributes } = await config.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  await config.events.send(
    new PutTargetsCommand({
      Rule: config.ruleName,
      EventBusName: config.busName,
      Targets: [{ Id: config.targetId, Arn: Attributes?.QueueArn }],
    }),
  );
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const { Messages = [] } = await config.sqs
        .send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, VisibilityTimeout: 2 }))
        .catch(() => ({ Messages: [] }));
      for (const m of Messages) {
        try {
          await config.invoke(JSON.parse(m.Body ?? "{}"));
          await config.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
        } catch {
          // Left on the queue: it comes back after its visibility timeout, and is tried again.
        }
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}
