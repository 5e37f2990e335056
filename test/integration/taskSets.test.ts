import {
  CreateServiceCommand,
  type CreateServiceCommandInput,
  CreateTaskSetCommand,
  type CreateTaskSetCommandInput,
  DeleteServiceCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  ListTagsForResourceCommand,
  type Service,
  TagResourceCommand,
  type Task,
  type TaskSet,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliPresent, awsEcs } from "../support/awsCli.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { failure } from "../support/failure.ts";
import { until } from "../support/poll.ts";
import { live, messages, servicePlay } from "../support/servicePlay.ts";

/**
 * Services with the EXTERNAL deployment controller and their task sets, through the ECS SDK
 * against the in-process server and its scheduler (as in local mode). The tests play the agent,
 * reporting tasks RUNNING or STOPPED as an agent would.
 */
let berth: TestBerth;
let play: ReturnType<typeof servicePlay>;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
  play = servicePlay(berth.ecs);
});
afterAll(() => berth.stop());

const ecs = () => berth.ecs;

/** A cluster with two instances, task family `<name>` at revisions 1 and 2. */
async function cluster(name: string) {
  await play.cluster(name);
  await play.revision(name, 64);
  for (let i = 0; i < 2; i++) await play.registerInstance(name);
}

const createService = (input: Partial<CreateServiceCommandInput> & { cluster: string }) =>
  ecs().send(
    new CreateServiceCommand({
      serviceName: "web",
      desiredCount: 4,
      deploymentController: { type: "EXTERNAL" },
      ...input,
    }),
  );

const createTaskSet = (input: Partial<CreateTaskSetCommandInput> & { cluster: string }) =>
  ecs().send(new CreateTaskSetCommand({ service: "web", taskDefinition: `${input.cluster}:1`, ...input }));

async function service(cluster: string): Promise<Service> {
  const { services } = await ecs().send(new DescribeServicesCommand({ cluster, services: ["web"] }));
  return services?.[0] as Service;
}

async function describeTaskSet(cluster: string, id: string): Promise<TaskSet | undefined> {
  const { taskSets } = await ecs().send(new DescribeTaskSetsCommand({ cluster, service: "web", taskSets: [id] }));
  return taskSets?.[0];
}

/** Plays the agent until each task set named runs its count, none pending, none stopping, all STEADY_STATE. */
function untilSteady(cluster: string, counts: Record<string, number>) {
  return until(
    "steady task sets",
    async () => {
      await play.agentStep(cluster);
      const s = await service(cluster);
      const tasks = await play.tasksOf(cluster);
      const stopping = tasks.some((t) => t.desiredStatus === "STOPPED" && t.lastStatus !== "STOPPED");
      const each = Object.entries(counts).every(([id, count]) => {
        const ts = s.taskSets?.find((t) => t.id === id);
        return ts?.runningCount === count && ts.pendingCount === 0 && ts.stabilityStatus === "STEADY_STATE";
      });
      return each && !stopping && s;
    },
    30_000,
  );
}

const ofTaskSet = (tasks: Task[], id: string) => live(tasks).filter((t) => t.startedBy === id);

describe("a service with the EXTERNAL deployment controller", () => {
  it("is created without a task definition, shows task sets and no deployments", async () => {
    await cluster("ext1");
    const { service: created } = await createService({ cluster: "ext1" });
    expect(created).toMatchObject({
      serviceName: "web",
      status: "ACTIVE",
      desiredCount: 4,
      deploymentController: { type: "EXTERNAL" },
      deployments: [],
      taskSets: [],
    });
    expect(created?.taskDefinition).toBeUndefined();

    // ECS's own words for what an EXTERNAL service does not take.
    expect(await failure(createService({ cluster: "ext1", serviceName: "x", taskDefinition: "ext1:1" }))).toMatchObject(
      { name: "InvalidParameterException", message: "TaskDefinition must be blank." },
    );
    expect(
      await failure(
        createService({ cluster: "ext1", serviceName: "x", schedulingStrategy: "DAEMON", desiredCount: undefined }),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("DAEMON") });
    expect(
      await failure(
        createService({
          cluster: "ext1",
          serviceName: "x",
          deploymentController: { type: "CODE_DEPLOY" },
          taskDefinition: "ext1:1",
        }),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("CODE_DEPLOY") });

    // UpdateService takes the desired count and the like; the rest takes a new task set.
    expect(
      await failure(
        ecs().send(new UpdateServiceCommand({ cluster: "ext1", service: "web", taskDefinition: "ext1:2" })),
      ),
    ).toMatchObject({
      name: "InvalidParameterException",
      message:
        "Unable to update taskDefinition on services with an EXTERNAL deployment controller: create a new task set (CreateTaskSet) instead.",
    });
    expect(
      await failure(
        ecs().send(new UpdateServiceCommand({ cluster: "ext1", service: "web", forceNewDeployment: true })),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    expect(
      await failure(
        createService({
          cluster: "ext1",
          serviceName: "x",
          networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } },
        }),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("CreateTaskSet") });
    // The controller a service was created with stays.
    expect(
      await failure(
        ecs().send(
          new UpdateServiceCommand({ cluster: "ext1", service: "web", deploymentController: { type: "ECS" } }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    // Nothing was written by the refusals.
    expect((await service("ext1")).desiredCount).toBe(4);
    const { service: updated } = await ecs().send(
      new UpdateServiceCommand({ cluster: "ext1", service: "web", desiredCount: 2, healthCheckGracePeriodSeconds: 30 }),
    );
    expect(updated).toMatchObject({ desiredCount: 2, healthCheckGracePeriodSeconds: 30, deployments: [] });
  });

  it("refuses task sets on an ECS service, and names what is missing as ECS does", async () => {
    await cluster("ext2");
    await ecs().send(
      new CreateServiceCommand({ cluster: "ext2", serviceName: "ecs", taskDefinition: "ext2:1", desiredCount: 0 }),
    );
    expect(await failure(createTaskSet({ cluster: "ext2", service: "ecs" }))).toMatchObject({
      name: "InvalidParameterException",
      message:
        "Amazon ECS only supports task set management on services configured to use external deployment controllers.",
    });
    expect(await failure(ecs().send(new DescribeTaskSetsCommand({ cluster: "ext2", service: "ecs" })))).toMatchObject({
      name: "InvalidParameterException",
    });
    expect(await failure(createTaskSet({ cluster: "ext2", service: "nope" }))).toMatchObject({
      name: "ServiceNotFoundException",
    });
    expect(await failure(createTaskSet({ cluster: "nocluster" }))).toMatchObject({ name: "ClusterNotFoundException" });

    await createService({ cluster: "ext2", desiredCount: 0 });
    expect(await failure(createTaskSet({ cluster: "ext2", scale: { value: 101, unit: "PERCENT" } }))).toMatchObject({
      name: "InvalidParameterException",
    });
    expect(
      await failure(
        ecs().send(
          new UpdateTaskSetCommand({
            cluster: "ext2",
            service: "web",
            taskSet: "ecs-svc/1234567890123456789",
            scale: { value: 50, unit: "PERCENT" },
          }),
        ),
      ),
    ).toMatchObject({ name: "TaskSetNotFoundException", message: "The specified task set does not exist." });
    // Nothing was written by the refusals.
    expect((await service("ext2")).taskSets).toEqual([]);

    // Five task sets at most, as ECS allows.
    for (let i = 0; i < 5; i++) await createTaskSet({ cluster: "ext2", scale: { value: 0, unit: "PERCENT" } });
    expect(await failure(createTaskSet({ cluster: "ext2" }))).toMatchObject({
      name: "InvalidParameterException",
      message: "5 deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.",
    });
  });

  it("keeps each task set at its computed count, and moves the primary", async () => {
    await cluster("ext3");
    await createService({ cluster: "ext3", desiredCount: 3 });
    const { taskSet: blue } = await createTaskSet({
      cluster: "ext3",
      externalId: "blue",
      scale: { value: 50, unit: "PERCENT" },
      tags: [{ key: "color", value: "blue" }],
    });
    const blueId = blue?.id as string;
    expect(blueId).toMatch(/^ecs-svc\/\d{19}$/);
    expect(blue).toMatchObject({
      taskSetArn: `arn:aws:ecs:us-east-1:000000000000:task-set/ext3/web/${blueId}`,
      serviceArn: "arn:aws:ecs:us-east-1:000000000000:service/ext3/web",
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/ext3",
      externalId: "blue",
      status: "ACTIVE",
      taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/ext3:1",
      // 3 × 50 % = 1.5, rounded up.
      computedDesiredCount: 2,
      launchType: "EC2",
      scale: { value: 50, unit: "PERCENT" },
      stabilityStatus: "STABILIZING",
      tags: [{ key: "color", value: "blue" }],
    });
    expect(blue?.startedBy).toBeUndefined();

    const steady = await untilSteady("ext3", { [blueId]: 2 });
    expect(steady.deployments).toEqual([]);
    expect(steady).toMatchObject({ runningCount: 2, pendingCount: 0 });
    const tasks = ofTaskSet(await play.tasksOf("ext3"), blueId);
    expect(tasks).toHaveLength(2);
    for (const t of tasks) expect(t).toMatchObject({ group: "service:web", startedBy: blueId });
    // No primary yet: the service shows no task definition.
    expect(steady.taskDefinition).toBeUndefined();
    // Said of the task set, as ECS says it: "(service web, taskSet ecs-svc/…) has started 2 tasks: (task …) (task …)."
    const started = messages(steady).filter((m) => m.startsWith(`(service web, taskSet ${blueId}) has started `));
    for (const t of tasks) expect(started.join(" ")).toContain(`(task ${t.taskArn?.split("/").pop()})`);

    const { taskSet: green } = await createTaskSet({ cluster: "ext3", taskDefinition: "ext3:2" });
    const greenId = green?.id as string;
    expect(green).toMatchObject({ computedDesiredCount: 3, scale: { value: 100, unit: "PERCENT" } });
    await untilSteady("ext3", { [blueId]: 2, [greenId]: 3 });

    const { taskSet: primary } = await ecs().send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: "ext3", service: "web", primaryTaskSet: green?.taskSetArn }),
    );
    expect(primary).toMatchObject({ id: greenId, status: "PRIMARY" });
    const promoted = await service("ext3");
    expect(promoted.taskDefinition).toBe("arn:aws:ecs:us-east-1:000000000000:task-definition/ext3:2");
    expect(promoted.launchType).toBe("EC2");
    expect(promoted.taskSets?.map((ts) => [ts.id, ts.status])).toEqual([
      [blueId, "ACTIVE"],
      [greenId, "PRIMARY"],
    ]);
    // Tags only when asked for.
    expect(promoted.taskSets?.[0].tags).toBeUndefined();

    // The primary task set stays unless forced.
    expect(
      await failure(ecs().send(new DeleteTaskSetCommand({ cluster: "ext3", service: "web", taskSet: greenId }))),
    ).toMatchObject({ name: "InvalidParameterException", message: "Primary TaskSet cannot be deleted" });

    // A new desired count moves each computed count: 5 × 50 % = 2.5 → 3, 5 × 100 % = 5.
    await ecs().send(new UpdateServiceCommand({ cluster: "ext3", service: "web", desiredCount: 5 }));
    await untilSteady("ext3", { [blueId]: 3, [greenId]: 5 });

    // Scaled to 0, the old one stops its tasks; deleted, it drains and is gone.
    const { taskSet: scaled } = await ecs().send(
      new UpdateTaskSetCommand({
        cluster: "ext3",
        service: "web",
        taskSet: blueId,
        scale: { value: 0, unit: "PERCENT" },
      }),
    );
    expect(scaled).toMatchObject({ computedDesiredCount: 0, stabilityStatus: "STABILIZING" });
    await untilSteady("ext3", { [blueId]: 0, [greenId]: 5 });
    const { taskSet: deleted } = await ecs().send(
      new DeleteTaskSetCommand({ cluster: "ext3", service: "web", taskSet: blue?.taskSetArn }),
    );
    expect(deleted).toMatchObject({ id: blueId, status: "DRAINING" });
    await until("the deleted task set gone", async () => {
      await play.agentStep("ext3");
      return (await service("ext3")).taskSets?.length === 1;
    });
    const { taskSets, failures } = await ecs().send(
      new DescribeTaskSetsCommand({ cluster: "ext3", service: "web", taskSets: [blueId, greenId], include: ["TAGS"] }),
    );
    expect(taskSets?.map((ts) => ts.id)).toEqual([greenId]);
    expect(taskSets?.[0].tags).toEqual([]);
    expect(failures).toEqual([{ arn: blueId, reason: "MISSING" }]);

    // Tagged by its ARN, as any resource.
    const resourceArn = green?.taskSetArn as string;
    await ecs().send(new TagResourceCommand({ resourceArn, tags: [{ key: "color", value: "green" }] }));
    expect((await ecs().send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
      { key: "color", value: "green" },
    ]);
    expect(await failure(ecs().send(new ListTagsForResourceCommand({ resourceArn: blue?.taskSetArn })))).toMatchObject({
      name: "ResourceNotFoundException",
    });
  });

  it("replaces a task set's stopped task, and drains a task set with its tasks", async () => {
    await cluster("ext4");
    await createService({ cluster: "ext4", desiredCount: 2 });
    const { taskSet } = await createTaskSet({ cluster: "ext4" });
    const id = taskSet?.id as string;
    await untilSteady("ext4", { [id]: 2 });
    const [victim] = ofTaskSet(await play.tasksOf("ext4"), id);
    await play.report("ext4", victim, "STOPPED", "Essential container in task exited");
    await until("a replacement", async () => {
      const tasks = ofTaskSet(await play.tasksOf("ext4"), id);
      return tasks.length === 2 && !tasks.some((t) => t.taskArn === victim.taskArn);
    });
    await untilSteady("ext4", { [id]: 2 });

    // Deleted with force while it runs tasks: they are stopped, then the task set is gone.
    const { taskSet: draining } = await ecs().send(
      new DeleteTaskSetCommand({ cluster: "ext4", service: "web", taskSet: id, force: true }),
    );
    expect(draining).toMatchObject({ status: "DRAINING", computedDesiredCount: 0 });
    expect((await describeTaskSet("ext4", id))?.status).toBe("DRAINING");
    await until("no task left", async () => {
      await play.agentStep("ext4");
      const s = await service("ext4");
      return s.taskSets?.length === 0 && live(await play.tasksOf("ext4")).length === 0;
    });
    const stopped = (await play.tasksOf("ext4")).filter((t) => t.startedBy === id && t.lastStatus === "STOPPED");
    expect(stopped.some((t) => t.stoppedReason === `Scaling activity initiated by (deployment ${id})`)).toBe(true);
    const said = messages(await service("ext4"));
    expect(said.some((m) => m.startsWith(`(service web, taskSet ${id}) has stopped 2 running tasks: (task `))).toBe(
      true,
    );
  });

  it("answers a retried CreateTaskSet with the same task set, and deletes the service with its task sets", async () => {
    await cluster("ext5");
    await createService({ cluster: "ext5", desiredCount: 1 });
    const first = await createTaskSet({ cluster: "ext5", clientToken: "token-1" });
    const again = await createTaskSet({ cluster: "ext5", clientToken: "token-1" });
    expect(again.taskSet?.id).toBe(first.taskSet?.id);
    expect(
      await failure(createTaskSet({ cluster: "ext5", clientToken: "token-1", taskDefinition: "ext5:2" })),
    ).toMatchObject({ name: "InvalidParameterException" });
    expect((await service("ext5")).taskSets).toHaveLength(1);
    await untilSteady("ext5", { [first.taskSet?.id as string]: 1 });

    const { service: deleting } = await ecs().send(
      new DeleteServiceCommand({ cluster: "ext5", service: "web", force: true }),
    );
    expect(deleting?.status).toBe("DRAINING");
    expect(deleting?.taskSets?.map((ts) => ts.status)).toEqual(["DRAINING"]);
    await until("an INACTIVE service", async () => {
      await play.agentStep("ext5");
      return (await service("ext5")).status === "INACTIVE";
    });
    expect(await failure(createTaskSet({ cluster: "ext5" }))).toMatchObject({ name: "ServiceNotActiveException" });
  });

  // Four CLI processes, each a Python start-up of seconds on a loaded machine.
  it("works with the AWS CLI", { skip: !awsCliPresent(), timeout: 90_000 }, async () => {
    await cluster("extcli");
    const target = { url: berth.url, ...berth.credentials, region: "us-east-1" };
    const cli = async (...args: string[]) => JSON.parse(await awsEcs(target, [...args, "--output", "json"]));
    await cli(
      "create-service",
      "--cluster",
      "extcli",
      "--service-name",
      "web",
      "--desired-count",
      "2",
      "--deployment-controller",
      "type=EXTERNAL",
    );
    const created = await cli(
      "create-task-set",
      "--cluster",
      "extcli",
      "--service",
      "web",
      "--task-definition",
      "extcli",
      "--scale",
      "unit=PERCENT,value=50",
    );
    expect(created.taskSet).toMatchObject({
      status: "ACTIVE",
      computedDesiredCount: 1,
      taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/extcli:2",
      scale: { value: 50, unit: "PERCENT" },
    });
    const primary = await cli(
      "update-service-primary-task-set",
      "--cluster",
      "extcli",
      "--service",
      "web",
      "--primary-task-set",
      created.taskSet.id,
    );
    expect(primary.taskSet.status).toBe("PRIMARY");
    const described = await cli("describe-task-sets", "--cluster", "extcli", "--service", "web");
    expect(described.taskSets.map((ts: TaskSet) => ts.id)).toEqual([created.taskSet.id]);
  });
});
