import { CreateServiceCommand, type ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { servicePlay } from "../support/servicePlay.ts";

/**
 * Which tasks a service stops when it scales in, by its placement strategy, through the ECS SDK
 * (the test plays the agent).
 */
let berth: TestBerth;
let ecs: ECSClient;
let play: ReturnType<typeof servicePlay>;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
  ecs = berth.ecs;
  play = servicePlay(ecs);
});
afterAll(() => berth.stop());

const AZ = "ecs.availability-zone";
const scale = (cluster: string, desiredCount: number) =>
  ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount }));

// Each step plays the agent over the SDK: slow on DynamoDB Local on a loaded machine.
describe("scale-in", { timeout: 90_000 }, () => {
  it("with the default spread over Availability Zones, stops from the fullest zone so the spread is even again", async () => {
    await play.cluster("spread");
    const a = await play.registerInstance("spread", { [AZ]: "us-east-1a" });
    await ecs.send(
      new CreateServiceCommand({ cluster: "spread", serviceName: "web", taskDefinition: "spread", desiredCount: 3 }),
    );
    expect((await play.untilRunning("spread", 3)).every((t) => t.containerInstanceArn === a)).toBe(true);
    // Two more zones, and three more tasks, which go to them: zone a keeps its three.
    const b = await play.registerInstance("spread", { [AZ]: "us-east-1b" });
    const c = await play.registerInstance("spread", { [AZ]: "us-east-1c" });
    await scale("spread", 6);
    const six = await play.untilRunning("spread", 6);
    expect(six.filter((t) => t.containerInstanceArn === a)).toHaveLength(3);

    await scale("spread", 3);
    const three = await play.untilRunning("spread", 3);
    const perInstance = [a, b, c].map((arn) => three.filter((t) => t.containerInstanceArn === arn).length);
    expect(perInstance).toEqual([1, 1, 1]);
  });

  it("with binpack on memory, stops the tasks of the emptiest instance, freeing it", async () => {
    await play.cluster("binpack");
    const full = await play.registerInstance("binpack", {}, 384);
    const other = await play.registerInstance("binpack", {}, 384);
    await ecs.send(
      new CreateServiceCommand({
        cluster: "binpack",
        serviceName: "web",
        taskDefinition: "binpack",
        desiredCount: 4,
        placementStrategy: [{ type: "binpack", field: "memory" }],
      }),
    );
    // 128 MiB each: three fill one instance, the fourth goes to the other.
    const four = await play.untilRunning("binpack", 4);
    const counts = (tasks: typeof four) =>
      [full, other].map((arn) => tasks.filter((t) => t.containerInstanceArn === arn).length).sort();
    expect(counts(four)).toEqual([1, 3]);

    await scale("binpack", 3);
    const three = await play.untilRunning("binpack", 3);
    expect(counts(three)).toEqual([0, 3]);
  });

  it("with spread over instances, stops from the instance with the most tasks", async () => {
    await play.cluster("byhost");
    const first = await play.registerInstance("byhost");
    await ecs.send(
      new CreateServiceCommand({
        cluster: "byhost",
        serviceName: "web",
        taskDefinition: "byhost",
        desiredCount: 2,
        placementStrategy: [{ type: "spread", field: "instanceId" }],
      }),
    );
    await play.untilRunning("byhost", 2);
    const second = await play.registerInstance("byhost");
    await scale("byhost", 4);
    const four = await play.untilRunning("byhost", 4);
    expect(four.filter((t) => t.containerInstanceArn === second)).toHaveLength(2);
    await scale("byhost", 2);
    const two = await play.untilRunning("byhost", 2);
    expect([first, second].map((arn) => two.filter((t) => t.containerInstanceArn === arn).length)).toEqual([1, 1]);
  });
});
