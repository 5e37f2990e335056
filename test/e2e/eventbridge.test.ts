import { execFile } from "node:child_process";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliPresent } from "../support/awsCli.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/**
 * An event-triggered deployment in local mode, end to end: the real AWS CLI posts a Berth
 * deployment request with `aws events put-events --endpoint-url`, local mode runs the deploy
 * function on it, and the service rolls to a new revision with the image; the events function,
 * on the store's change feed, publishes the ECS events of what followed.
 */
const inCi = process.env.CI === "true";
if (!awsCliPresent() && !inCi) console.warn("e2e/eventbridge: skipped, `aws` is not on PATH.");

function putEvents(berth: TestBerth, entries: object[]): Promise<{ FailedEntryCount: number; Entries: object[] }> {
  const own = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  const env = {
    ...own,
    AWS_ACCESS_KEY_ID: berth.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: berth.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
  };
  const args = [
    "events",
    "put-events",
    "--endpoint-url",
    berth.url,
    "--entries",
    JSON.stringify(entries),
    "--output",
    "json",
  ];
  return new Promise((resolve, reject) =>
    execFile("aws", args, { env, timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`aws events put-events failed: ${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

describe.skipIf(!awsCliPresent() && !inCi)("aws events put-events against berth local", () => {
  let berth: TestBerth;

  beforeAll(async () => {
    berth = await startBerth();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    await berth.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        containerDefinitions: [{ name: "web", image: "berth-test/busybox:1", memory: 64, essential: true }],
      }),
    );
    await berth.ecs.send(new CreateServiceCommand({ serviceName: "web", taskDefinition: "web", desiredCount: 0 }));
  });

  afterAll(async () => {
    await berth?.stop();
  });

  it("rolls the service to a new revision with the requested image", async () => {
    const answer = await putEvents(berth, [
      {
        Source: "berth.deployments",
        DetailType: "Deployment Requested",
        Detail: JSON.stringify({ cluster: "default", service: "web", image: "berth-test/busybox:2" }),
      },
    ]);
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries).toEqual([{ EventId: expect.any(String) }]);

    const { services } = await berth.ecs.send(new DescribeServicesCommand({ services: ["web"] }));
    expect(services?.[0].taskDefinition).toMatch(/task-definition\/web:2$/);
    const { taskDefinition } = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:2" }));
    expect(taskDefinition?.containerDefinitions?.[0].image).toBe("berth-test/busybox:2");
  });

  it("keeps the posted event and the ECS events of the changes it made", async () => {
    await berth.events.drained();
    const entries = berth.events.entries();
    expect(entries.some((e) => e.Source === "berth.deployments")).toBe(true);
    const serviceEvents = entries.filter(
      (e) => e.Source === "berth.ecs" && e.Resources.some((r) => r.endsWith("service/default/web")),
    );
    expect(serviceEvents.length).toBeGreaterThan(0);
    // Versions of one resource's events never go down.
    const versions = serviceEvents.map((e) => JSON.parse(e.Detail).version as number);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });
});
