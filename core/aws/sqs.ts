import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import { type InstanceNotifier, nudgeBody, type QueueReader } from "../notify/instanceNotifier.ts";
import { type AgentQueuePolicyOptions, agentQueuePolicy } from "./agentQueuePolicy.ts";

/**
 * The InstanceNotifier over Amazon SQS (or anything that speaks its API, as local mode's
 * embedded fauxqs does): one standard queue per container instance. The only module of core/
 * that touches the SQS SDK.
 */
export interface SqsNotifierOptions extends SQSClientConfig {
  /** Queue names are `<prefix><instanceId>`; a prefix of its own keeps two deployments in one account apart. */
  queuePrefix?: string;
  /** On AWS: each queue readable only by its instance's agent (agentQueuePolicy.ts); no policy when absent. */
  queuePolicy?: AgentQueuePolicyOptions;
}

export interface SqsNotifier extends InstanceNotifier {
  /** Waits for the nudges under way (they are sent without waiting), then releases the client. */
  close(): Promise<void>;
}

/**
 * Queue attributes, the same on every CreateQueue (SQS refuses to re-create a queue with other
 * ones): a nudge older than a few minutes is worthless, since the agent's next heartbeat shows
 * the change anyway (its digest of the tasks placed there); receives long-poll by default.
 */
const QUEUE_ATTRIBUTES = { MessageRetentionPeriod: "300", ReceiveMessageWaitTimeSeconds: "20" };

/** SQS queue names: at most 80 characters of letters, digits, hyphens and underscores. */
export function instanceQueueName(prefix: string, instanceId: string): string {
  return `${prefix}${instanceId}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 80);
}

export function sqsInstanceNotifier({
  queuePrefix = "berth-agent-",
  queuePolicy,
  ...config
}: SqsNotifierOptions): SqsNotifier {
  const client = new SQSClient(config);
  // Queue URLs by name: a nudge (the frequent call) then costs one SendMessage.
  const urls = new Map<string, string>();
  const nameOf = (instanceId: string) => instanceQueueName(queuePrefix, instanceId);
  // The EC2 instance each queue's policy was last written for by this process: written again only when it changes.
  const policies = new Map<string, string>();
  const inFlight = new Set<Promise<unknown>>();
  const tracked = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };

  /** Per queue, the nudge being sent and whether another was asked for since it started. */
  const sending = new Map<string, { again: boolean; done: Promise<void> }>();

  async function send(cluster: string, instanceId: string, name: string): Promise<void> {
    const url = await existingUrl(name);
    if (!url) return;
    try {
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: nudgeBody(cluster, instanceId) }));
    } catch (error) {
      // Deleted since it was looked up (the instance was deregistered): nobody listens any more.
      urls.delete(name);
      if (!isMissingQueue(error)) throw error;
    }
  }

  async function existingUrl(name: string): Promise<string | undefined> {
    const cached = urls.get(name);
    if (cached) return cached;
    try {
      const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
      if (QueueUrl) urls.set(name, QueueUrl);
      return QueueUrl;
    } catch (error) {
      if (isMissingQueue(error)) return undefined;
      throw error;
    }
  }

  /** Sets the queue's Policy (SetQueueAttributes rather than CreateQueue's: SQS refuses to re-create a queue with other attributes). */
  async function restrict(url: string, reader: QueueReader, policy: AgentQueuePolicyOptions) {
    const host = reader.ec2InstanceId ?? "";
    if (policies.get(url) === host) return;
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
    );
    const queueArn = Attributes?.QueueArn;
    if (!queueArn) throw new Error(`GetQueueAttributes of ${url} answered no QueueArn.`);
    const text = agentQueuePolicy(
      policy,
      queueArn,
      reader.ec2InstanceId && ec2InstanceArn(queueArn, reader.ec2InstanceId),
    );
    await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: text } }));
    policies.set(url, host);
  }

  return {
    async queueFor(_cluster, instanceId, reader) {
      const name = nameOf(instanceId);
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: QUEUE_ATTRIBUTES }));
      if (!QueueUrl) throw new Error(`CreateQueue of ${name} answered no QueueUrl.`);
      urls.set(name, QueueUrl);
      if (queuePolicy && reader) await restrict(QueueUrl, reader, queuePolicy);
      return QueueUrl;
    },

    nudge(cluster, instanceId) {
      const name = nameOf(instanceId);
      // A nudge asked for while one to the same queue is being sent joins it: one more is sent
      // after that one (whatever number asked meanwhile), so each commit is still followed by a
      // message sent after it, and concurrent launches on one instance do not send one each.
      const under = sending.get(name);
      if (under) {
        under.again = true;
        return under.done;
      }
      const state = { again: false, done: Promise.resolve() };
      state.done = tracked(
        (async () => {
          try {
            do {
              state.again = false;
              await send(cluster, instanceId, name);
            } while (state.again);
          } finally {
            sending.delete(name);
          }
        })(),
      );
      sending.set(name, state);
      return state.done;
    },

    async remove(_cluster, instanceId) {
      const name = nameOf(instanceId);
      const url = await existingUrl(name);
      urls.delete(name);
      if (url) policies.delete(url);
      if (!url) return;
      try {
        await client.send(new DeleteQueueCommand({ QueueUrl: url }));
      } catch (error) {
        if (!isMissingQueue(error)) throw error;
      }
    },

    async close() {
      await Promise.allSettled(inFlight);
      client.destroy();
    },
  };
}

/** The JSON protocol names the error QueueDoesNotExist; the older query protocol AWS.SimpleQueueService.NonExistentQueue. */
const isMissingQueue = (error: unknown) =>
  error instanceof Error && (error.name === "QueueDoesNotExist" || error.name.endsWith("NonExistentQueue"));

/** The instance's ARN, in the queue's partition, Region and account (the agent hosts' own). */
function ec2InstanceArn(queueArn: string, ec2InstanceId: string): string {
  const [, partition, , region, account] = queueArn.split(":");
  return `arn:${partition}:ec2:${region}:${account}:instance/${ec2InstanceId}`;
}
