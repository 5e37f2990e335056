import type { EventBridgeEvent } from "aws-lambda";
import { beforeEach, describe, expect, it } from "vitest";
import { CreateCluster } from "../../core/actions/clusters.ts";
import { CreateService, DescribeServices } from "../../core/actions/services.ts";
import { DescribeTaskDefinition, RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { createDeployHandler } from "../../functions/deploy/handler.ts";
import { openTestStore } from "../support/testStore.ts";

/**
 * The deploy function on EventBridge events as they arrive (ECR's own push event, a Berth
 * deployment request), against the SQLite store in-process: which services it updates, and
 * with what.
 */
const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
let ctx: ActionContext;

beforeEach(async () => {
  ctx = {
    store: await openTestStore(),
    partition: { region: "eu-west-1", accountId: "123456789012" },
    now: () => new Date(),
    onBackgroundError: () => {},
  };
  await CreateCluster({ clusterName: "c" }, ctx);
  const family = async (name: string, ...images: string[]) =>
    RegisterTaskDefinition(
      {
        family: name,
        containerDefinitions: images.map((image, i) => ({ name: `c${i}`, image, memory: 64, essential: i === 0 })),
      },
      ctx,
    );
  await family("api", `${REGISTRY}/api:prod`, "busybox");
  await family("api-canary", `${REGISTRY}/api:canary`);
  await family("worker", `${REGISTRY}/worker:prod`);
  for (const [name, td] of [
    ["api", "api"],
    ["api-2", "api"],
    ["canary", "api-canary"],
    ["worker", "worker"],
  ])
    await CreateService({ cluster: "c", serviceName: name, taskDefinition: td, desiredCount: 0 }, ctx);
});

const ecrPush = (repository: string, tag: string): EventBridgeEvent<"ECR Image Action", object> => ({
  version: "0",
  id: "a1b2c3",
  "detail-type": "ECR Image Action",
  source: "aws.ecr",
  account: "123456789012",
  time: "2026-01-01T00:00:00Z",
  region: "eu-west-1",
  resources: [],
  detail: {
    result: "SUCCESS",
    "repository-name": repository,
    "image-digest": "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678",
    "action-type": "PUSH",
    "image-tag": tag,
  },
});

const request = (detail: object): EventBridgeEvent<"Deployment Requested", object> => ({
  ...ecrPush("", ""),
  source: "berth.deployments",
  "detail-type": "Deployment Requested",
  detail,
});

const deploy = (event: EventBridgeEvent<string, object>) => createDeployHandler(ctx)(event, {} as never);
const taskDefinitionOf = async (service: string) =>
  (await DescribeServices({ cluster: "c", services: [service] }, ctx)).services?.[0].taskDefinition as string;
const imagesOf = async (arn: string) =>
  (await DescribeTaskDefinition({ taskDefinition: arn }, ctx)).taskDefinition?.containerDefinitions?.map(
    (c) => c.image,
  );

describe("the deploy function", () => {
  it("rolls every service that runs the pushed repository and tag to the pushed digest, and no other", async () => {
    const result = await deploy(ecrPush("api", "prod"));
    expect(result.deployed.map((d) => d.service).sort()).toEqual(["api", "api-2"]);
    // Both services share the one new revision.
    expect(new Set(result.deployed.map((d) => d.taskDefinition)).size).toBe(1);
    const arn = await taskDefinitionOf("api");
    expect(arn).toMatch(/task-definition\/api:2$/);
    expect(await taskDefinitionOf("api-2")).toBe(arn);
    expect(await imagesOf(arn)).toEqual([
      `${REGISTRY}/api:prod@sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678`,
      "busybox",
    ]);
    expect(await taskDefinitionOf("canary")).toMatch(/api-canary:1$/);
    expect(await taskDefinitionOf("worker")).toMatch(/worker:1$/);
    // The same push again changes nothing: the services already run that digest.
    expect((await deploy(ecrPush("api", "prod"))).deployed).toEqual([]);
  });

  it("rolls a service to a new image on request, in a new revision of its task definition", async () => {
    const result = await deploy(request({ cluster: "c", service: "worker", image: `${REGISTRY}/worker:v2` }));
    expect(result.deployed).toEqual([
      { cluster: "c", service: "worker", taskDefinition: expect.stringMatching(/worker:2$/) },
    ]);
    expect(await imagesOf(await taskDefinitionOf("worker"))).toEqual([`${REGISTRY}/worker:v2`]);
  });

  it("rolls a service to a named task definition on request", async () => {
    const result = await deploy(request({ cluster: "c", service: "canary", taskDefinition: "worker:1" }));
    expect(result.deployed).toHaveLength(1);
    expect(await taskDefinitionOf("canary")).toMatch(/worker:1$/);
  });

  it("drops a malformed request with its reason, and ignores events that ask for nothing", async () => {
    expect(await deploy(request({ service: "worker" }))).toMatchObject({
      deployed: [],
      skipped: expect.stringMatching(/either/),
    });
    expect(await deploy(request({ cluster: "c", service: "api", image: "x" }))).toMatchObject({
      skipped: expect.stringMatching(/detail.container/),
    });
    expect(await deploy(request({ cluster: "c", service: "nope", image: "x" }))).toMatchObject({ deployed: [] });
    expect(
      (await deploy({ ...ecrPush("api", "prod"), detail: { "action-type": "DELETE", result: "SUCCESS" } })).deployed,
    ).toEqual([]);
  });
});
