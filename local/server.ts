import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { asEcsError, EcsError } from "../core/protocol/errors.ts";
import { respondError } from "../core/protocol/handle.ts";
import { credentialScope, verifySigV4 } from "../core/protocol/sigv4.ts";
import type { Store } from "../core/store/port.ts";
import { rawRequestOf } from "../functions/api/handler.ts";
import { type LocalAccess, localAccess } from "./access.ts";
import type { LocalOptions } from "./config.ts";
import { consoleRoute } from "./console.ts";
import type { AccessKey } from "./credentials.ts";
import type { EventRing } from "./eventRing.ts";
import { withSharedAccess } from "./regionalStore.ts";
import { openRegionPlane, type RegionPlane, type SharedParts } from "./regionPlane.ts";
import { isRegionName, regionRegistry } from "./regions.ts";
import { type EmbeddedSqs, startEmbeddedSqs } from "./sqs.ts";
import { openStore, regionsInStore } from "./store.ts";

export interface RunningLocal {
  url: string;
  /** The web console's address: `<url>/console/`. */
  consoleUrl: string;
  credentials: AccessKey & { source: string };
  /** The `default` cluster's bootstrap token (`<id>:<secret>`), which agents join with. */
  bootstrapToken: { token: string; source: string };
  /** The default region's store. */
  store: Store;
  /**
   * The SQS server holding the agents' wake-up queues, embedded unless the options name one
   * (DiscoverPollEndpoint names an instance's queue). An agent's SQS client must use it as its
   * endpoint, the region it signs its ECS calls for (it is part of each queue's identity), and
   * any static credentials.
   */
  sqsEndpoint: string;
  /** What the default region's events function published (ECS events from the store's changes) and what PutEvents received. */
  events: EventRing & { drained(): Promise<void> };
  /** The regions whose control planes run, the default one first. */
  regions(): string[];
  close(): Promise<void>;
}

/**
 * Local mode: the API function behind a plain HTTP server, as API Gateway would call it, one
 * control plane per region (local/regionPlane.ts), each over its own namespace of the store
 * chosen in the options (SQLite in the data dir by default), with an embedded SQS server for the
 * agents' wake-ups and the service schedulers' queues (or the SQS server the options name). A request goes to the region its
 * signature names; the default region's plane runs from the start, another's from the first
 * request validly signed for it with one of the account's keys (or from the start when it has records).
 */
export async function startLocal(options: LocalOptions): Promise<RunningLocal> {
  mkdirSync(options.dataDir, { recursive: true });
  const home = options.partition.region;
  const homeStore = await openStore(options);
  let sqs: EmbeddedSqs | undefined;
  let access: LocalAccess;
  let homePlane: RegionPlane;
  let shared: SharedParts;
  try {
    access = await localAccess(options, homeStore);
    if (!options.sqsEndpoint) sqs = await startEmbeddedSqs(options.host, home);
    const sqsEndpoint = options.sqsEndpoint ?? (sqs as EmbeddedSqs).endpoint;
    const { accessFor, keyEncryptionKey, admin } = access;
    shared = { options, accessFor, keyEncryptionKey, credentials: admin, sqsEndpoint };
    homePlane = await openRegionPlane(home, homeStore, shared);
  } catch (error) {
    await sqs?.stop();
    await homeStore.close();
    throw error;
  }
  // The account's keys as the default region's plane reads them (a rotated bootstrap token included).
  const accountKeys = access.accessFor(homePlane.store, options.partition);
  const accountSecret = async (accessKeyId: string) => (await accountKeys.key(accessKeyId))?.secretAccessKey;
  const others = regionRegistry(async (region) =>
    openRegionPlane(region, await openStore(options, region), shared, (store) =>
      withSharedAccess(store, homePlane.store),
    ),
  );
  const route = async (event: APIGatewayProxyEventV2): Promise<RegionPlane | APIGatewayProxyStructuredResultV2> => {
    const scope = credentialScope(event.headers.authorization);
    // Unsigned and malformed requests, and the default region's, are the default plane's to answer.
    if (!scope || scope.region === home) return homePlane;
    if (!isRegionName(scope.region)) return invalidRegion(scope.region, event);
    if (others.has(scope.region)) return others.get(scope.region);
    // A region is opened for a request signed with a key of the account (a region's own instance
    // keys exist only once it is open), so that a bad request opens nothing and gets the error
    // its region's plane would answer.
    const refused = await verifySigV4(rawRequestOf(event), accountSecret, new Date()).then(
      () => undefined,
      (error: unknown) => errorResponse(asEcsError(error), event),
    );
    return refused ?? others.get(scope.region);
  };

  const webConsole = consoleRoute(options.partition.region, (error) =>
    console.error("berth: building the console failed:", error),
  );
  const server = createServer(async (req, res) => {
    try {
      if (await webConsole(req, res)) return;
      const event = await toEvent(req);
      const plane = await route(event);
      const result = "handler" in plane ? await plane.handler(event, lambdaContext()) : plane;
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.body);
    } catch (error) {
      console.error("berth: request failed:", error);
      res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "ServerException", message: "Service encountered an internal error." }));
    }
  });
  const closeBackends = async () => {
    await others.close();
    await homePlane.close();
    await sqs?.stop();
  };
  let url: string;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    url = `http://${options.host}:${port}`;
    homePlane.context.endpoint = url;
    shared.endpoint = url;
    // Regions with records already run from the start: their services, sweeps and agents carry on.
    for (const region of await regionsInStore(options, isRegionName)) await others.get(region);
  } catch (error) {
    server.close();
    await closeBackends();
    throw error;
  }
  return {
    url,
    consoleUrl: `${url}/console/`,
    credentials: access.admin,
    bootstrapToken: { token: access.bootstrap.token, source: access.bootstrap.source },
    store: homePlane.store,
    sqsEndpoint: shared.sqsEndpoint,
    events: homePlane.events,
    regions: () => [home, ...others.regions()],
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closeBackends();
    },
  };
}

/**
 * A credential scope naming no region of the partition: refused as AWS refuses a signature
 * scoped to a region its endpoint does not serve, before anything is opened for it.
 */
const invalidRegion = (region: string, event: APIGatewayProxyEventV2) =>
  errorResponse(
    new EcsError(
      "InvalidSignatureException",
      `Credential should be scoped to a valid region, not '${region}'. Berth serves the regions of the aws partition, such as us-east-1 or eu-west-1.`,
    ),
    event,
  );

function errorResponse(error: EcsError, event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  const response = respondError(error, event.requestContext.requestId);
  return { statusCode: response.status, headers: response.headers, body: response.body };
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
