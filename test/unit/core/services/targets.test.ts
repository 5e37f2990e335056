import type { LoadBalancer, Task } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  drainedAt,
  leavingTargets,
  mergeClaims,
  planTargets,
  type TargetTask,
  targetsHealthy,
  taskTarget,
  taskTargetHealth,
} from "../../../../core/services/targets.ts";

const TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/a/1";
const TG2 = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/b/2";
const g = (targetGroupArn: string, id: string, port: number) => ({ targetGroupArn, id, port });
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

  it("takes on serving tasks' targets first, then registers them, in their own deployment's target groups", () => {
    const t1 = task("t1", "i-1");
    const fresh = planTargets([{ view: t1, loadBalancers: [web, admin] }], {}, new Set(), new Map());
    // Remembered before anything is registered: nothing goes in that the scheduler could not find again.
    expect(fresh).toEqual({
      register: [],
      deregister: [],
      claims: { t1: [g(TG, "i-1", 32768), g(TG2, "i-1", 32769)] },
      taken: true,
    });
    const next = planTargets([{ view: t1, loadBalancers: [web, admin] }], fresh.claims, new Set(), new Map());
    expect(next).toEqual({
      register: [
        { targetGroupArn: TG, targets: [{ id: "i-1", port: 32768 }] },
        { targetGroupArn: TG2, targets: [{ id: "i-1", port: 32769 }] },
      ],
      deregister: [],
      claims: fresh.claims,
      taken: false,
    });
    // A task of an older deployment whose load balancers were [admin] is in that target group only.
    const older = planTargets([{ view: task("t2", "i-2"), loadBalancers: [admin] }], {}, new Set(), new Map());
    expect(older.claims).toEqual({ t2: [g(TG2, "i-2", 32769)] });
  });

  it("deregisters only the targets it took on, for tasks that no longer serve, and forgets them once gone", () => {
    const tasks = [
      task("t2", "i-2", { desiredStatus: "STOPPED" }),
      task("t3", "i-3", { lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
      task("t5", "i-5"),
      // Never took on a target: what ELBv2 has at its instance and port is someone else's.
      task("t6", "i-6", { lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
    ].map((view) => ({ view, loadBalancers: [web] }));
    const claims = {
      t2: [g(TG, "i-2", 32768)],
      t3: [g(TG, "i-3", 32768)],
      t5: [g(TG, "i-5", 32768)],
      // A task whose record is gone: its target leaves as well.
      t7: [g(TG, "i-7", 32768)],
    };
    const registered = new Map([
      [
        TG,
        [
          { id: "i-2", port: 32768, state: "healthy" },
          { id: "i-3", port: 32768, state: "draining" },
          { id: "i-5", port: 32768, state: "healthy" },
          { id: "i-6", port: 32768, state: "healthy" },
          { id: "i-7", port: 32768, state: "healthy" },
        ],
      ],
    ]);
    // t5 drains: out of the target groups, though it still runs; i-3 is draining already.
    expect(planTargets(tasks, claims, new Set(["t5"]), registered)).toEqual({
      register: [],
      deregister: [
        {
          targetGroupArn: TG,
          targets: [
            { id: "i-2", port: 32768 },
            { id: "i-5", port: 32768 },
            { id: "i-7", port: 32768 },
          ],
        },
      ],
      claims: {},
      taken: false,
    });
  });

  it("deregisters a target it took on that this reading of ELBv2 does not list (eventually consistent) before forgetting it", () => {
    const stopped = task("t1", "i-1", { lastStatus: "STOPPED", desiredStatus: "STOPPED" });
    const plan = planTargets(
      [{ view: stopped, loadBalancers: [web] }],
      { t1: [g(TG, "i-1", 32768)] },
      new Set(),
      new Map(),
    );
    expect(plan).toEqual({
      register: [],
      deregister: [{ targetGroupArn: TG, targets: [{ id: "i-1", port: 32768 }] }],
      claims: {},
      taken: false,
    });
  });

  it("keeps a target a new task serves at the same instance and port as a stopped one", () => {
    const tasks = [task("old", "i-1", { lastStatus: "STOPPED", desiredStatus: "STOPPED" }), task("new", "i-1")];
    const registered = new Map([[TG, [{ id: "i-1", port: 32768, state: "healthy" }]]]);
    const claims = { old: [g(TG, "i-1", 32768)], new: [g(TG, "i-1", 32768)] };
    const balanced = tasks.map((view) => ({ view, loadBalancers: [web] }));
    expect(planTargets(balanced, claims, new Set(), registered)).toEqual({
      register: [],
      deregister: [],
      claims: { new: [g(TG, "i-1", 32768)] },
      taken: false,
    });
  });

  it("drains a stopped task's targets still registered, and waits on those ELBv2 has draining already", () => {
    const registered = new Map([
      [
        TG,
        [
          { id: "i-1", port: 32768, state: "healthy" },
          // Deregistered by an earlier attempt of a round that retried before it recorded the draining.
          { id: "i-2", port: 32768, state: "draining" },
        ],
      ],
    ]);
    expect(leavingTargets([g(TG, "i-1", 32768), g(TG2, "i-1", 32769)], registered)).toEqual([
      { target: g(TG, "i-1", 32768), draining: false },
    ]);
    expect(leavingTargets([g(TG, "i-2", 32768)], registered)).toEqual([
      { target: g(TG, "i-2", 32768), draining: true },
    ]);
    // Registered nowhere: nothing to wait for.
    expect(leavingTargets([g(TG, "i-3", 32768)], registered)).toEqual([]);
  });

  it("remembers, after a round that failed half-way, both what it took on and what it did not get to forget", () => {
    expect(mergeClaims({ t1: [g(TG, "i-1", 1)], t2: [g(TG, "i-2", 1)] }, { t1: [g(TG2, "i-1", 2)] })).toEqual({
      t1: [g(TG, "i-1", 1), g(TG2, "i-1", 2)],
      t2: [g(TG, "i-2", 1)],
    });
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
