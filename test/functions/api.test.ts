import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { apis } from "../../core/actions/index.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { createApiHandler } from "../../functions/api/handler.ts";
import { openTestStore } from "../support/testStore.ts";

/** The API function on API Gateway (HTTP API, payload 2.0) events as API Gateway sends them. */
const event = (
  method: string,
  path: string,
  body = "",
  headers: Record<string, string> = {},
): APIGatewayProxyEventV2 => ({
  version: "2.0",
  routeKey: `${method} ${path}`,
  rawPath: path,
  rawQueryString: "",
  headers: { host: "abc123.execute-api.us-east-1.amazonaws.com", ...headers },
  body: Buffer.from(body).toString("base64"),
  isBase64Encoded: true,
  requestContext: {
    accountId: "123456789012",
    apiId: "abc123",
    domainName: "abc123.execute-api.us-east-1.amazonaws.com",
    domainPrefix: "abc123",
    http: { method, path, protocol: "HTTP/1.1", sourceIp: "192.0.2.1", userAgent: "aws-cli/2" },
    requestId: "req-1",
    routeKey: `${method} ${path}`,
    stage: "$default",
    time: "01/Jan/2026:00:00:00 +0000",
    timeEpoch: 1767225600000,
  },
});

const KEY = { accessKeyId: "AKIAAPITEST000000000", secretAccessKey: "api-test-secret" };

const handler = async () => {
  const context: ActionContext = {
    store: await openTestStore(),
    partition: { region: "us-east-1", accountId: "000000000000" },
    now: () => new Date(),
  };
  return createApiHandler({
    apis,
    context,
    lookupSecret: async (id) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined),
  });
};

/** A ListClusters event signed with KEY for `region`, as the AWS CLI would sign it. */
async function signedFor(region: string) {
  const host = "abc123.execute-api.us-east-1.amazonaws.com";
  const body = "{}";
  const signed = await new SignatureV4({ credentials: KEY, region, service: "ecs", sha256: Sha256 }).sign(
    new HttpRequest({
      method: "POST",
      hostname: host,
      path: "/",
      headers: {
        host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
      },
      body,
    }),
  );
  return event("POST", "/", body, signed.headers as Record<string, string>);
}

describe("the API function", () => {
  it("answers GET /healthz", async () => {
    const response = await (await handler())(event("GET", "/healthz"), {} as never);
    expect(response).toMatchObject({ statusCode: 200, body: "ok\n" });
  });

  it("answers an unsigned ECS call on POST / with ECS's error and the request id", async () => {
    const response = await (await handler())(
      event("POST", "/", "{}", {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters",
      }),
      {} as never,
    );
    expect(response.statusCode).toBe(403);
    expect(response.headers).toMatchObject({ "x-amzn-requestid": "req-1" });
    expect(JSON.parse(response.body as string).__type).toMatch(
      /MissingAuthenticationToken|IncompleteSignature|UnrecognizedClient/,
    );
  });

  // One deployment serves its own region, as each ECS endpoint does; local mode alone routes
  // every region to a control plane of its own (test/integration/regions.test.ts).
  it("answers a call signed for its own region and refuses one signed for another", async () => {
    const api = await handler();
    expect((await api(await signedFor("us-east-1"), {} as never)).statusCode).toBe(200);
    const refused = await api(await signedFor("eu-west-1"), {} as never);
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body as string)).toMatchObject({
      __type: "InvalidSignatureException",
      message: "Credential should be scoped to a valid region, not 'eu-west-1'. Expected 'us-east-1'.",
    });
  });
});
