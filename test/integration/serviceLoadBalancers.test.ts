import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  CreateTaskSetCommand,
  DeleteServiceCommand,
  DeleteTaskSetCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  type ECSClient,
  ListContainerInstancesCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type Task,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Moto, motoMissing, startMoto } from "../cloud/standIns/moto.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { until } from "../support/poll.ts";
import { messages, servicePlay } from "../support/servicePlay.ts";
import { startTargetHealthProxy, type TargetHealthProxy } from "../support/targetHealthProxy.ts";

/**
 * Services with loadBalancers, through the ECS SDK against the in-process server, with moto's
 * server as the ELBv2 API (BERTH_ELBV2_ENDPOINT in local mode). The tests play the agent, as
 * services.test.ts does, reporting the host ports Docker would have bound (networkBindings).
 */
const missing = motoMissing();
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let moto: Moto;
/** Berth reaches moto through it, so that a test can make targets fail their health checks. */
let proxy: TargetHealthProxy;
let berth: TestBerth;
let ecs: ECSClient;
let play: ReturnType<typeof servicePlay>;
let elb: ElasticLoadBalancingV2Client;
let vpcId: string;
/** The load balancer whose listeners forward to the tests' target groups, one port each. */
let loadBalancerArn: string;
let listenerPort = 8000;

beforeAll(async () => {
  if (missing) return;
  moto = await startMoto("000000000000");
  proxy = await startTargetHealthProxy(moto.endpoint);
  berth = await startBerth(undefined, {
    scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 },
    elbv2: { endpoint: proxy.endpoint, credentials },
  });
  ecs = berth.ecs;
  play = servicePlay(ecs);
  elb = new ElasticLoadBalancingV2Client({ endpoint: moto.endpoint, region: "us-east-1", credentials });
  const ec2 = new EC2Client({ endpoint: moto.endpoint, region: "us-east-1", credentials });
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId as string;
  const subnets: string[] = [];
  for (const [n, zone] of ["us-east-1a", "us-east-1b"].entries()) {
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${n}.0/24`, AvailabilityZone: zone }),
    );
    subnets.push(Subnet?.SubnetId as string);
  }
  ec2.destroy();
  const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: "berth-tests", Subnets: subnets }));
  loadBalancerArn = LoadBalancers?.[0].LoadBalancerArn as string;
}, 60_000);
afterAll(async () => {
  elb?.destroy();
  await berth?.stop();
  await proxy?.close();
  await moto?.stop();
});

/** A target group a listener of the load balancer forwards to (unless not `attached`: then it takes no traffic). */
async function targetGroup(name: string, targetType: "instance" | "ip" = "instance", attached = true) {
  const { TargetGroups } = await elb.send(
    new CreateTargetGroupCommand({ Name: name, Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: targetType }),
  );
  const arn = TargetGroups?.[0].TargetGroupArn as string;
  if (attached) {
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: "HTTP",
        Port: listenerPort++,
        DefaultActions: [{ Type: "forward", TargetGroupArn: arn }],
      }),
    );
  }
  return arn;
}

/** Draining takes 2 s in that target group (ELBv2's default is 300 s). */
const drainIn2s = (group: string) =>
  elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: group,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "2" }],
    }),
  );

/** A cluster and a task family of its name whose container `web` maps container port 80 to host port 8080. */
async function cluster(name: string) {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [
        { name: "web", image: "busybox", memory: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
      ],
    }),
  );
}

const createService = (input: Partial<CreateServiceCommandInput> & { cluster: string }) =>
  ecs.send(new CreateServiceCommand({ serviceName: "web", taskDefinition: input.cluster, desiredCount: 1, ...input }));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => ({ name: error.name, message: error.message }),
  );

describe.skipIf(missing)("loadBalancers on CreateService and UpdateService", () => {
  it("are kept as given and described back", async () => {
    await cluster("lb1");
    const a = await targetGroup("lb1-a");
    const b = await targetGroup("lb1-b");
    const loadBalancers = [
      { targetGroupArn: a, containerName: "web", containerPort: 80 },
      {
        targetGroupArn: b,
        containerName: "web",
        containerPort: 80,
        // Blue/green's settings, which Berth does not act on, are kept as given too.
        advancedConfiguration: {
          alternateTargetGroupArn: a,
          productionListenerRule: `${loadBalancerArn.replace(":loadbalancer/", ":listener-rule/")}/1/2`,
          roleArn: "arn:aws:iam::000000000000:role/ecs-blue-green",
        },
      },
    ];
    const { service } = await createService({ cluster: "lb1", loadBalancers });
    expect(service?.loadBalancers).toEqual(loadBalancers);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: "lb1", services: ["web"] }));
    expect(services?.[0].loadBalancers).toEqual(loadBalancers);

    // Changing them is a new deployment, as on ECS; the same ones again are not.
    const same = await ecs.send(new UpdateServiceCommand({ cluster: "lb1", service: "web", loadBalancers }));
    expect(same.service?.deployments).toHaveLength(1);
    const fewer = await ecs.send(
      new UpdateServiceCommand({ cluster: "lb1", service: "web", loadBalancers: loadBalancers.slice(0, 1) }),
    );
    expect(fewer.service?.loadBalancers).toEqual(loadBalancers.slice(0, 1));
    expect(fewer.service?.deployments).toHaveLength(2);
  });

  it("are refused, changing nothing, when they do not match the task definition or ELBv2", async () => {
    await cluster("lb2");
    const arn = await targetGroup("lb2-a");
    const ip = await targetGroup("lb2-ip", "ip");
    const loose = await targetGroup("lb2-loose", "instance", false);
    const lb = { targetGroupArn: arn, containerName: "web", containerPort: 80 };
    const cases: [object, string][] = [
      [{ ...lb, containerName: "api" }, "The container api does not exist in the task definition."],
      [{ ...lb, containerPort: 81 }, "The container web did not have a container port 81 defined."],
      [
        { ...lb, targetGroupArn: `${arn.slice(0, -4)}0000` },
        `Unable to find the target group ${arn.slice(0, -4)}0000.`,
      ],
      [
        { ...lb, targetGroupArn: ip },
        `The provided target group ${ip} has target type ip, which is incompatible with the bridge network mode specified in the task definition.`,
      ],
      [
        { ...lb, targetGroupArn: loose },
        `The target group with targetGroupArn ${loose} does not have an associated load balancer.`,
      ],
      [
        { loadBalancerName: "classic", containerName: "web", containerPort: 80 },
        "Classic Load Balancers are not supported by Berth: give a targetGroupArn instead.",
      ],
    ];
    for (const [given, message] of cases) {
      expect(await refusal(createService({ cluster: "lb2", loadBalancers: [given] }))).toEqual({
        name: "InvalidParameterException",
        message,
      });
    }
    const { services, failures } = await ecs.send(new DescribeServicesCommand({ cluster: "lb2", services: ["web"] }));
    expect(services).toEqual([]);
    expect(failures?.[0].reason).toBe("MISSING");

    // On UpdateService too; the service keeps what it had.
    await createService({ cluster: "lb2", loadBalancers: [lb] });
    const bad = await refusal(
      ecs.send(
        new UpdateServiceCommand({ cluster: "lb2", service: "web", loadBalancers: [{ ...lb, containerPort: 81 }] }),
      ),
    );
    expect(bad?.message).toBe("The container web did not have a container port 81 defined.");
    const unattached = await refusal(
      ecs.send(
        new UpdateServiceCommand({ cluster: "lb2", service: "web", loadBalancers: [{ ...lb, targetGroupArn: loose }] }),
      ),
    );
    expect(unattached).toEqual({
      name: "InvalidParameterException",
      message: `The target group with targetGroupArn ${loose} does not have an associated load balancer.`,
    });
    // A new revision without the container the load balancer names is refused as well.
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "lb2",
        containerDefinitions: [{ name: "other", image: "busybox", memory: 64 }],
      }),
    );
    const revision = await refusal(
      ecs.send(new UpdateServiceCommand({ cluster: "lb2", service: "web", taskDefinition: "lb2:2" })),
    );
    expect(revision?.message).toBe("The container web does not exist in the task definition.");
    const { services: after } = await ecs.send(new DescribeServicesCommand({ cluster: "lb2", services: ["web"] }));
    expect(after?.[0]).toMatchObject({ loadBalancers: [lb], taskDefinition: expect.stringMatching(/lb2:1$/) });
    expect(after?.[0].deployments).toHaveLength(1);
  });
});

describe.skipIf(missing)("CreateService retried with its clientToken", () => {
  it("answers the service it created without asking ELBv2 again", async () => {
    await cluster("lbt");
    const group = await targetGroup("lbt-a");
    const input = {
      cluster: "lbt",
      clientToken: "lbt-retry",
      loadBalancers: [{ targetGroupArn: group, containerName: "web", containerPort: 80 }],
    };
    const first = await createService(input);
    proxy.refusing.add("DescribeTargetGroups");
    try {
      const again = await createService(input);
      expect(again.service?.serviceArn).toBe(first.service?.serviceArn);
      expect(again.service?.loadBalancers).toEqual(input.loadBalancers);
    } finally {
      proxy.refusing.delete("DescribeTargetGroups");
    }
  });
});

describe("loadBalancers without an ELBv2 endpoint", () => {
  it("are refused, saying how to configure one", async () => {
    const plain = await startBerth();
    try {
      await plain.ecs.send(new CreateClusterCommand({ clusterName: "lb0" }));
      await plain.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "lb0",
          containerDefinitions: [{ name: "web", image: "busybox", memory: 64, portMappings: [{ containerPort: 80 }] }],
        }),
      );
      const error = await refusal(
        plain.ecs.send(
          new CreateServiceCommand({
            cluster: "lb0",
            serviceName: "web",
            taskDefinition: "lb0",
            desiredCount: 1,
            loadBalancers: [
              {
                targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/0123456789abcdef",
                containerName: "web",
                containerPort: 80,
              },
            ],
          }),
        ),
      );
      expect(error?.name).toBe("InvalidParameterException");
      expect(error?.message).toContain("BERTH_ELBV2_ENDPOINT");
    } finally {
      await plain.stop();
    }
  });
});

/** A container instance, on the EC2 instance its identity document names (none: no EC2 instance id). */
const registerInstance = (clusterName: string, instanceId?: string, zone = "us-east-1a") =>
  ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: clusterName,
      instanceIdentityDocument: instanceId && JSON.stringify({ instanceId, availabilityZone: zone }),
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
      ],
    }),
  );

/** Container instances on EC2 instances i-0<cluster><n>, in three zones. */
async function instances(clusterName: string, count: number) {
  for (let n = 0; n < count; n++) {
    await registerInstance(clusterName, `i-0${clusterName}${n}`.padEnd(19, "0"), `us-east-1${"abc"[n % 3]}`);
  }
}

/** The agent's part: pending tasks start, with Docker's binding of container port 80 to host port 8080; tasks asked to stop stop. */
const agentStep = (clusterName: string, crashes?: (t: Task) => boolean) =>
  play.agentStep(clusterName, crashes, [
    {
      containerName: "web",
      status: "RUNNING",
      networkBindings: [{ bindIP: "0.0.0.0", containerPort: 80, hostPort: 8080, protocol: "tcp" }],
    },
  ]);

/** Plays the agent until the service's one task runs, registered in `group`; returns it. */
async function untilRegistered(clusterName: string, group: string): Promise<Task> {
  const [task] = await until("the task registered", async () => {
    await agentStep(clusterName);
    const running = (await play.tasksOf(clusterName)).filter((t) => t.lastStatus === "RUNNING");
    return running.length === 1 && (await registered(group)).length === 1 && running;
  });
  return task;
}

/** What the target group has registered, as `instance:port` (moto reports every registered target healthy: it checks no real target). */
async function registered(targetGroupArn: string): Promise<string[]> {
  const { TargetHealthDescriptions } = await elb.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
  );
  return (TargetHealthDescriptions ?? []).map((d) => `${d.Target?.Id}:${d.Target?.Port}`).sort();
}

const instanceOf = (task: Task, arns: Map<string, string>) => arns.get(task.containerInstanceArn ?? "");

/** Container instance ARN → EC2 instance id, as the cluster has them. */
async function ec2Ids(clusterName: string): Promise<Map<string, string>> {
  const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: clusterName }));
  const { containerInstances } = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster: clusterName, containerInstances: containerInstanceArns }),
  );
  return new Map((containerInstances ?? []).map((c) => [c.containerInstanceArn as string, c.ec2InstanceId as string]));
}

describe.skipIf(missing)("the scheduler and a service's target groups", () => {
  it("registers running tasks, deregisters one that stops, and drains old tasks before stopping them in a deployment", async () => {
    await cluster("lbs");
    await instances("lbs", 3);
    const arns = await ec2Ids("lbs");
    const group = await targetGroup("lbs-a");
    await drainIn2s(group);
    await createService({
      cluster: "lbs",
      desiredCount: 2,
      loadBalancers: [{ targetGroupArn: group, containerName: "web", containerPort: 80 }],
    });

    // Running tasks are registered: their instance and the host port Docker bound.
    const first = await until("2 targets registered", async () => {
      await agentStep("lbs");
      const targets = await registered(group);
      return targets.length === 2 && targets;
    });
    const running = (await play.tasksOf("lbs")).filter((t) => t.lastStatus === "RUNNING");
    expect(first).toEqual(running.map((t) => `${instanceOf(t, arns)}:8080`).sort());
    const afterRegistration = await play.describeService("lbs");
    const said = messages(afterRegistration).filter((m) => m.includes("registered"));
    expect(said.length).toBeGreaterThan(0);
    for (const m of said)
      expect(m).toMatch(new RegExp(`^\\(service web\\) registered [12] targets in \\(target-group ${group}\\)$`));

    // A task that stops on its own leaves the target group; its replacement joins it.
    const [victim] = running;
    await play.report("lbs", victim, "STOPPED", "exit 1");
    const victimTarget = `${instanceOf(victim, arns)}:8080`;
    await until(
      "the stopped task's target deregistered",
      async () => !(await registered(group)).includes(victimTarget) || undefined,
    );
    await until("a replacement registered", async () => {
      await agentStep("lbs");
      const tasks = (await play.tasksOf("lbs")).filter(
        (t) => t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING",
      );
      const targets = await registered(group);
      return (
        tasks.length === 2 &&
        targets.length === 2 &&
        tasks.every((t) => targets.includes(`${instanceOf(t, arns)}:8080`))
      );
    });
    expect(messages(await play.describeService("lbs"))).toContain(
      `(service web) deregistered 1 targets in (target-group ${group})`,
    );

    // A deployment: each old task is deregistered first, and stopped only after the 2 s delay.
    const old = (await play.tasksOf("lbs")).filter((t) => t.desiredStatus === "RUNNING");
    await ecs.send(new UpdateServiceCommand({ cluster: "lbs", service: "web", forceNewDeployment: true }));
    const left = new Set<string>();
    const stopped = new Set<string>();
    const done = await until(
      "the deployment done",
      async () => {
        await agentStep("lbs");
        const tasks = await play.tasksOf("lbs");
        const targets = await registered(group);
        for (const t of old) {
          const current = tasks.find((x) => x.taskArn === t.taskArn) as Task;
          const target = `${instanceOf(t, arns)}:8080`;
          // Its instance and port may serve a new task later (a fixed host port): only the first departure counts.
          const servedByNew = tasks.some(
            (x) =>
              x.taskArn !== t.taskArn &&
              x.desiredStatus === "RUNNING" &&
              x.lastStatus === "RUNNING" &&
              instanceOf(x, arns) === instanceOf(t, arns),
          );
          if (!targets.includes(target)) left.add(t.taskArn as string);
          if (current.desiredStatus === "STOPPED" && !stopped.has(t.taskArn as string)) {
            stopped.add(t.taskArn as string);
            // Never asked to stop while still registered.
            expect(targets.includes(target) && !servedByNew).toBe(false);
          }
        }
        const service = await play.describeService("lbs");
        return service.deployments?.length === 1 && stopped.size === 2 && service.runningCount === 2 && service;
      },
      60_000,
      100,
    );
    for (const t of old) expect(left.has(t.taskArn as string)).toBe(true);
    expect(messages(done)).toContain("(service web) has begun draining connections on 1 tasks.");
    // Each old task stopped no sooner than the 2 s delay after a drain began, by Berth's own clock.
    expectStopsAfterDrains(done, old, 2000);
    // The new tasks serve: two targets, theirs.
    const serving = (await play.tasksOf("lbs")).filter(
      (t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING",
    );
    await until("the new tasks registered", async () => {
      await agentStep("lbs");
      const targets = await registered(group);
      return (
        targets.join() ===
          serving
            .map((t) => `${instanceOf(t, arns)}:8080`)
            .sort()
            .join() || undefined
      );
    });
    for (const t of serving) expect(old.map((o) => o.taskArn)).not.toContain(t.taskArn);
  }, 120_000);
});

/**
 * Every stop of `tasks` came at least `delayMs` after a drain began, by the service events' own
 * times (a round's events carry its start: a drain's event is no later than its deregistration,
 * a stop's no sooner than the delay after it). The k-th stop needs k drains begun `delayMs` before.
 */
function expectStopsAfterDrains(service: Service, tasks: Task[], delayMs: number) {
  const events = service.events ?? [];
  const at = (e: (typeof events)[number]) => (e.createdAt as Date).getTime();
  const drains = events
    .flatMap((e) => {
      const n = /has begun draining connections on (\d+) tasks/.exec(e.message ?? "")?.[1];
      return n ? Array<number>(Number(n)).fill(at(e)) : [];
    })
    .sort((a, b) => a - b);
  const stops = tasks
    .map((t) => {
      const id = (t.taskArn as string).split("/").pop();
      return events.find(
        (e) => /has stopped \d+ running tasks/.test(e.message ?? "") && e.message?.includes(`(task ${id})`),
      );
    })
    .map((e) => (e ? at(e) : Number.NaN))
    .sort((a, b) => a - b);
  expect(drains.length).toBeGreaterThanOrEqual(stops.length);
  for (const [k, stop] of stops.entries()) expect(stop - drains[k]).toBeGreaterThanOrEqual(delayMs);
}

/** A cluster of `count` instances, a target group, and the service `web` behind it. */
async function balancedService(name: string, count: number, input: Partial<CreateServiceCommandInput> = {}) {
  await cluster(name);
  await instances(name, count);
  const arns = await ec2Ids(name);
  const group = await targetGroup(`${name}-a`);
  await createService({
    cluster: name,
    desiredCount: 1,
    loadBalancers: [{ targetGroupArn: group, containerName: "web", containerPort: 80 }],
    ...input,
  });
  return { arns, group };
}

describe.skipIf(missing)("a deployment behind a target group", () => {
  it("does not replace an old task with a new one whose target is not healthy in the target group", async () => {
    const { arns, group } = await balancedService("lbg", 1);
    const old = await untilRegistered("lbg", group);
    // A second instance with no EC2 instance id: a task there has no target ELBv2 could call
    // healthy (as one that keeps failing its checks, which moto cannot play: it checks no real target).
    await registerInstance("lbg");
    await ecs.send(new UpdateServiceCommand({ cluster: "lbg", service: "web", forceNewDeployment: true }));
    const fresh = await until("the new task RUNNING", async () => {
      await agentStep("lbg");
      return (await play.tasksOf("lbg")).find((t) => t.taskArn !== old.taskArn && t.lastStatus === "RUNNING");
    });
    expect(arns.has(fresh.containerInstanceArn as string)).toBe(false);
    // Rounds go on (the sweep runs every second): the old task keeps serving, the new one is no reason to stop it.
    for (let i = 0; i < 6; i++) {
      await agentStep("lbg");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const tasks = await play.tasksOf("lbg");
    expect(tasks.find((t) => t.taskArn === old.taskArn)).toMatchObject({
      desiredStatus: "RUNNING",
      lastStatus: "RUNNING",
    });
    expect(await registered(group)).toEqual([`${instanceOf(old, arns)}:8080`]);
    const service = await play.describeService("lbg");
    expect(service.deployments?.[0].rolloutState).toBe("IN_PROGRESS");
    expect(messages(service).some((m) => m.includes("draining"))).toBe(false);
  }, 90_000);
});

describe.skipIf(missing)("a task whose target fails its health checks", () => {
  it("is stopped and replaced once past the grace period, and leaves the target group", async () => {
    const { arns, group } = await balancedService("lbu", 2, { healthCheckGracePeriodSeconds: 3 });
    const sick = await untilRegistered("lbu", group);
    const instance = instanceOf(sick, arns) as string;
    proxy.failing.add(instance);
    const stopped = await until(
      "the task stopped",
      async () => {
        await agentStep("lbu");
        const task = (await play.tasksOf("lbu")).find((t) => t.taskArn === sick.taskArn);
        return task?.desiredStatus === "STOPPED" && task;
      },
      30_000,
    );
    proxy.failing.delete(instance);
    expect(stopped).toMatchObject({
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: `Task failed ELB health checks in (target-group ${group})`,
    });
    // Not before the grace period, counted from when it started.
    const stoppingAt = (stopped.stoppingAt ?? stopped.stoppedAt ?? new Date()).getTime();
    expect(stoppingAt - (stopped.startedAt as Date).getTime()).toBeGreaterThanOrEqual(3000);
    const replaced = await until("a replacement registered", async () => {
      await agentStep("lbu");
      const running = (await play.tasksOf("lbu")).filter(
        (t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING",
      );
      const targets = await registered(group);
      return running.length === 1 && targets.join() === `${instanceOf(running[0], arns)}:8080` && running[0];
    });
    expect(replaced.taskArn).not.toBe(sick.taskArn);
    const service = await play.describeService("lbu");
    // A failed task, as ECS counts it (the circuit breaker's count, and the start back-off's).
    expect(service.deployments?.[0].failedTasks).toBe(1);
    expect(messages(service)).toContain(
      `(service web) (instance ${instance}) (port 8080) is unhealthy in (target-group ${group}) due to (reason Health checks failed).`,
    );
  }, 90_000);
});

describe.skipIf(missing)("new load balancers in UpdateService", () => {
  it("take the new tasks, while the old ones drain out of the old target group", async () => {
    const { arns, group: before } = await balancedService("lbc", 2);
    await drainIn2s(before);
    const old = await untilRegistered("lbc", before);
    const after = await targetGroup("lbc-b");
    await ecs.send(
      new UpdateServiceCommand({
        cluster: "lbc",
        service: "web",
        loadBalancers: [{ targetGroupArn: after, containerName: "web", containerPort: 80 }],
      }),
    );
    const fresh = await until("the old target group empty and the new task in the new one", async () => {
      await agentStep("lbc");
      const tasks = await play.tasksOf("lbc");
      const running = tasks.filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING");
      const service = await play.describeService("lbc");
      // The old task stays in the old target group only (the new task has the other instance: the port is taken).
      expect(await registered(after)).not.toContain(`${instanceOf(old, arns)}:8080`);
      const done =
        service.deployments?.length === 1 &&
        running.length === 1 &&
        running[0].taskArn !== old.taskArn &&
        (await registered(before)).length === 0 &&
        (await registered(after)).join() === `${instanceOf(running[0], arns)}:8080`;
      return done && running[0];
    });
    expect(fresh.taskArn).not.toBe(old.taskArn);
    const service = await play.describeService("lbc");
    expect(messages(service)).toContain(`(service web) deregistered 1 targets in (target-group ${before})`);
    expect(messages(service)).toContain(`(service web) registered 1 targets in (target-group ${after})`);
  }, 90_000);

  it("removed (loadBalancers: []), still let the old task drain for the delay before it stops", async () => {
    const { group } = await balancedService("lbe", 2);
    await drainIn2s(group);
    const old = await untilRegistered("lbe", group);
    await ecs.send(new UpdateServiceCommand({ cluster: "lbe", service: "web", loadBalancers: [] }));
    const done = await until("the old task stopped and a new one running", async () => {
      await agentStep("lbe");
      const tasks = await play.tasksOf("lbe");
      const running = tasks.filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING");
      const service = await play.describeService("lbe");
      const stopped = tasks.find((t) => t.taskArn === old.taskArn)?.desiredStatus === "STOPPED";
      return service.deployments?.length === 1 && running.length === 1 && stopped && service;
    });
    expect(await registered(group)).toEqual([]);
    expect(messages(done)).toContain("(service web) has begun draining connections on 1 tasks.");
    expectStopsAfterDrains(done, [old], 2000);
  }, 90_000);

  it("added to a running service, keep its old tasks until new ones are healthy there, and leave the old ones out", async () => {
    await cluster("lbn");
    await instances("lbn", 4);
    const arns = await ec2Ids("lbn");
    await createService({ cluster: "lbn", desiredCount: 2 });
    const old = await until("two tasks running", async () => {
      await agentStep("lbn");
      const running = (await play.tasksOf("lbn")).filter((t) => t.lastStatus === "RUNNING");
      return running.length === 2 && running;
    });
    const group = await targetGroup("lbn-a");
    await ecs.send(
      new UpdateServiceCommand({
        cluster: "lbn",
        service: "web",
        loadBalancers: [{ targetGroupArn: group, containerName: "web", containerPort: 80 }],
      }),
    );
    const oldTargets = old.map((t) => `${instanceOf(t, arns)}:8080`);
    await until(
      "the deployment done",
      async () => {
        const tasks = await play.tasksOf("lbn");
        const targets = await registered(group);
        // The floor (100 %): an old task is asked to stop only once a new one serves in its place.
        const oldStopped = old.filter((o) => tasks.find((t) => t.taskArn === o.taskArn)?.desiredStatus === "STOPPED");
        expect(oldStopped.length).toBeLessThanOrEqual(targets.length);
        for (const target of oldTargets) expect(targets).not.toContain(target);
        await agentStep("lbn");
        const service = await play.describeService("lbn");
        return service.deployments?.length === 1 && oldStopped.length === 2 && service.runningCount === 2;
      },
      60_000,
      100,
    );
  }, 90_000);
});

describe.skipIf(missing)("a deleted load-balanced service", () => {
  it("stays DRAINING while ELBv2 refuses to deregister its targets, and goes INACTIVE once they have left", async () => {
    const { arns, group } = await balancedService("lbx", 1);
    const task = await untilRegistered("lbx", group);
    proxy.refusing.add("DeregisterTargets");
    try {
      await ecs.send(new DeleteServiceCommand({ cluster: "lbx", service: "web", force: true }));
      // Its task stops on its own meanwhile: nothing is left running, but its target is.
      await play.report("lbx", task, "STOPPED", "exit 1");
      // Rounds go on (the sweep runs every second): the service may not be forgotten with its target left behind.
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await play.describeService("lbx")).status).toBe("DRAINING");
      }
      expect(await registered(group)).toEqual([`${instanceOf(task, arns)}:8080`]);
    } finally {
      proxy.refusing.delete("DeregisterTargets");
    }
    await until("the service INACTIVE", async () => (await play.describeService("lbx")).status === "INACTIVE");
    expect(await registered(group)).toEqual([]);
  }, 60_000);
});

describe.skipIf(missing)("a target group deleted under a service", () => {
  it("has its targets forgotten, said in an event, and the service deleted goes INACTIVE", async () => {
    const { group } = await balancedService("lbk", 1);
    await untilRegistered("lbk", group);
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
    const listener = Listeners?.find((l) => l.DefaultActions?.some((a) => a.TargetGroupArn === group));
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener?.ListenerArn }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: group }));
    await ecs.send(new DeleteServiceCommand({ cluster: "lbk", service: "web", force: true }));
    const gone = await until("the service INACTIVE", async () => {
      await agentStep("lbk");
      const service = await play.describeService("lbk");
      return service.status === "INACTIVE" && service;
    });
    expect(messages(gone)).toContain(
      `(service web) could not find (target-group ${group}): its targets are forgotten.`,
    );
  }, 60_000);
});

describe.skipIf(missing)("targets the scheduler did not register", () => {
  it("are left alone, at the instance and port a stopped task of the service had", async () => {
    const { arns, group } = await balancedService("lbo", 1);
    await drainIn2s(group);
    const task = await untilRegistered("lbo", group);
    await ecs.send(new UpdateServiceCommand({ cluster: "lbo", service: "web", desiredCount: 0 }));
    await until("the task stopped and its target gone", async () => {
      await agentStep("lbo");
      const stopped = (await play.tasksOf("lbo")).find((t) => t.taskArn === task.taskArn)?.lastStatus === "STOPPED";
      return stopped && (await registered(group)).length === 0;
    });
    // Something else takes that instance and port in the target group (a target group may be shared).
    const instance = instanceOf(task, arns) as string;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: instance, Port: 8080 }] }));
    // Rounds go on (the sweep runs every second): the stopped task's target left; this one is not its.
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await registered(group)).toEqual([`${instance}:8080`]);
    }
  }, 60_000);
});

describe.skipIf(missing)("a task of an older deployment", () => {
  it("leaves the target groups its own deployment registered it in, and no other", async () => {
    await cluster("lbd");
    await instances("lbd", 2);
    const arns = await ec2Ids("lbd");
    const a = await targetGroup("lbd-a");
    const b = await targetGroup("lbd-b");
    await drainIn2s(a);
    await createService({
      cluster: "lbd",
      loadBalancers: [{ targetGroupArn: a, containerName: "web", containerPort: 80 }],
    });
    const old = await untilRegistered("lbd", a);
    // Something else has a target at the old task's instance and port in the new target group.
    const shared = `${instanceOf(old, arns)}:8080`;
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: b, Targets: [{ Id: instanceOf(old, arns), Port: 8080 }] }),
    );
    await ecs.send(
      new UpdateServiceCommand({
        cluster: "lbd",
        service: "web",
        loadBalancers: [{ targetGroupArn: b, containerName: "web", containerPort: 80 }],
      }),
    );
    const fresh = await until(
      "the deployment done",
      async () => {
        await agentStep("lbd");
        const running = (await play.tasksOf("lbd")).filter(
          (t) => t.desiredStatus === "RUNNING" && t.lastStatus === "RUNNING",
        );
        const service = await play.describeService("lbd");
        const done = service.deployments?.length === 1 && running.length === 1 && running[0].taskArn !== old.taskArn;
        return done && (await registered(a)).length === 0 && running[0];
      },
      60_000,
    );
    expect(await registered(b)).toEqual([shared, `${instanceOf(fresh, arns)}:8080`].sort());
  }, 90_000);
});

describe.skipIf(missing)("a deployment that changed the load balancers, rolled back", () => {
  it("brings back the load balancers of the deployment it rolls back to", async () => {
    const { arns, group: a } = await balancedService("lbr", 2);
    const old = await untilRegistered("lbr", a);
    const b = await targetGroup("lbr-b");
    await ecs.send(
      new UpdateServiceCommand({
        cluster: "lbr",
        service: "web",
        loadBalancers: [{ targetGroupArn: b, containerName: "web", containerPort: 80 }],
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    const failing = (await play.describeService("lbr")).deployments?.[0].id;
    // The new deployment's tasks exit as soon as they start: the circuit breaker trips.
    const rolledBack = await until(
      "the rollback",
      async () => {
        await agentStep("lbr", (t) => t.startedBy === failing);
        const service = await play.describeService("lbr");
        return service.deployments?.[0].id !== failing && service;
      },
      150_000,
    );
    expect(rolledBack.loadBalancers).toEqual([{ targetGroupArn: a, containerName: "web", containerPort: 80 }]);
    expect(await registered(a)).toEqual([`${instanceOf(old, arns)}:8080`]);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: "lbr", services: ["web"] }));
    expect(services?.[0].loadBalancers).toEqual(rolledBack.loadBalancers);
  }, 180_000);
});

describe.skipIf(missing)("a task set's target groups (EXTERNAL services)", () => {
  it("registers each task set's tasks in its own target groups, and drains a deleted task set's", async () => {
    await cluster("lbts");
    await instances("lbts", 2);
    const arns = await ec2Ids("lbts");
    const blue = await targetGroup("lbts-blue");
    const green = await targetGroup("lbts-green");
    await drainIn2s(blue);
    await ecs.send(
      new CreateServiceCommand({
        cluster: "lbts",
        serviceName: "web",
        desiredCount: 1,
        deploymentController: { type: "EXTERNAL" },
      }),
    );
    const taskSet = (targetGroupArn: string, containerPort = 80) =>
      ecs.send(
        new CreateTaskSetCommand({
          cluster: "lbts",
          service: "web",
          taskDefinition: "lbts",
          loadBalancers: [{ targetGroupArn, containerName: "web", containerPort }],
        }),
      );
    // Checked as a service's are.
    expect(await refusal(taskSet(green, 81))).toEqual({
      name: "InvalidParameterException",
      message: "The container web did not have a container port 81 defined.",
    });

    const { taskSet: first } = await taskSet(blue);
    expect(first?.loadBalancers).toEqual([{ targetGroupArn: blue, containerName: "web", containerPort: 80 }]);
    const blueTask = await untilRegistered("lbts", blue);
    expect(blueTask.startedBy).toBe(first?.id);
    expect(await registered(blue)).toEqual([`${instanceOf(blueTask, arns)}:8080`]);

    const { taskSet: second } = await taskSet(green);
    const greenTask = await until("the green task registered", async () => {
      await agentStep("lbts");
      const running = (await play.tasksOf("lbts")).find(
        (t) => t.startedBy === second?.id && t.lastStatus === "RUNNING",
      );
      return running && (await registered(green)).length === 1 && running;
    });
    expect(await registered(green)).toEqual([`${instanceOf(greenTask, arns)}:8080`]);
    expect(await registered(blue)).toEqual([`${instanceOf(blueTask, arns)}:8080`]);
    await ecs.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: "lbts", service: "web", primaryTaskSet: second?.id }),
    );
    expect((await play.describeService("lbts")).loadBalancers).toEqual(second?.loadBalancers);

    // Deleted: its task leaves the blue target group, drains for its 2 s, then stops; green's stays.
    await ecs.send(new DeleteTaskSetCommand({ cluster: "lbts", service: "web", taskSet: first?.id }));
    await until("the blue target deregistered", async () => (await registered(blue)).length === 0);
    const service = await until("the blue task set gone", async () => {
      await agentStep("lbts");
      const s = await play.describeService("lbts");
      return s.taskSets?.length === 1 && s;
    });
    // Said of the task set, as ECS says it.
    expect(messages(service)).toContain(
      `(service web, taskSet ${first?.id}) has begun draining connections on 1 tasks.`,
    );
    const stopped = (await play.tasksOf("lbts")).find((t) => t.taskArn === blueTask.taskArn);
    expect(stopped?.lastStatus).toBe("STOPPED");
    expect(await registered(green)).toEqual([`${instanceOf(greenTask, arns)}:8080`]);
  });
});
