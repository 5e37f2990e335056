import { Sha256 } from "@aws-crypto/sha256-js";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { rawCall, type Signing } from "../support/rawCall.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
});
afterAll(() => berth.stop());

const TARGET = "AmazonEC2ContainerServiceV20141113";

/** A raw ECS call, signed (or not) as a test needs, so every protocol edge can be reached. */
const call = (operation: string, body: string, sign: Signing | false = {}) =>
  rawCall(berth, `${TARGET}.${operation}`, body, sign);

const clusterCount = async () => (await berth.ecs.send(new ListClustersCommand({}))).clusterArns?.length;

describe("authentication", () => {
  it("accepts a request signed for the ecs or the execute-api service", async () => {
    expect((await call("ListClusters", "{}")).status).toBe(200);
    expect((await call("ListClusters", "{}", { service: "execute-api" })).status).toBe(200);
  });

  it.each([
    ["unsigned", false, 403, "MissingAuthenticationTokenException"],
    ["an unknown key", { keyId: "AKIAUNKNOWNUNKNOWN00" }, 400, "UnrecognizedClientException"],
    ["a wrong secret", { secret: "wrong" }, 400, "InvalidSignatureException"],
    ["another service's scope", { service: "s3" }, 400, "InvalidSignatureException"],
    ["a timestamp 20 minutes old", { date: new Date(Date.now() - 20 * 60 * 1000) }, 400, "InvalidSignatureException"],
    ["a timestamp 20 minutes ahead", { date: new Date(Date.now() + 20 * 60 * 1000) }, 400, "InvalidSignatureException"],
    // Local mode answers every region of the aws partition (test/integration/regions.test.ts), not another partition's.
    ["another partition's region", { region: "cn-north-1" }, 400, "InvalidSignatureException"],
  ] as const)("refuses %s and changes nothing", async (_, sign, status, type) => {
    const before = await clusterCount();
    const response = await call("CreateCluster", '{"clusterName":"sneaky"}', sign);
    expect(response.status).toBe(status);
    expect(response.body.__type).toBe(type);
    expect(response.requestId).toBeTruthy();
    expect(await clusterCount()).toBe(before);
  });

  it("refuses a body changed after signing", async () => {
    const response = await tamper(() => {}, '{"clusterName":"b"}');
    expect(response).toMatchObject({ status: 400, body: { __type: "InvalidSignatureException" } });
  });
});

/**
 * A CreateCluster request signed over host, x-amz-target and x-berth-extra, then sent with its
 * headers altered by `change` and with `sentBody`.
 */
async function tamper(change: (headers: Record<string, string>) => void, sentBody = '{"clusterName":"tampered"}') {
  const url = new URL(berth.url);
  const signer = new SignatureV4({
    credentials: berth.credentials,
    region: "us-east-1",
    service: "ecs",
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      hostname: url.hostname,
      path: "/",
      headers: { host: url.host, "x-amz-target": `${TARGET}.CreateCluster`, "x-berth-extra": "1" },
      body: '{"clusterName":"tampered"}',
    }),
  );
  const headers = { ...signed.headers } as Record<string, string>;
  change(headers);
  const response = await fetch(`${berth.url}/`, { method: "POST", headers, body: sentBody });
  return { status: response.status, body: (await response.json()) as { __type: string; message: string } };
}

describe("signed headers", () => {
  it("refuses a signed header changed after signing", async () => {
    const response = await tamper((h) => {
      h["x-berth-extra"] = "2";
    });
    expect(response).toMatchObject({ status: 400, body: { __type: "InvalidSignatureException" } });
  });

  it("refuses a request missing a header it signed", async () => {
    const response = await tamper((h) => {
      delete h["x-berth-extra"];
    });
    expect(response.body.__type).toBe("InvalidSignatureException");
    expect(response.body.message).toContain("x-berth-extra");
  });

  it("refuses a request without X-Amz-Date", async () => {
    const response = await tamper((h) => {
      delete h["x-amz-date"];
    });
    expect(response.body.__type).toBe("InvalidSignatureException");
    expect((await berth.ecs.send(new ListClustersCommand({}))).clusterArns).not.toContainEqual(
      expect.stringContaining("tampered"),
    );
  });
});

describe("request limits", () => {
  it("answers a body over 1 MiB with 413", async () => {
    const response = await call("CreateCluster", JSON.stringify({ clusterName: "x".repeat(1024 * 1024 + 1) }));
    expect(response.status).toBe(413);
    expect(response.body.__type).toBe("RequestEntityTooLargeException");
  });

  it("answers JSON nested too deep with SerializationException", async () => {
    const response = await call("CreateCluster", `${"[".repeat(10_000)}${"]".repeat(10_000)}`);
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe("SerializationException");
  });

  it("answers a string longer than the model allows with InvalidParameterException", async () => {
    const response = await call("CreateCluster", JSON.stringify({ clusterName: "x".repeat(300) }));
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe("InvalidParameterException");
  });
});

describe("the JSON 1.1 protocol", () => {
  it("answers an unknown operation with UnknownOperationException", async () => {
    const response = await call("LaunchRockets", "{}");
    expect(response.body.__type).toBe("UnknownOperationException");
  });

  it("answers malformed JSON with SerializationException", async () => {
    const response = await call("CreateCluster", "{not json");
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe("SerializationException");
  });

  it.each([
    ["a number where a string belongs", '{"clusterName": 5}'],
    ["a string where a list belongs", '{"clusterName":"x","tags":"a"}'],
  ])("answers %s with SerializationException", async (_, body) => {
    const response = await call("CreateCluster", body);
    expect(response.body.__type).toBe("SerializationException");
  });

  it("checks enums, lengths and required members against the ECS model", async () => {
    const badEnum = await call("ListTasks", '{"desiredStatus":"SOMETIMES"}');
    expect(badEnum.body.__type).toBe("InvalidParameterException");
    expect(badEnum.body.message).toContain("Member must satisfy enum value set");
    const missing = await call("RunTask", "{}");
    expect(missing.body.__type).toBe("InvalidParameterException");
    expect(missing.body.message).toContain("taskDefinition");
    const tooManyTags = await call(
      "CreateCluster",
      JSON.stringify({ clusterName: "t", tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" })) }),
    );
    expect(tooManyTags.body.__type).toBe("InvalidParameterException");
  });

  it("answers GET /healthz with 200", async () => {
    const response = await fetch(`${berth.url}/healthz`);
    expect(response.status).toBe(200);
  });
});
