import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { selectRoute } from "./routeSelection.ts";

/**
 * API Gateway's HTTP API, as the graph declares it: its routes (`POST /`, `GET /healthz`,
 * `GET /console/{proxy+}`, chosen as API Gateway chooses, routeSelection.ts), each an AWS_PROXY integration with payload format 2.0, in front of a function. Served in plain HTTP
 * on 127.0.0.1 (the API's own hostname is routed here, network/awsHosts.mjs). A request no route
 * matches gets API Gateway's 404 without reaching the function; a function that fails, its 500.
 */
export interface Route {
  /** `METHOD /path`, or `$default`. */
  routeKey: string;
  invoke(event: APIGatewayProxyEventV2): Promise<unknown>;
}

export interface HttpApi {
  /** Where it listens: http://127.0.0.1:<port>. */
  url: string;
  close(): Promise<void>;
}

export async function startHttpApi(api: { id: string; domainName: string; accountId: string; routes: Route[] }) {
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url ?? "/", "http://api");
    const method = req.method ?? "GET";
    const match = selectRoute(api.routes, method, url.pathname);
    const reply = (status: number, headers: Record<string, string>, text: string) => {
      res.writeHead(status, { "apigw-requestid": requestId, ...headers });
      res.end(text);
    };
    const requestId = randomUUID();
    if (!match) return reply(404, { "content-type": "application/json" }, '{"message":"Not Found"}');
    try {
      const event = eventOf(req, url, body, match.route.routeKey, requestId, api);
      const result = await match.route.invoke({ ...event, pathParameters: match.pathParameters });
      const { statusCode, headers, text } = responseOf(result);
      reply(statusCode, headers, text);
    } catch {
      // The function's own error is in its log (lambda/); the client sees what API Gateway sends.
      reply(500, { "content-type": "application/json" }, '{"message":"Internal Server Error"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies HttpApi;
}

function eventOf(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  requestId: string,
  api: { id: string; domainName: string; accountId: string },
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === "cookie") cookies.push(...String(value).split("; "));
    else headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  // The client's Host header stays: it is signed (SigV4), and on AWS it is the API's own domain.
  const text = body.toString("utf8");
  const binary = body.length > 0 && !Buffer.from(text, "utf8").equals(body);
  const now = new Date();
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  return {
    version: "2.0",
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(url.search && { queryStringParameters: query }),
    requestContext: {
      accountId: api.accountId,
      apiId: api.id,
      domainName: api.domainName,
      domainPrefix: api.domainName.split(".")[0],
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId,
      routeKey,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: binary ? body.toString("base64") : text }),
    isBase64Encoded: binary,
  } as APIGatewayProxyEventV2;
}

/** Payload 2.0's response: a structured result, or any other value as a JSON 200. */
function responseOf(result: unknown): { statusCode: number; headers: Record<string, string>; text: string } {
  const r = result as APIGatewayProxyStructuredResultV2 | null;
  if (r && typeof r === "object" && "statusCode" in r) {
    const text = r.isBase64Encoded && r.body ? Buffer.from(r.body, "base64").toString() : (r.body ?? "");
    return { statusCode: r.statusCode ?? 200, headers: (r.headers ?? {}) as Record<string, string>, text };
  }
  return { statusCode: 200, headers: { "content-type": "application/json" }, text: JSON.stringify(result) };
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
