import type { LoadBalancer, Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  drainedAt,
  leavingTargets,
  planTargets,
  type TargetTask,
  targetsHealthy,
  taskTarget,
  taskTargetHealth,
} from "../../../../core/services/targets.ts";

const TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/a/1";
const TG2 = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/b/2";
const web: LoadBalancer = { targetGroupArn: TG, containerName: "web", containerPort: 80 };
const admin: LoadBalancer = { targetGroupArn: TG2, containerName: "web", containerPort: 9000 };

const task = (arn: string, instance: string | undefined, over: Partial<Task> = {}): TargetTask => ({
  ec2InstanceId: instance,
  task: {
    taskArn: arn,
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    containers: [
      {
        name: "web",
        networkBindings: [
          { containerPort: 80, hostPort: 32768, protocol: "tcp" },
          { containerPort: 9000, hostPort: 32769, protocol: "tcp" },
        ],
      },
    ],
    ...over,
  },
});

describe("a load-balanced service's targets", () => {
  it("are the task's instance and the host port bound to the container port", () => {
    expect(taskTarget(task("t1", "i-1"), web)).toEqual({ id: "i-1", port: 32768 });
    expect(taskTarget(task("t1", "i-1"), admin)).toEqual({ id: "i-1", port: 32769 });
    // Not yet bound, another container, or no EC2 instance to name: no target.
    expect(taskTarget(task("t1", "i-1", { containers: [{ name: "web" }] }), web)).toBeUndefined();
    expect(taskTarget(task("t1", "i-1"), { ...web, containerName: "db" })).toBeUndefined();
    expect(taskTarget(task("t1", undefined), web)).toBeUndefined();
  });

  it("registers serving tasks in every target group and deregisters those of tasks that left", () => {
    const tasks = [
      task("t1", "i-1"),
      task("t2", "i-2", { desiredStatus: "STOPPED" }),
      task("t3", "i-3", { lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
      task("t4", "i-4", { lastStatus: "PENDING" }),
      task("t5", "i-5"),
    ];
    const registered = new Map([
      [
        TG,
        [
          { id: "i-2", port: 32768, state: "healthy" },
          { id: "i-3", port: 32768, state: "draining" },
          { id: "i-9", port: 80, state: "healthy" },
          { id: "i-5", port: 32768, state: "healthy" },
        ],
      ],
    ]);
    // t5 drains: out of the target groups, though it still runs.
    expect(planTargets([web, admin], tasks, new Set(["t5"]), registered)).toEqual({
      register: [
        { targetGroupArn: TG, targets: [{ id: "i-1", port: 32768 }] },
        { targetGroupArn: TG2, targets: [{ id: "i-1", port: 32769 }] },
      ],
      // i-3 is draining already; i-9 is no target of this service's tasks: both are left alone.
      deregister: [
        {
          targetGroupArn: TG,
          targets: [
            { id: "i-2", port: 32768 },
            { id: "i-5", port: 32768 },
          ],
        },
      ],
    });
  });

  it("keeps a target a new task serves at the same instance and port as a stopped one", () => {
    const tasks = [task("old", "i-1", { lastStatus: "STOPPED", desiredStatus: "STOPPED" }), task("new", "i-1")];
    const registered = new Map([[TG, [{ id: "i-1", port: 32768, state: "healthy" }]]]);
    expect(planTargets([web], tasks, new Set(), registered)).toEqual({ register: [], deregister: [] });
  });

  it("drains a stopped task's targets still registered, and waits on those ELBv2 has draining already", () => {
    const tasks = [task("t1", "i-1"), task("t2", "i-2"), task("t3", "i-3")];
    const registered = [
      { id: "i-1", port: 32768, state: "healthy" },
      // Deregistered by an earlier attempt of a round that retried before it recorded the draining.
      { id: "i-2", port: 32768, state: "draining" },
    ];
    // t3 is registered nowhere: nothing to wait for.
    expect(leavingTargets(TG, [web, admin], tasks, registered)).toEqual([
      { task: "t1", target: { id: "i-1", port: 32768 }, draining: false },
      { task: "t2", target: { id: "i-2", port: 32768 }, draining: true },
    ]);
  });

  it("lets a task stop after the longest deregistration delay of its target groups", () => {
    expect(drainedAt(1000, [300, 5])).toBe(301_000);
    expect(drainedAt(1000, [])).toBe(1000);
  });

  it("counts a task healthy only when every one of its targets is healthy", () => {
    const t = task("t1", "i-1");
    const health = (web80: string | undefined, admin9000: string | undefined) => {
      const registered = new Map([
        [TG, web80 ? [{ id: "i-1", port: 32768, state: web80, reason: "Health checks failed" }] : []],
        [TG2, admin9000 ? [{ id: "i-1", port: 32769, state: admin9000 }] : []],
      ]);
      return taskTargetHealth([web, admin], t, registered).state;
    };
    expect(health("healthy", "healthy")).toBe("healthy");
    expect(health("healthy", "initial")).toBe("pending");
    expect(health("healthy", undefined)).toBe("pending");
    expect(health("unhealthy", "initial")).toBe("unhealthy");
    const registered = new Map([
      [TG, [{ id: "i-1", port: 32768, state: "unhealthy", reason: "Health checks failed" }]],
    ]);
    expect(taskTargetHealth([web], t, registered).unhealthy).toEqual([
      { targetGroupArn: TG, target: { id: "i-1", port: 32768 }, reason: "Health checks failed" },
    ]);
    // Not bound yet: pending, whatever the target group says.
    expect(taskTargetHealth([web], task("t2", "i-1", { containers: [] }), registered).state).toBe("pending");
  });

  it("asks a healthy verdict of the primary deployment's tasks only: an older one's counts unless unhealthy", () => {
    const verdict = (state: "healthy" | "unhealthy" | "pending" | "unknown") => ({ state, unhealthy: [] });
    expect(targetsHealthy(verdict("healthy"), true)).toBe(true);
    expect(targetsHealthy(verdict("pending"), true)).toBe(false);
    expect(targetsHealthy(verdict("unknown"), true)).toBe(false);
    expect(targetsHealthy(verdict("unhealthy"), true)).toBe(false);
    // Load balancers added by UpdateService: the older tasks were never registered (pending),
    // or ELBv2 could not be read (unknown): neither is a reason to stop them as unhealthy.
    expect(targetsHealthy(verdict("pending"), false)).toBe(true);
    expect(targetsHealthy(verdict("unknown"), false)).toBe(true);
    expect(targetsHealthy(verdict("healthy"), false)).toBe(true);
    expect(targetsHealthy(verdict("unhealthy"), false)).toBe(false);
  });
});
