import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { apis } from "../core/actions/index.ts";
import { ec2IdentityCheck } from "../core/aws/ec2.ts";
import { targetGroupsAt } from "../core/aws/elbv2.ts";
import { sqsInstanceNotifier } from "../core/aws/sqs.ts";
import type { ActionContext } from "../core/operations/context.ts";
import type { Store } from "../core/store/port.ts";
import { createApiHandler } from "../functions/api/handler.ts";
import { localAccess } from "./access.ts";
import { withChangeFeed } from "./changeFeed.ts";
import type { LocalOptions } from "./config.ts";
import { consoleRoute } from "./console.ts";
import type { AccessKey } from "./credentials.ts";
import { localEventBus } from "./eventBus.ts";
import { type EventRing, eventRing } from "./eventRing.ts";
import { localEvents } from "./events.ts";
import { withListEvents } from "./eventsAction.ts";
import { startLocalScheduler } from "./scheduler.ts";
import { startEmbeddedSqs } from "./sqs.ts";
import { openStore } from "./store.ts";

export interface RunningLocal {
  url: string;
  /** The web console's address: `<url>/console/`. */
  consoleUrl: string;
  credentials: AccessKey & { source: string };
  /** The `default` cluster's bootstrap token (`<id>:<secret>`), which agents join with. */
  bootstrapToken: { token: string; source: string };
  store: Store;
  /**
   * The embedded SQS server holding the agents' wake-up queues (DiscoverPollEndpoint names an
   * instance's queue). An agent's SQS client must use it as its endpoint, the region of the
   * partition (it is part of each queue's identity), and any static credentials.
   */
  sqsEndpoint: string;
  /** What the events function published (ECS events from the store's changes) and what PutEvents received. */
  events: EventRing & { drained(): Promise<void> };
  close(): Promise<void>;
}

/**
 * Local mode: the API function behind a plain HTTP server, as API Gateway would call it, over
 * the store chosen in the options (SQLite in the data dir by default), with an embedded SQS
 * server for the agents' wake-ups and the service scheduler's queue (local/scheduler.ts). The
 * events function runs on the store's change feed, and the deploy function on PutEvents calls
 * to the same endpoint (local/eventBus.ts), as EventBridge would run them.
 */
export async function startLocal(options: LocalOptions): Promise<RunningLocal> {
  mkdirSync(options.dataDir, { recursive: true });
  const ring = eventRing();
  const events = localEvents(ring, options.partition, (error) => console.error("berth: events failed:", error));
  const store = withChangeFeed(await openStore(options), events.feed);
  const { access, keyEncryptionKey, admin: credentials, bootstrap } = await localAccess(options, store);
  const sqs = await startEmbeddedSqs(options.host, options.partition.region);
  const notifier = sqsInstanceNotifier({
    endpoint: sqs.endpoint,
    region: options.partition.region,
    // The embedded server checks no signature; the local key is as good as any.
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  });
  const context: ActionContext = {
    store,
    partition: options.partition,
    now: () => new Date(),
    agentHeartbeatIntervalMs: options.agentHeartbeatSeconds * 1000,
    notifier,
    onBackgroundError: (error, what) => console.error(`berth: ${what} failed:`, error),
    keyEncryptionKey,
    instanceIdentityCheck: ec2IdentityCheck(options.ec2Identity, options.partition),
    targetGroups: options.elbv2 && targetGroupsAt(options.partition, options.elbv2),
  };
  const scheduler = await startLocalScheduler(
    context,
    { endpoint: sqs.endpoint, region: options.partition.region, credentials },
    options.scheduler,
  );
  const handler = createApiHandler({
    apis: [...withListEvents(apis, ring), localEventBus(context, ring)],
    context,
    access,
    onServerError: (error, operation) => console.error(`berth: ${operation ?? "request"} failed:`, error),
  });

  const webConsole = consoleRoute((error) => console.error("berth: building the console failed:", error));
  const server = createServer(async (req, res) => {
    try {
      if (await webConsole(req, res)) return;
      const result = await handler(await toEvent(req), lambdaContext());
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.body);
    } catch (error) {
      console.error("berth: request failed:", error);
      res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "ServerException", message: "Service encountered an internal error." }));
    }
  });
  const closeBackends = async () => {
    await scheduler.stop();
    await notifier.close();
    await sqs.stop();
    await store.close();
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  }).catch(async (error) => {
    await closeBackends();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  context.endpoint = url;
  return {
    url,
    consoleUrl: `${url}/console/`,
    credentials,
    bootstrapToken: { token: bootstrap.token, source: bootstrap.source },
    store,
    sqsEndpoint: sqs.endpoint,
    events: { ...ring, drained: events.drained },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closeBackends();
    },
  };
}

async function toEvent(req: IncomingMessage): Promise<APIGatewayProxyEventV2> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? "/", "http://local");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const requestId = randomUUID();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    body: Buffer.concat(chunks).toString("utf8"),
    isBase64Encoded: false,
    requestContext: {
      requestId,
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: req.socket.remoteAddress ?? "",
        userAgent: headers["user-agent"] ?? "",
      },
    },
  } as APIGatewayProxyEventV2;
}

const lambdaContext = () => ({ awsRequestId: randomUUID() }) as Context;
