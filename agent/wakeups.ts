import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { abortableSleep, jitteredBackoff } from "./backoff.ts";
import type { AgentConfig } from "./config.ts";
import { describeError, type Logger } from "./log.ts";

/**
 * Wake-ups from the control plane: long-polls this instance's SQS queue (its URL comes from
 * DiscoverPollEndpoint) and calls `onNudge` when anything arrives, deleting the messages only
 * after it returns. Messages are nudges, not orders: their content is ignored, and losing one
 * only delays the work to the next heartbeat (whose digest shows the change) or periodic sync.
 */
export interface WakeupDeps {
  config: AgentConfig;
  log: Logger;
  /** The queue URL (DiscoverPollEndpoint), asked again after repeated failures. */
  discover(): Promise<string>;
  onNudge(): Promise<void>;
}

const WAIT_SECONDS = 20;

export function startWakeups(deps: WakeupDeps): { close(): void } {
  const abort = new AbortController();
  void (async () => {
    let failures = 0;
    let queueUrl: string | undefined;
    let sqs: SQSClient | undefined;
    while (!abort.signal.aborted) {
      try {
        if (!queueUrl || !sqs) {
          queueUrl = await deps.discover();
          if (!isQueueUrl(queueUrl)) {
            deps.log.warn(
              `DiscoverPollEndpoint answered ${queueUrl}, which is not an SQS queue URL: relying on the periodic sync alone (the control plane is older than this agent).`,
            );
            return;
          }
          sqs?.destroy();
          sqs = sqsClient(deps.config, queueUrl);
          deps.log.info(`listening for wake-ups on ${queueUrl}`);
        }
        const received = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: WAIT_SECONDS, MaxNumberOfMessages: 10 }),
          { abortSignal: abort.signal },
        );
        failures = 0;
        const messages = received.Messages ?? [];
        if (messages.length === 0) continue;
        deps.log.debug(`wake-up: ${messages.length} message(s)`);
        await deps.onNudge();
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      } catch (error) {
        if (abort.signal.aborted) break;
        failures++;
        const delay = jitteredBackoff(failures) + 1000;
        deps.log.warn(
          `receiving wake-ups from ${queueUrl ?? "the poll endpoint"} failed (${describeError(error)}); retrying in ${Math.round(delay / 1000)} s. Tasks still sync when a heartbeat shows a change.`,
        );
        // After a few failures the queue may be gone (instance re-registered): ask for it again.
        if (failures >= 3) queueUrl = undefined;
        await abortableSleep(delay, abort.signal);
      }
    }
    sqs?.destroy();
  })();
  return { close: () => abort.abort() };
}

/** An SQS queue URL: `<endpoint>/<account id>/<queue name>`. */
const isQueueUrl = (url: string) => URL.canParse(url) && /^\/\d{12}\/[^/]+\/?$/.test(new URL(url).pathname);

/**
 * A client for the queue's own endpoint. On AWS the host's own credentials reach SQS; a queue off
 * AWS (local mode's embedded server) takes the agent's key, which it does not check. A queue URL
 * under `*.localhost` (how SQS emulators name a region's host) means this machine (RFC 6761), but
 * the system resolver may not know the name: such a queue is reached at 127.0.0.1, named in the
 * request rather than by the URL's host.
 */
function sqsClient(config: AgentConfig, queueUrl: string): SQSClient {
  const url = new URL(queueUrl);
  const onAws = url.hostname.endsWith(".amazonaws.com");
  const loopback = url.hostname === "localhost" || url.hostname.endsWith(".localhost");
  if (loopback) url.hostname = "127.0.0.1";
  return new SQSClient({
    region: config.region,
    endpoint: url.origin,
    useQueueUrlAsEndpoint: !loopback,
    credentials: onAws ? undefined : (config.credentials ?? { accessKeyId: "berth", secretAccessKey: "berth" }),
  });
}
