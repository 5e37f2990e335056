import { readFileSync } from "node:fs";
import {
  CreateClusterCommand,
  ListContainerInstancesCommand,
  RegisterContainerInstanceCommand,
  type RegisterContainerInstanceRequest,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { startEc2Server, type TestEc2Server } from "../support/ec2Server.ts";

/**
 * RegisterContainerInstance with EC2 identity checks on: a control plane in the region and
 * account of a real signed identity document (test/fixtures), asking a test EC2 server (EC2's
 * Query protocol, through @aws-sdk/client-ec2) whether the instance runs and carries the tag.
 */
const sample: { document: string; signature: string } = JSON.parse(
  readFileSync(new URL("../fixtures/ec2-identity-document.json", import.meta.url), "utf8"),
);
const INSTANCE = "i-0c5541936caf78c12";
const TAG = { "berth:cluster": "default" };

describe("EC2 identity checks at registration", () => {
  let berth: TestBerth;
  let ec2: TestEc2Server;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    ec2 = await startEc2Server();
    // The EC2 client takes credentials from the usual chain, as on AWS; the test server checks none.
    process.env.AWS_ACCESS_KEY_ID = "AKIATESTEC2";
    process.env.AWS_SECRET_ACCESS_KEY = "test";
    berth = await startBerth(undefined, {
      partition: { region: "ap-southeast-2", accountId: "189292791360" },
      ec2Identity: { requiredTag: { key: "berth:cluster", value: "default" }, endpoint: ec2.endpoint },
    });
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
  });
  afterAll(async () => {
    await berth?.stop();
    await ec2?.close();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  });
  beforeEach(() => {
    ec2.instances.clear();
    ec2.calls.length = 0;
  });

  const register = (overrides: Partial<RegisterContainerInstanceRequest> = {}) =>
    berth.ecs.send(
      new RegisterContainerInstanceCommand({
        instanceIdentityDocument: sample.document,
        instanceIdentityDocumentSignature: sample.signature,
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: 2048 },
        ],
        ...overrides,
      }),
    );
  const refusal = (overrides: Partial<RegisterContainerInstanceRequest> = {}) =>
    register(overrides).then(
      () => {
        throw new Error("registered");
      },
      (error) => error as Error,
    );
  const registeredArns = async () =>
    (await berth.ecs.send(new ListContainerInstancesCommand({}))).containerInstanceArns ?? [];

  it.each<[string, () => void, RegExp]>([
    ["EC2 knows no such instance", () => {}, /EC2 knows no instance i-0c5541936caf78c12/],
    [
      "the instance is stopped",
      () => ec2.instances.set(INSTANCE, { instanceId: INSTANCE, state: "stopped", tags: TAG }),
      /EC2 instance i-0c5541936caf78c12 is stopped, not running/,
    ],
    [
      "the instance lacks the cluster's tag",
      () => ec2.instances.set(INSTANCE, { instanceId: INSTANCE, state: "running", tags: { team: "web" } }),
      /does not carry the tag berth:cluster=default/,
    ],
  ])("refuses the registration when %s, and writes nothing", async (_, arrange, reason) => {
    arrange();
    const error = await refusal();
    expect(error.name).toBe("ClientException");
    expect(error.message).toMatch(reason);
    expect(ec2.calls).toEqual([[INSTANCE]]);
    expect(await registeredArns()).toEqual([]);
  });

  it.each<[string, Partial<RegisterContainerInstanceRequest>, RegExp]>([
    [
      "a tampered document",
      { instanceIdentityDocument: sample.document.replace("t4g.small", "t4g.large") },
      /signature does not verify against AWS's RSA certificate for ap-southeast-2/,
    ],
    [
      "no signature",
      { instanceIdentityDocumentSignature: undefined },
      /must carry instanceIdentityDocument and instanceIdentityDocumentSignature/,
    ],
    ["no document", { instanceIdentityDocument: undefined }, /must carry instanceIdentityDocument/],
  ])("refuses %s without asking EC2, and writes nothing", async (_, overrides, reason) => {
    ec2.instances.set(INSTANCE, { instanceId: INSTANCE, state: "running", tags: TAG });
    const error = await refusal(overrides);
    expect(error.name).toBe("ClientException");
    expect(error.message).toMatch(reason);
    expect(ec2.calls).toEqual([]);
    expect(await registeredArns()).toEqual([]);
  });

  it("registers a running instance that carries the tag, with what its document says", async () => {
    ec2.instances.set(INSTANCE, {
      instanceId: INSTANCE,
      state: "running",
      tags: { ...TAG, Name: "host" },
      launchTime: "2026-02-16T00:38:27.000Z",
    });
    const { containerInstance } = await register();
    expect(containerInstance?.ec2InstanceId).toBe(INSTANCE);
    expect(containerInstance?.containerInstanceArn).toMatch(
      /^arn:aws:ecs:ap-southeast-2:189292791360:container-instance\/default\//,
    );
    expect(containerInstance?.attributes).toEqual(
      expect.arrayContaining([
        { name: "ecs.instance-type", value: "t4g.small" },
        { name: "ecs.cpu-architecture", value: "arm64" },
        { name: "ecs.availability-zone", value: "ap-southeast-2a" },
      ]),
    );
    expect(ec2.calls).toEqual([[INSTANCE]]);
    expect(await registeredArns()).toEqual([containerInstance?.containerInstanceArn]);
  });
});
