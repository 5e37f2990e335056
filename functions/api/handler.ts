import { randomUUID } from "node:crypto";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { EcsError } from "../../core/protocol/errors.ts";
import { handleEcsRequest, type ProtocolDeps, respondError } from "../../core/protocol/handle.ts";
import type { RawRequest } from "../../core/protocol/sigv4.ts";

/**
 * The API function: an API Gateway (HTTP API, payload v2) event in, the ECS protocol's answer
 * out. Local mode's HTTP server builds the same event and calls the same handler.
 */
export function createApiHandler(deps: ProtocolDeps) {
  const handle = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? randomUUID();
    const method = event.requestContext?.http?.method ?? "POST";
    if (method === "GET" && event.rawPath === "/healthz") {
      return { statusCode: 200, headers: { "content-type": "text/plain" }, body: "ok\n" };
    }
    const response =
      method === "POST" && event.rawPath === "/"
        ? await handleEcsRequest(rawRequestOf(event), deps, requestId)
        : respondError(
            new EcsError("UnknownOperationException", `No route for ${method} ${event.rawPath}.`, 404),
            requestId,
          );
    return { statusCode: response.status, headers: response.headers, body: response.body };
  };
  return middy(handle);
}

/** The HTTP request an API Gateway event carries, as it arrived (what its signature covers). */
export function rawRequestOf(event: APIGatewayProxyEventV2): RawRequest {
  const body =
    event.body && event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : (event.body ?? "");
  return {
    method: event.requestContext?.http?.method ?? "POST",
    path: event.rawPath,
    query: parseQuery(event.rawQueryString),
    headers: lowerCase(event.headers),
    body,
  };
}

const lowerCase = (headers: Record<string, string | undefined> = {}) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

function parseQuery(raw: string | undefined): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw ?? "")) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return query;
}
