import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import type { ActionContext } from "../core/actions/context.ts";
import { actions } from "../core/actions/index.ts";
import type { Store } from "../core/store/port.ts";
import { openSqliteStore } from "../core/store/sqlite.ts";
import { createApiHandler } from "../functions/api/handler.ts";
import type { LocalOptions } from "./config.ts";
import { type AccessKey, loadLocalAccessKey } from "./credentials.ts";

export interface RunningLocal {
  url: string;
  credentials: AccessKey & { source: string };
  store: Store;
  close(): Promise<void>;
}

/**
 * Local mode: the API function behind a plain HTTP server, as API Gateway would call it, over
 * the SQLite store in the data dir.
 */
export async function startLocal(options: LocalOptions): Promise<RunningLocal> {
  mkdirSync(options.dataDir, { recursive: true });
  const credentials = loadLocalAccessKey(options.dataDir);
  const store = await openSqliteStore(join(options.dataDir, "berth.sqlite"));
  const context: ActionContext = { store, partition: options.partition, now: () => new Date() };
  const handler = createApiHandler({
    actions,
    context,
    lookupSecret: async (id) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined),
    onServerError: (error, operation) => console.error(`berth: ${operation ?? "request"} failed:`, error),
  });

  const server = createServer(async (req, res) => {
    try {
      const result = await handler(await toEvent(req), lambdaContext());
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.body);
    } catch (error) {
      console.error("berth: request failed:", error);
      res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify({ __type: "ServerException", message: "Service encountered an internal error." }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  context.endpoint = url;
  return {
    url,
    credentials,
    store,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await store.close();
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
