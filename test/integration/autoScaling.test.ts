import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  ListTagsForResourceCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-application-auto-scaling";
import type { Task } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, type TestKey } from "../support/access.ts";
import {
  reportUtilization,
  scaledService,
  scalingClient,
  serviceResource,
  targetTracking,
} from "../support/autoScaling.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";
import { messages, servicePlay } from "../support/servicePlay.ts";

/**
 * Application Auto Scaling for ECS services, answered by Berth, through
 * `@aws-sdk/client-application-auto-scaling`; target tracking from the utilization the agent
 * reports (the test plays the agent: its heartbeats carry each task's CPU and memory use).
 */
let berth: TestBerth;
let aas: ApplicationAutoScalingClient;
let play: ReturnType<typeof servicePlay>;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
  aas = scalingClient(berth);
  play = servicePlay(berth.ecs);
});
afterAll(async () => {
  aas.destroy();
  await berth.stop();
});

const target = (cluster: string, service = "web") => serviceResource(cluster, service);

const webService = (cluster: string, desiredCount = 1) => scaledService(berth, play, cluster, desiredCount);
const beat = (cluster: string, instance: string, tasks: Task[], cpuPercent: number, memoryMiB = 32) =>
  reportUtilization(berth, cluster, instance, tasks, cpuPercent, memoryMiB);

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: Error) => ({ name: error.name, message: error.message }),
  );

describe("the Application Auto Scaling API", { timeout: 60_000 }, () => {
  it("registers, describes, updates and deregisters a service's scalable target, with its policies and scheduled actions", async () => {
    await webService("api", 2);
    const registered = await aas.send(
      new RegisterScalableTargetCommand({ ...target("api"), MinCapacity: 1, MaxCapacity: 5 }),
    );
    expect(registered.ScalableTargetARN).toMatch(/^arn:aws:application-autoscaling:us-east-1:\d{12}:scalable-target\//);
    // An update changes what it names and keeps the rest.
    await aas.send(new RegisterScalableTargetCommand({ ...target("api"), MaxCapacity: 6 }));
    const { ScalableTargets } = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/api/web"] }),
    );
    expect(ScalableTargets).toEqual([
      expect.objectContaining({
        ...target("api"),
        MinCapacity: 1,
        MaxCapacity: 6,
        ScalableTargetARN: registered.ScalableTargetARN,
        RoleARN: expect.stringContaining("AWSServiceRoleForApplicationAutoScaling_ECSService"),
        CreationTime: expect.any(Date),
      }),
    ]);

    const policy = await aas.send(
      targetTracking(target("api"), "cpu50", "ECSServiceAverageCPUUtilization", 50, { ScaleOutCooldown: 60 }),
    );
    expect(policy.PolicyARN).toMatch(/:scalingPolicy:.*:resource\/ecs\/service\/api\/web:policyName\/cpu50$/);
    const policies = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: "service/api/web" }),
    );
    expect(policies.ScalingPolicies?.map((p) => [p.PolicyName, p.PolicyType, p.PolicyARN])).toEqual([
      ["cpu50", "TargetTrackingScaling", policy.PolicyARN],
    ]);

    await aas.send(
      new PutScheduledActionCommand({
        ...target("api"),
        ScheduledActionName: "night",
        Schedule: "cron(0 22 * * ? *)",
        ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 2 },
      }),
    );
    const scheduled = await aas.send(
      new DescribeScheduledActionsCommand({ ServiceNamespace: "ecs", ResourceId: "service/api/web" }),
    );
    expect(scheduled.ScheduledActions).toEqual([
      expect.objectContaining({ ScheduledActionName: "night", Schedule: "cron(0 22 * * ? *)", Timezone: "UTC" }),
    ]);
    await aas.send(new DeleteScheduledActionCommand({ ...target("api"), ScheduledActionName: "night" }));
    await aas.send(new DeleteScalingPolicyCommand({ ...target("api"), PolicyName: "cpu50" }));
    expect(
      (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: "service/api/web" })))
        .ScalingPolicies,
    ).toEqual([]);

    await aas.send(new DeregisterScalableTargetCommand(target("api")));
    const after = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/api/web"] }),
    );
    expect(after.ScalableTargets).toEqual([]);
    // The service itself is as it was: 2 tasks wanted.
    expect((await play.describeService("api")).desiredCount).toBe(2);
  });

  it("keeps a target's tags, as Terraform's aws_appautoscaling_target reads them back", async () => {
    await webService("tagged");
    const { ScalableTargetARN } = await aas.send(
      new RegisterScalableTargetCommand({ ...target("tagged"), MinCapacity: 1, MaxCapacity: 2, Tags: { team: "web" } }),
    );
    const tagsOf = async () =>
      (await aas.send(new ListTagsForResourceCommand({ ResourceARN: ScalableTargetARN }))).Tags;
    expect(await tagsOf()).toEqual({ team: "web" });
    await aas.send(new TagResourceCommand({ ResourceARN: ScalableTargetARN, Tags: { env: "prod" } }));
    await aas.send(new UntagResourceCommand({ ResourceARN: ScalableTargetARN, TagKeys: ["team"] }));
    expect(await tagsOf()).toEqual({ env: "prod" });
    const unknown = `${ScalableTargetARN}0`;
    expect(await failure(aas.send(new ListTagsForResourceCommand({ ResourceARN: unknown })))).toEqual({
      name: "ResourceNotFoundException",
      message: `No scalable target found for ARN: ${unknown}`,
    });
  });

  it("refuses what it cannot do with Application Auto Scaling's errors, and changes nothing", async () => {
    await webService("refused");
    expect(
      await failure(
        aas.send(
          new RegisterScalableTargetCommand({
            ServiceNamespace: "dynamodb",
            ResourceId: "table/orders",
            ScalableDimension: "dynamodb:table:ReadCapacityUnits",
            MinCapacity: 1,
            MaxCapacity: 5,
          }),
        ),
      ),
    ).toEqual({
      name: "ValidationException",
      message: "Unsupported service namespace, resource type or scalable dimension",
    });
    expect(
      await failure(
        aas.send(new RegisterScalableTargetCommand({ ...target("refused", "nope"), MinCapacity: 1, MaxCapacity: 2 })),
      ),
    ).toEqual({ name: "ValidationException", message: "ECS service doesn't exist: service/refused/nope" });
    expect(
      await failure(
        aas.send(new RegisterScalableTargetCommand({ ...target("refused"), MinCapacity: 3, MaxCapacity: 2 })),
      ),
    ).toMatchObject({
      name: "ValidationException",
    });
    expect(
      await failure(aas.send(new RegisterScalableTargetCommand({ ...target("refused"), MinCapacity: 1 }))),
    ).toMatchObject({
      name: "ValidationException",
    });
    expect(
      await failure(aas.send(targetTracking(target("refused"), "p", "ECSServiceAverageCPUUtilization", 50))),
    ).toEqual({
      name: "ObjectNotFoundException",
      message:
        "No scalable target registered for service namespace: ecs, resource ID: service/refused/web, scalable dimension: ecs:service:DesiredCount",
    });
    // A value the model does not allow (a negative capacity) fails the model's check.
    expect(
      await failure(
        aas.send(new RegisterScalableTargetCommand({ ...target("refused"), MinCapacity: 1, MaxCapacity: -1 })),
      ),
    ).toMatchObject({
      name: "ValidationException",
    });
    const { ScalableTargets } = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/refused/web"] }),
    );
    expect(ScalableTargets).toEqual([]);
  });
});

describe("access control", { timeout: 60_000 }, () => {
  const clientOf = (key: TestKey) =>
    new ApplicationAutoScalingClient({
      endpoint: berth.url,
      region: "us-east-1",
      credentials: { accessKeyId: key.keyId, secretAccessKey: key.secret },
      maxAttempts: 1,
    });

  it("checks keys as for ECS: a key scoped to a cluster scales its services only; a read-only key only describes", async () => {
    await webService("mine");
    await webService("theirs");
    const scoped = clientOf(
      await createKey(berth, {
        kind: "scoped",
        actions: ["application-autoscaling:*"],
        resources: ["arn:aws:ecs:us-east-1:000000000000:cluster/mine"],
      }),
    );
    const readOnly = clientOf(await createKey(berth, { kind: "read-only" }));
    try {
      await scoped.send(new RegisterScalableTargetCommand({ ...target("mine"), MinCapacity: 1, MaxCapacity: 2 }));
      expect(
        await failure(
          scoped.send(new RegisterScalableTargetCommand({ ...target("theirs"), MinCapacity: 1, MaxCapacity: 2 })),
        ),
      ).toMatchObject({ name: "AccessDeniedException" });
      expect(
        await failure(
          readOnly.send(new RegisterScalableTargetCommand({ ...target("theirs"), MinCapacity: 1, MaxCapacity: 2 })),
        ),
      ).toMatchObject({ name: "AccessDeniedException" });
      const described = await readOnly.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: "ecs",
          ResourceIds: ["service/mine/web", "service/theirs/web"],
        }),
      );
      expect(described.ScalableTargets?.map((t) => t.ResourceId)).toEqual(["service/mine/web"]);
    } finally {
      scoped.destroy();
      readOnly.destroy();
    }
  });
});

describe("target tracking", { timeout: 90_000 }, () => {
  it("scales a busy service out to bring its CPU to the target, then back in once it is idle", async () => {
    const instance = await webService("busy");
    await aas.send(new RegisterScalableTargetCommand({ ...target("busy"), MinCapacity: 1, MaxCapacity: 4 }));
    await aas.send(
      targetTracking(target("busy"), "cpu50", "ECSServiceAverageCPUUtilization", 50, {
        ScaleOutCooldown: 0,
        ScaleInCooldown: 0,
      }),
    );
    const one = await play.untilRunning("busy", 1);
    // A quarter of a core is its whole reservation of 256 units: 100 %, twice the target.
    await beat("busy", instance, one, 25);
    await until("the service to scale out to 2", async () => (await play.describeService("busy")).desiredCount === 2);
    const two = await play.untilRunning("busy", 2);
    const out = await play.describeService("busy");
    expect(messages(out)).toContainEqual(
      expect.stringMatching(
        /^\(service web\) was scaled out from 1 to 2 tasks by Application Auto Scaling: ECSServiceAverageCPUUtilization at 100\.0 %/,
      ),
    );

    // Idle: 2.5 % of a core each is 10 % of what they reserve; one task is enough.
    await beat("busy", instance, two, 2.5);
    await until("the service to scale in to 1", async () => (await play.describeService("busy")).desiredCount === 1);
    await play.untilRunning("busy", 1);

    const { ScalingActivities } = await aas.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: "service/busy/web" }),
    );
    expect(ScalingActivities?.map((a) => [a.Description, a.StatusCode])).toEqual([
      ["Setting desired count to 1.", "Successful"],
      ["Setting desired count to 2.", "Successful"],
    ]);
    expect(ScalingActivities?.[1].Cause).toContain("triggered policy cpu50, changing the desired capacity from 1 to 2");
  });

  it("never scales in with DisableScaleIn, and brings a count outside the capacity range back in", async () => {
    const instance = await webService("floor", 1);
    await aas.send(new RegisterScalableTargetCommand({ ...target("floor"), MinCapacity: 2, MaxCapacity: 3 }));
    // Below the minimum: brought up to 2 before any policy.
    await until(
      "the service to reach its minimum",
      async () => (await play.describeService("floor")).desiredCount === 2,
    );
    await aas.send(
      targetTracking(target("floor"), "memory", "ECSServiceAverageMemoryUtilization", 50, {
        ScaleOutCooldown: 0,
        ScaleInCooldown: 0,
        DisableScaleIn: true,
      }),
    );
    const two = await play.untilRunning("floor", 2);
    // 128 MiB each of 128 reserved: 100 % against 50 % wants 4 tasks; the maximum is 3.
    await beat("floor", instance, two, 1, 128);
    await until(
      "the service to scale out to its maximum",
      async () => (await play.describeService("floor")).desiredCount === 3,
    );
    const three = await play.untilRunning("floor", 3);
    await beat("floor", instance, three, 1, 8);
    // Idle now, but scale-in is disabled: several sweeps later it still wants 3.
    await play.untilRunning("floor", 3);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await play.describeService("floor")).desiredCount).toBe(3);
  });

  it("runs a scheduled action when it is due: the capacity range changes, and the service follows it", async () => {
    await webService("scheduled", 1);
    await aas.send(new RegisterScalableTargetCommand({ ...target("scheduled"), MinCapacity: 1, MaxCapacity: 2 }));
    // Two seconds from now, in UTC wall-clock time.
    const at = new Date(Date.now() + 2_000).toISOString().slice(0, 19);
    await aas.send(
      new PutScheduledActionCommand({
        ...target("scheduled"),
        ScheduledActionName: "rush",
        Schedule: `at(${at})`,
        ScalableTargetAction: { MinCapacity: 3, MaxCapacity: 4 },
      }),
    );
    await until(
      "the service to follow the new minimum",
      async () => (await play.describeService("scheduled")).desiredCount === 3,
    );
    const { ScalableTargets } = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/scheduled/web"] }),
    );
    expect(ScalableTargets?.[0]).toMatchObject({ MinCapacity: 3, MaxCapacity: 4 });
    const { ScalingActivities } = await aas.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: "service/scheduled/web" }),
    );
    expect(ScalingActivities?.map((a) => a.Description)).toEqual([
      "Setting desired count to 3.",
      "Setting min capacity to 3 and max capacity to 4",
    ]);
    expect(ScalingActivities?.[1].Cause).toBe("scheduled action name rush was triggered");
    // It ran once: later rounds leave the range and the count as they are.
    await play.untilRunning("scheduled", 3);
    expect(
      (
        await aas.send(
          new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: "service/scheduled/web" }),
        )
      ).ScalingActivities,
    ).toHaveLength(2);
  });
});
