import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  SubmitTaskStateChangeCommand,
  TagResourceCommand,
  type Task,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentBounds } from "../../core/services/bounds.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";

/**
 * Services through the ECS SDK against the in-process server, its scheduler running as in local
 * mode (FIFO queue, poller, sweep). There is no agent: the tests play it, reporting tasks RUNNING
 * or STOPPED with SubmitTaskStateChange as an agent would.
 */
let berth: TestBerth;
let ecs: ECSClient;
beforeAll(async () => {
  berth = await startBerth(undefined, { scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 } });
  ecs = berth.ecs;
});
afterAll(() => berth.stop());

const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];

async function registerInstance(cluster: string, n: number, memory = 4096) {
  const { containerInstance } = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 2048 },
        { name: "MEMORY", type: "INTEGER", integerValue: memory },
      ],
      attributes: [{ name: "ecs.availability-zone", value: AZS[n % 3] }],
    }),
  );
  return containerInstance?.containerInstanceArn as string;
}

/** A cluster with `instances` instances and a task family of its own name (revision 1). */
async function cluster(name: string, instances = 3) {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  const arns: string[] = [];
  for (let i = 0; i < instances; i++) arns.push(await registerInstance(name, i));
  await revision(name);
  return arns;
}

const revision = (family: string, memory = 128) =>
  ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{ name: "app", image: "busybox", memory, essential: true }],
    }),
  );

const createService = (input: Partial<CreateServiceCommandInput> & { cluster: string }) =>
  ecs.send(new CreateServiceCommand({ serviceName: "web", taskDefinition: input.cluster, desiredCount: 3, ...input }));

async function describe1(clusterName: string, service = "web"): Promise<Service> {
  const { services } = await ecs.send(
    new DescribeServicesCommand({ cluster: clusterName, services: [service], include: ["TAGS"] }),
  );
  return services?.[0] as Service;
}

async function tasksOf(clusterName: string, service = "web"): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    const page = await ecs.send(new ListTasksCommand({ cluster: clusterName, serviceName: service, desiredStatus }));
    arns.push(...(page.taskArns ?? []));
  }
  if (arns.length === 0) return [];
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const page = await ecs.send(new DescribeTasksCommand({ cluster: clusterName, tasks: arns.slice(i, i + 100) }));
    tasks.push(...(page.tasks ?? []));
  }
  return tasks;
}

const report = (clusterName: string, task: Task, status: "RUNNING" | "STOPPED", reason?: string) =>
  ecs.send(new SubmitTaskStateChangeCommand({ cluster: clusterName, task: task.taskArn, status, reason }));

/**
 * One step of a well-behaved agent: pending tasks start (at most `limit` of them), tasks asked
 * to stop stop. `fails` picks tasks that die before RUNNING instead.
 */
async function agentStep(clusterName: string, options: { limit?: number; fails?: (t: Task) => boolean } = {}) {
  const tasks = await tasksOf(clusterName);
  let started = 0;
  for (const task of tasks) {
    if (task.lastStatus === "STOPPED") continue;
    if (task.desiredStatus === "STOPPED") await report(clusterName, task, "STOPPED");
    else if (task.lastStatus === "PENDING" && started < (options.limit ?? Number.POSITIVE_INFINITY)) {
      started++;
      if (options.fails?.(task)) await report(clusterName, task, "STOPPED", "CannotStartContainerError: exit 1");
      else await report(clusterName, task, "RUNNING");
    }
  }
}

/** Plays the agent until the service is stable the way ECS's services-stable waiter means it. */
async function untilStable(clusterName: string, step: Parameters<typeof agentStep>[1] = {}) {
  return until("a stable service", async () => {
    await agentStep(clusterName, step);
    const service = await describe1(clusterName);
    const stable = service.deployments?.length === 1 && service.runningCount === service.desiredCount;
    return stable && service.pendingCount === 0 && service;
  });
}

const messages = (service: Service) => (service.events ?? []).map((e) => e.message as string);
const live = (tasks: Task[]) => tasks.filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus !== "STOPPED");

describe("a REPLICA service", () => {
  it("places its tasks, reaches a steady state, and passes the services-stable waiter", async () => {
    await cluster("rs1");
    const { service } = await createService({ cluster: "rs1" });
    expect(service).toMatchObject({
      serviceName: "web",
      status: "ACTIVE",
      desiredCount: 3,
      schedulingStrategy: "REPLICA",
      launchType: "EC2",
      deploymentController: { type: "ECS" },
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    });
    expect(service?.serviceArn).toBe("arn:aws:ecs:us-east-1:000000000000:service/rs1/web");
    const [deployment] = service?.deployments ?? [];
    expect(deployment).toMatchObject({ status: "PRIMARY", rolloutState: "IN_PROGRESS", desiredCount: 3 });
    expect(deployment.id).toMatch(/^ecs-svc\/\d{19}$/);

    const placed = await until("3 tasks placed", async () => {
      const tasks = await tasksOf("rs1");
      return tasks.length === 3 && tasks;
    });
    for (const task of placed) {
      expect(task).toMatchObject({ group: "service:web", startedBy: deployment.id, lastStatus: "PENDING" });
    }
    // Spread over zones by default: one task in each.
    expect(new Set(placed.map((t) => t.availabilityZone)).size).toBe(3);
    expect((await describe1("rs1")).pendingCount).toBe(3);

    await untilStable("rs1");
    await waitUntilServicesStable(
      { client: ecs, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
      { cluster: "rs1", services: ["web"] },
    );
    const steady = await until("the steady-state event", async () => {
      const s = await describe1("rs1");
      return messages(s).includes("(service web) has reached a steady state.") && s;
    });
    expect(steady).toMatchObject({ runningCount: 3, pendingCount: 0, desiredCount: 3 });
    expect(steady.deployments?.[0]).toMatchObject({ runningCount: 3, rolloutState: "COMPLETED" });
    const started = messages(steady).find((m) => m.startsWith("(service web) has started 3 tasks: ")) ?? "";
    for (const task of placed) expect(started).toContain(`(task ${task.taskArn?.split("/").pop()})`);
    expect(started).toMatch(/^\(service web\) has started 3 tasks: \(task \w{32}\) \(task \w{32}\) \(task \w{32}\)\.$/);
    expect(messages(steady)).toContain(`(service web) (deployment ${deployment.id}) deployment completed.`);

    // The cluster counts it.
    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ["rs1"], include: ["STATISTICS"] }));
    expect(clusters?.[0].activeServicesCount).toBe(1);
    expect(clusters?.[0].statistics).toContainEqual({ name: "activeEC2ServiceCount", value: "1" });

    // Nothing changes while nothing happens: no second steady-state event.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const later = await describe1("rs1");
    expect(messages(later).filter((m) => m.includes("steady state"))).toHaveLength(1);
  });

  it("replaces a task that stops, and says so", async () => {
    await cluster("rs2");
    await createService({ cluster: "rs2", desiredCount: 2 });
    await untilStable("rs2");
    const [victim] = live(await tasksOf("rs2"));
    await report("rs2", victim, "STOPPED", "Essential container in task exited");
    const replacement = await until("a replacement", async () => {
      const tasks = live(await tasksOf("rs2"));
      return tasks.length === 2 && tasks.find((t) => t.taskArn !== victim.taskArn && t.lastStatus === "PENDING");
    });
    const service = await describe1("rs2");
    const id = replacement.taskArn?.split("/").pop();
    expect(messages(service)[0]).toBe(`(service web) has started 1 tasks: (task ${id}).`);
    await untilStable("rs2");
  });

  it("scales out and in with UpdateService", async () => {
    await cluster("rs3");
    await createService({ cluster: "rs3", desiredCount: 1 });
    await untilStable("rs3");
    await ecs.send(new UpdateServiceCommand({ cluster: "rs3", service: "web", desiredCount: 4 }));
    expect((await untilStable("rs3")).runningCount).toBe(4);
    await ecs.send(new UpdateServiceCommand({ cluster: "rs3", service: "web", desiredCount: 2 }));
    const service = await untilStable("rs3");
    expect(service.runningCount).toBe(2);
    expect(messages(service).some((m) => /has stopped 2 running tasks/.test(m))).toBe(true);
    const stopped = (await tasksOf("rs3")).filter((t) => t.lastStatus === "STOPPED");
    expect(stopped[0]).toMatchObject({ stopCode: "ServiceSchedulerInitiated" });
    expect(stopped[0].stoppedReason).toMatch(/^Scaling activity initiated by \(deployment ecs-svc\/\d{19}\)$/);
  });

  it.each([
    [4, 50, 150],
    [3, 100, 200],
  ])(
    "rolls %i tasks to a new revision (minimum %i, maximum %i percent) within the bounds at every step",
    async (desired, min, max) => {
      const name = `roll${desired}-${min}`;
      await cluster(name);
      await createService({
        cluster: name,
        desiredCount: desired,
        deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max },
      });
      await untilStable(name);
      const { taskDefinition } = await revision(name, 64);
      await ecs.send(new UpdateServiceCommand({ cluster: name, service: "web", taskDefinition: `${name}:2` }));
      const updated = await describe1(name);
      expect(updated.deployments?.map((d) => [d.status, d.taskDefinition])).toEqual([
        ["PRIMARY", taskDefinition?.taskDefinitionArn],
        ["ACTIVE", `arn:aws:ecs:us-east-1:000000000000:task-definition/${name}:1`],
      ]);

      const { minHealthy, maxRunning } = deploymentBounds(desired, min, max);
      const service = await until(
        "the rollout to complete",
        async () => {
          const tasks = await tasksOf(name);
          const healthy = tasks.filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING");
          expect(healthy.length).toBeGreaterThanOrEqual(minHealthy);
          expect(live(tasks).length).toBeLessThanOrEqual(maxRunning);
          await agentStep(name, { limit: 1 });
          const s = await describe1(name);
          const done = s.deployments?.length === 1 && s.deployments[0].rolloutState === "COMPLETED";
          return done && s.runningCount === desired && s.pendingCount === 0 && s;
        },
        30_000,
      );
      expect(service.deployments?.[0]).toMatchObject({ rolloutState: "COMPLETED", runningCount: desired });
      const running = live(await tasksOf(name));
      expect(running.every((t) => t.taskDefinitionArn === taskDefinition?.taskDefinitionArn)).toBe(true);
    },
  );

  it("fails a deployment whose tasks never start (circuit breaker) and rolls back", async () => {
    await cluster("cb");
    await createService({
      cluster: "cb",
      desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    await untilStable("cb");
    // The waiter's counts can be met a round before the scheduler marks the deployment COMPLETED,
    // and a rollback returns only to a completed deployment, as on ECS.
    const before = await until("the first deployment to complete", async () => {
      const s = await describe1("cb");
      return s.deployments?.[0].rolloutState === "COMPLETED" && s;
    });
    const good = before.deployments?.[0];
    await revision("cb");
    await ecs.send(new UpdateServiceCommand({ cluster: "cb", service: "web", taskDefinition: "cb:2" }));
    const bad = (await describe1("cb")).deployments?.[0];
    const failing = (t: Task) => t.taskDefinitionArn?.endsWith(":2") ?? false;

    const rolledBack = await until(
      "the rollback",
      async () => {
        await agentStep("cb", { fails: failing });
        const s = await describe1("cb");
        return s.deployments?.[0].id === good?.id && s;
      },
      60_000,
    );
    expect(rolledBack.taskDefinition).toBe(good?.taskDefinition);
    // Rolling back makes the last completed deployment PRIMARY again (it may have completed already).
    expect(rolledBack.deployments?.[0].status).toBe("PRIMARY");
    expect(rolledBack.deployments?.[0].rolloutStateReason).toMatch(
      /^ECS deployment circuit breaker: rolling back to deploymentId ecs-svc\/\d{19}\.$|completed\.$/,
    );
    const events = messages(rolledBack);
    expect(events).toContain(`(service web) (deployment ${bad?.id}) deployment failed: tasks failed to start.`);
    expect(events).toContain(`(service web) rolling back to (deployment ${good?.id}).`);
    // The breaker trips at 10 failed starts; tasks of the bad deployment still pending at the
    // rollback are stopped by the scheduler instead, so count only the failed ones.
    const stopped = (await tasksOf("cb")).filter((t) => t.startedBy === bad?.id && t.lastStatus === "STOPPED");
    expect(stopped.filter((t) => t.stopCode === "TaskFailedToStart").length).toBeGreaterThanOrEqual(10);

    const settled = await untilStable("cb", { fails: failing });
    expect(settled.deployments).toHaveLength(1);
    expect(settled.deployments?.[0]).toMatchObject({ id: good?.id, rolloutState: "COMPLETED" });
    expect(live(await tasksOf("cb")).every((t) => t.taskDefinitionArn === good?.taskDefinition)).toBe(true);
    // Ten failed starts, each a scheduler round: about 10 s on DynamoDB Local, more on a loaded machine.
  }, 90_000);

  it("says why a task cannot be placed, once", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "full" }));
    await registerInstance("full", 0, 256);
    await revision("full", 200);
    await createService({ cluster: "full", desiredCount: 2 });
    const service = await until("the placement failure event", async () => {
      const s = await describe1("full");
      return messages(s).some((m) => m.includes("unable to place")) && s;
    });
    const instanceId = (await tasksOf("full"))[0]?.containerInstanceArn?.split("/").pop();
    expect(messages(service)).toContain(
      `(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${instanceId}) has insufficient memory available. For more information, see the Troubleshooting section.`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(messages(await describe1("full")).filter((m) => m.includes("unable to place"))).toHaveLength(1);
  });
});

describe("a DAEMON service", () => {
  it("runs one task per instance, on new instances too, and leaves a draining one", async () => {
    const instances = await cluster("dm");
    const { service } = await createService({ cluster: "dm", schedulingStrategy: "DAEMON", desiredCount: undefined });
    expect(service?.deploymentConfiguration).toMatchObject({ minimumHealthyPercent: 0, maximumPercent: 100 });
    const onEach = async (n: number) =>
      until(`${n} daemon tasks`, async () => {
        await agentStep("dm");
        const tasks = live(await tasksOf("dm"));
        const s = await describe1("dm");
        const one = new Set(tasks.map((t) => t.containerInstanceArn)).size === tasks.length;
        return tasks.length === n && one && s.desiredCount === n && s.runningCount === n && tasks;
      });
    await onEach(3);
    const fourth = await registerInstance("dm", 3);
    const tasks = await onEach(4);
    expect(tasks.some((t) => t.containerInstanceArn === fourth)).toBe(true);

    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: "dm",
        containerInstances: [instances[0]],
        status: "DRAINING",
      }),
    );
    const left = await onEach(3);
    expect(left.some((t) => t.containerInstanceArn === instances[0])).toBe(false);
  });

  it("refuses a desired count", async () => {
    await cluster("dm2", 1);
    await expect(
      createService({ cluster: "dm2", schedulingStrategy: "DAEMON", desiredCount: 2 }),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
      message:
        "The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again",
    });
  });
});

describe("DeleteService", () => {
  it("refuses a service scaled above 0 without force, and drains it with force", async () => {
    await cluster("del");
    await createService({ cluster: "del", desiredCount: 2 });
    await untilStable("del");
    await expect(ecs.send(new DeleteServiceCommand({ cluster: "del", service: "web" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "The service cannot be stopped while it is scaled above 0.",
    });
    await expect(ecs.send(new DeleteClusterCommand({ cluster: "del" }))).rejects.toMatchObject({
      name: "ClusterContainsServicesException",
    });
    const { service } = await ecs.send(new DeleteServiceCommand({ cluster: "del", service: "web", force: true }));
    expect(service).toMatchObject({ status: "DRAINING", desiredCount: 0 });
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: "del", service: "web", desiredCount: 1 })),
    ).rejects.toMatchObject({ name: "ServiceNotActiveException" });
    const gone = await until("INACTIVE", async () => {
      await agentStep("del");
      const s = await describe1("del");
      return s.status === "INACTIVE" && s;
    });
    expect(gone.runningCount).toBe(0);
    expect(live(await tasksOf("del"))).toHaveLength(0);
    expect((await ecs.send(new ListServicesCommand({ cluster: "del" }))).serviceArns).toEqual([]);
    // The name is free again.
    await createService({ cluster: "del", desiredCount: 0 });
  });

  it("deletes a service scaled to 0 without force", async () => {
    await cluster("del0", 1);
    await createService({ cluster: "del0", desiredCount: 0 });
    const { service } = await ecs.send(new DeleteServiceCommand({ cluster: "del0", service: "web" }));
    expect(service?.status).toBe("DRAINING");
    await until("INACTIVE", async () => (await describe1("del0")).status === "INACTIVE");
    await expect(ecs.send(new DeleteServiceCommand({ cluster: "del0", service: "web" }))).rejects.toMatchObject({
      name: "ServiceNotFoundException",
    });
  });
});

describe("service API", () => {
  beforeAll(() => cluster("api", 1));

  it("is idempotent on a repeated CreateService and refuses a different one", async () => {
    const first = await createService({ cluster: "api", serviceName: "same", desiredCount: 0 });
    const again = await createService({ cluster: "api", serviceName: "same", desiredCount: 0 });
    expect(again.service?.deployments?.[0].id).toBe(first.service?.deployments?.[0].id);
    await expect(createService({ cluster: "api", serviceName: "same", desiredCount: 1 })).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Creation of service was not idempotent.",
    });
  });

  it("answers ECS's errors", async () => {
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: "api", service: "nope", desiredCount: 1 })),
    ).rejects.toMatchObject({ name: "ServiceNotFoundException" });
    await expect(createService({ cluster: "api", serviceName: "x", desiredCount: undefined })).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    await expect(
      createService({ cluster: "api", serviceName: "x", deploymentController: { type: "CODE_DEPLOY" } }),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(
      createService({ cluster: "api", serviceName: "x", placementConstraints: [{ type: "memberOf" }] }),
    ).rejects.toMatchObject({ name: "InvalidParameterException", message: "memberOf expression must be specified." });
    await expect(createService({ cluster: "nocluster" })).rejects.toMatchObject({ name: "ClusterNotFoundException" });
  });

  it("describes with failures and tags, lists with filters and pages, tags by ARN", async () => {
    for (const n of ["l1", "l2", "l3"]) {
      await createService({ cluster: "api", serviceName: n, desiredCount: 0, tags: [{ key: "team", value: n }] });
    }
    await createService({ cluster: "api", serviceName: "d1", schedulingStrategy: "DAEMON", desiredCount: undefined });
    const { services, failures } = await ecs.send(
      new DescribeServicesCommand({ cluster: "api", services: ["l1", "ghost"], include: ["TAGS"] }),
    );
    expect(services?.[0].tags).toEqual([{ key: "team", value: "l1" }]);
    // A name ECS cannot find is reported by its short-form ARN (see ecsFidelity.test.ts).
    expect(failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:000000000000:service/ghost", reason: "MISSING" }]);
    const untagged = await ecs.send(new DescribeServicesCommand({ cluster: "api", services: ["l1"] }));
    expect(untagged.services?.[0].tags).toBeUndefined();

    const daemons = await ecs.send(new ListServicesCommand({ cluster: "api", schedulingStrategy: "DAEMON" }));
    expect(daemons.serviceArns).toEqual(["arn:aws:ecs:us-east-1:000000000000:service/api/d1"]);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListServicesCommand({ cluster: "api", maxResults: 2, nextToken }));
      expect(page.serviceArns?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen.map((a) => a.split("/").pop())).toEqual(expect.arrayContaining(["d1", "l1", "l2", "l3"]));

    const arn = services?.[0].serviceArn as string;
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "env", value: "prod" }] }));
    const { tags } = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags).toEqual([
      { key: "team", value: "l1" },
      { key: "env", value: "prod" },
    ]);
  });
});
