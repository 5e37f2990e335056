import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { apis } from "../core/actions/index.ts";
import type { KeyEncryptionKeyProvider } from "../core/auth/keyEncryptionKey.ts";
import { autoScalingGroupsAt } from "../core/aws/autoScaling.ts";
import { ec2IdentityCheck } from "../core/aws/ec2.ts";
import { targetGroupsAt } from "../core/aws/elbv2.ts";
import { type SqsNotifier, sqsInstanceNotifier } from "../core/aws/sqs.ts";
import { alsoStored } from "../core/events/stored.ts";
import type { ActionContext } from "../core/operations/context.ts";
import { launchQueue } from "../core/operations/launchQueue.ts";
import type { Store } from "../core/store/port.ts";
import { createApiHandler } from "../functions/api/handler.ts";
import type { LocalAccess } from "./access.ts";
import { withChangeFeed } from "./changeFeed.ts";
import type { LocalOptions } from "./config.ts";
import type { AccessKey } from "./credentials.ts";
import { localEventBus } from "./eventBus.ts";
import { type EventRing, eventRing } from "./eventRing.ts";
import { localEvents } from "./events.ts";
import { type LocalScheduler, startLocalScheduler } from "./scheduler.ts";

/** One region's control plane in local mode, as a regional ECS endpoint would be. */
export interface RegionPlane {
  region: string;
  store: Store;
  context: ActionContext;
  /** What its events function published and what its PutEvents received. */
  events: EventRing & { drained(): Promise<void> };
  handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2>;
  close(): Promise<void>;
}

/** What every region's control plane shares: the keys, and the embedded SQS server (queues are per region there). */
export interface SharedParts {
  options: LocalOptions;
  accessFor: LocalAccess["accessFor"];
  keyEncryptionKey: KeyEncryptionKeyProvider;
  /** The admin key, which signs the control plane's own SQS calls (the embedded server checks no signature). */
  credentials: AccessKey;
  sqsEndpoint: string;
  /** This server's URL once it listens (DiscoverPollEndpoint's telemetry endpoint). */
  endpoint?: string;
}

/**
 * A region's control plane over its store: its own context (ARNs carry the region), access
 * control, wake-up queues and service scheduler queue (in the region on the embedded SQS
 * server), sweeper, events and API function. `wrapStore` puts the region's store in front of the
 * change feed (another region's shares the account's keys: local/regionalStore.ts).
 */
export async function openRegionPlane(
  region: string,
  rawStore: Store,
  shared: SharedParts,
  wrapStore: (store: Store) => Store = (store) => store,
): Promise<RegionPlane> {
  const { options, credentials } = shared;
  const partition = { region, accountId: options.partition.accountId };
  const ring = eventRing();
  const events = localEvents(alsoStored(rawStore, ring), partition, (error) =>
    console.error(`berth: events in ${region} failed:`, error),
  );
  const store = wrapStore(withChangeFeed(rawStore, events.feed));
  const sqs = { endpoint: shared.sqsEndpoint, region, credentials: signingKey(credentials) };
  const notifier = sqsInstanceNotifier(sqs);
  const context: ActionContext = {
    store,
    partition,
    now: () => new Date(),
    endpoint: shared.endpoint,
    agentHeartbeatIntervalMs: options.agentHeartbeatSeconds * 1000,
    notifier,
    launchQueue: launchQueue(),
    onBackgroundError: (error, what) => console.error(`berth: ${what} failed:`, error),
    keyEncryptionKey: shared.keyEncryptionKey,
    instanceIdentityCheck: ec2IdentityCheck(options.ec2Identity, partition),
    targetGroups: options.elbv2 && targetGroupsAt(partition, options.elbv2),
    autoScalingGroups: options.autoScaling && autoScalingGroupsAt(partition, options.autoScaling),
  };
  let scheduler: LocalScheduler;
  try {
    scheduler = await startLocalScheduler(context, sqs, options.scheduler);
  } catch (error) {
    await closeAll(notifier, store);
    throw error;
  }
  const handler = createApiHandler({
    apis: [...apis, localEventBus(context, ring)],
    context,
    access: shared.accessFor(store, partition),
    onServerError: (error, operation) => console.error(`berth: ${operation ?? "request"} failed:`, error),
  });
  return {
    region,
    store,
    context,
    events: { ...ring, drained: events.drained },
    handler: (event, lambdaContext) => handler(event, lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>,
    async close() {
      await scheduler.stop();
      await closeAll(notifier, store);
    },
  };
}

const signingKey = ({ accessKeyId, secretAccessKey }: AccessKey) => ({ accessKeyId, secretAccessKey });

async function closeAll(notifier: SqsNotifier, store: Store) {
  await notifier.close();
  await store.close();
}
