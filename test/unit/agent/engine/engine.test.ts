import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createTaskEngine,
  type DesiredTask,
  type EngineConfig,
  type SecretResolver,
  type TaskEngine,
  type TaskStateReport,
} from "../../../../agent/engine/index.ts";
import { createLogger } from "../../../../agent/log.ts";
import { FakeRuntime } from "../../../../agent/runtime/fake.ts";
import type { CreateSpec } from "../../../../agent/runtime/types.ts";
import { desiredTask, IMAGE, stopping } from "./fixtures.ts";

const engines: TaskEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

interface Setup {
  runtime?: FakeRuntime;
  dataDir?: string;
  config?: Partial<EngineConfig>;
  resolveSecret?: SecretResolver;
  clock?: { now: Date };
}

async function setup(options: Setup = {}) {
  const runtime = options.runtime ?? new FakeRuntime([IMAGE]);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "berth-engine-"));
  const reports: TaskStateReport[] = [];
  const config: EngineConfig = {
    cluster: "test",
    stopTimeoutSeconds: 30,
    cleanupWaitMs: 60_000,
    imagePullBehavior: "default",
    dataDir,
    ...options.config,
  };
  const clock = options.clock;
  const logged: string[] = [];
  const engine = createTaskEngine({
    runtime,
    config,
    report: (r) => reports.push(r),
    log: createLogger("debug", (line) => logged.push(line.trim())),
    resolveSecret: options.resolveSecret,
    now: clock ? () => clock.now : undefined,
  });
  engines.push(engine);
  await engine.start();
  const last = (d: DesiredTask) => reports.filter((r) => r.taskArn === d.task.taskArn).at(-1);
  const container = (d: DesiredTask, name: string) => last(d)?.containers.find((c) => c.containerName === name);
  const dockerName = (d: DesiredTask, name: string) =>
    `ecs-${d.taskDefinition.family}-1-${name}-${d.task.taskArn?.split("/").at(-1)?.slice(0, 20)}`;
  return { runtime, engine, reports, last, container, dockerName, dataDir, logged };
}

describe("task engine: running and stopping", () => {
  it("pulls, creates and starts; reports PENDING then RUNNING; records intent before create", async () => {
    const runtime = new FakeRuntime([IMAGE]);
    const dataDir = mkdtempSync(join(tmpdir(), "berth-engine-"));
    const intents: string[] = [];
    const create = runtime.createContainer.bind(runtime);
    runtime.createContainer = async (spec: CreateSpec) => {
      intents.push(readFileSync(join(dataDir, "engine-state.json"), "utf8"));
      return create(spec);
    };
    const s = await setup({ runtime, dataDir });
    const d = desiredTask([{ name: "app", portMappings: [{ containerPort: 80 }] }]);
    await s.engine.reconcile([d]);

    expect(s.reports.map((r) => r.status)).toEqual(["PENDING", "RUNNING"]);
    expect(s.last(d)?.containers[0]).toMatchObject({
      status: "RUNNING",
      networkBindings: [{ bindIP: "0.0.0.0", containerPort: 80, hostPort: 32768, protocol: "tcp" }],
    });
    expect(intents[0]).toContain(s.dockerName(d, "app"));
    expect(intents[0]).toContain('"com.amazonaws.ecs.task-arn"');
    expect(runtime.byName(s.dockerName(d, "app"))?.spec.Labels?.["com.amazonaws.ecs.cluster"]).toBe("test");
    // Level-triggered: the same desired state again changes nothing.
    await s.engine.reconcile([d]);
    expect(runtime.count("create")).toBe(1);
    expect(s.reports).toHaveLength(2);
  });

  it("an essential container's exit stops the task and reports the exit codes", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "app" }, { name: "side", essential: false }]);
    await s.engine.reconcile([d]);
    s.runtime.exit(s.dockerName(d, "app"), 3);
    await vi.waitFor(() => expect(s.last(d)?.status).toBe("STOPPED"));
    expect(s.last(d)?.reason).toBe("Essential container in task exited");
    expect(s.container(d, "app")).toMatchObject({ status: "STOPPED", exitCode: 3 });
    expect(s.container(d, "side")).toMatchObject({ status: "STOPPED", exitCode: 143 });
  });

  it("a non-essential container's exit leaves the task running", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "app" }, { name: "side", essential: false }]);
    await s.engine.reconcile([d]);
    s.runtime.exit(s.dockerName(d, "side"), 1);
    await vi.waitFor(() => expect(s.container(d, "side")).toMatchObject({ status: "STOPPED", exitCode: 1 }));
    expect(s.last(d)?.status).toBe("RUNNING");
  });

  it("stops dependents first, each container with its own stopTimeout or the configured one", async () => {
    const s = await setup();
    const d = desiredTask([
      { name: "db", stopTimeout: 5 },
      { name: "web", dependsOn: [{ containerName: "db", condition: "START" }] },
    ]);
    await s.engine.reconcile([d]);
    await s.engine.reconcile([stopping(d)]);
    expect(s.last(d)?.status).toBe("STOPPED");
    expect(s.last(d)?.reason).toBeUndefined();
    const db = s.runtime.byName(s.dockerName(d, "db"));
    const web = s.runtime.byName(s.dockerName(d, "web"));
    expect(db?.stopTimeouts).toEqual([5]);
    expect(web?.stopTimeouts).toEqual([30]);
    const stops = s.runtime.calls.filter((c) => c.op === "stop").map((c) => c.target);
    expect(stops).toEqual([web?.id, db?.id]);
  });

  it("a task desired STOPPED that never ran is reported STOPPED without touching Docker", async () => {
    const s = await setup();
    const d = stopping(desiredTask([{ name: "app" }]));
    await s.engine.reconcile([d]);
    expect(s.last(d)?.status).toBe("STOPPED");
    expect(s.runtime.calls).toEqual([]);
  });

  // Found by the soak run (bench/soak.ts): StopTask before the agent's first report marks the task
  // STOPPED at once; the agent had read it and started its container, which then ran on, unlisted.
  it("a task the control plane already counts STOPPED is stopped here if this agent took it up", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "app" }]);
    await s.engine.reconcile([d]);
    expect(s.runtime.byName(s.dockerName(d, "app"))?.state).toBe("running");
    await s.engine.reconcile([{ ...d, task: { ...d.task, desiredStatus: "STOPPED", lastStatus: "STOPPED" } }]);
    expect(s.runtime.byName(s.dockerName(d, "app"))?.state).toBe("exited");
    expect(s.last(d)?.status).toBe("STOPPED");
  });

  it("a task the control plane counts STOPPED that this agent never took up is left alone", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "app" }]);
    await s.engine.reconcile([{ ...d, task: { ...d.task, desiredStatus: "STOPPED", lastStatus: "STOPPED" } }]);
    expect(s.runtime.calls).toEqual([]);
    expect(s.reports).toEqual([]);
  });

  it("awsvpc is refused with a clear reason", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "app" }], { definition: { networkMode: "awsvpc" } });
    await s.engine.reconcile([d]);
    expect(s.last(d)?.status).toBe("STOPPED");
    expect(s.last(d)?.reason).toContain("awsvpc is not supported");
  });
});

describe("task engine: dependsOn", () => {
  const created = (s: Awaited<ReturnType<typeof setup>>, d: DesiredTask, name: string) =>
    s.runtime.byName(s.dockerName(d, name)) !== undefined;

  it("START waits for the dependency to run", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "web", dependsOn: [{ containerName: "db", condition: "START" }] }, { name: "db" }]);
    await s.engine.reconcile([d]);
    const creates = s.runtime.calls.filter((c) => c.op === "create").map((c) => c.target);
    expect(creates).toEqual([s.dockerName(d, "db"), s.dockerName(d, "web")]);
    expect(s.last(d)?.status).toBe("RUNNING");
  });

  it("SUCCESS waits for exit 0; COMPLETE for any exit", async () => {
    const s = await setup();
    const d = desiredTask([
      { name: "migrate", essential: false },
      { name: "seed", essential: false, dependsOn: [{ containerName: "migrate", condition: "SUCCESS" }] },
      { name: "app", dependsOn: [{ containerName: "seed", condition: "COMPLETE" }] },
    ]);
    await s.engine.reconcile([d]);
    expect(created(s, d, "seed")).toBe(false);
    s.runtime.exit(s.dockerName(d, "migrate"), 0);
    await vi.waitFor(() => expect(created(s, d, "seed")).toBe(true));
    expect(created(s, d, "app")).toBe(false);
    s.runtime.exit(s.dockerName(d, "seed"), 4);
    await vi.waitFor(() => expect(s.last(d)?.status).toBe("RUNNING"));
  });

  it("SUCCESS that can never be met (exit non-zero) stops the task with the reason", async () => {
    const s = await setup();
    const d = desiredTask([
      { name: "migrate", essential: false },
      { name: "app", dependsOn: [{ containerName: "migrate", condition: "SUCCESS" }] },
    ]);
    await s.engine.reconcile([d]);
    s.runtime.exit(s.dockerName(d, "migrate"), 2);
    await vi.waitFor(() => expect(s.last(d)?.status).toBe("STOPPED"));
    expect(s.last(d)?.reason).toContain("migrate exited with code 2");
    expect(s.container(d, "app")?.reason).toContain("can never start");
    expect(created(s, d, "app")).toBe(false);
  });

  it("HEALTHY waits for the dependency's health check", async () => {
    const s = await setup();
    const d = desiredTask([
      { name: "db", healthCheck: { command: ["CMD", "true"] } },
      { name: "app", dependsOn: [{ containerName: "db", condition: "HEALTHY" }] },
    ]);
    await s.engine.reconcile([d]);
    expect(created(s, d, "app")).toBe(false);
    expect(s.container(d, "db")?.healthStatus).toBe("UNKNOWN");
    s.runtime.setHealth(s.dockerName(d, "db"), "HEALTHY");
    await vi.waitFor(() => expect(s.last(d)?.status).toBe("RUNNING"));
    expect(s.container(d, "db")?.healthStatus).toBe("HEALTHY");
  });
});

describe("task engine: images and secrets", () => {
  it("a missing image that cannot be pulled stops the task with CannotPullContainerError", async () => {
    const runtime = new FakeRuntime();
    runtime.pullErrors.set(IMAGE, { code: "unreachable", message: "dial tcp: lookup registry: no such host" });
    const s = await setup({ runtime });
    const d = desiredTask([{ name: "app" }]);
    await s.engine.reconcile([d]);
    expect(s.last(d)).toMatchObject({
      status: "STOPPED",
      reason: "CannotPullContainerError: dial tcp: lookup registry: no such host",
    });
    expect(s.container(d, "app")?.reason).toMatch(/^CannotPullContainerError/);
    expect(s.last(d)?.pullStartedAt).toBeInstanceOf(Date);
  });

  it.each([
    ["default", true, "RUNNING", 1],
    ["always", true, "STOPPED", 1],
    ["once", true, "RUNNING", 0],
    ["prefer-cached", true, "RUNNING", 0],
    ["prefer-cached", false, "STOPPED", 1],
  ] as const)(
    "pull behaviour %s, image cached %s, registry down → %s (%i pulls)",
    async (behavior, cached, status, pulls) => {
      const runtime = new FakeRuntime(cached ? [IMAGE] : []);
      runtime.pullErrors.set(IMAGE, { code: "unreachable", message: "no registry" });
      const s = await setup({ runtime, config: { imagePullBehavior: behavior } });
      const d = desiredTask([{ name: "app" }]);
      await s.engine.reconcile([d]);
      expect(s.last(d)?.status).toBe(status);
      expect(runtime.count("pull")).toBe(pulls);
    },
  );

  it("says when a pull failed and the cached copy is used instead, once for many tasks", async () => {
    const runtime = new FakeRuntime([IMAGE]);
    runtime.pullErrors.set(IMAGE, { code: "unreachable", message: "no registry" });
    const s = await setup({ runtime });
    await s.engine.reconcile([desiredTask([{ name: "app" }]), desiredTask([{ name: "app" }])]);
    expect(s.logged).toEqual([
      expect.stringMatching(
        new RegExp(`WARN  agent: pulling ${IMAGE} failed \\(.*no registry\\); using the cached copy\\.`),
      ),
    ]);
  });

  it("tasks that start together share one pull of their image; a task after it pulls again", async () => {
    const runtime = new FakeRuntime([IMAGE]);
    // Pulls take a moment, as a registry's do: they end when the test says.
    const gates: (() => void)[] = [];
    const pull = runtime.pullImage.bind(runtime);
    runtime.pullImage = async (image) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      return pull(image);
    };
    const s = await setup({ runtime });
    const together = [1, 2, 3].map(() => desiredTask([{ name: "app" }]));
    const reconciled = s.engine.reconcile(together);
    await vi.waitFor(() => expect(gates).toHaveLength(1));
    for (const open of gates.splice(0)) open();
    await reconciled;
    expect(together.map((d) => s.last(d)?.status)).toEqual(["RUNNING", "RUNNING", "RUNNING"]);
    expect(runtime.count("pull")).toBe(1);
    const later = desiredTask([{ name: "app" }]);
    const second = s.engine.reconcile([...together, later]);
    await vi.waitFor(() => expect(gates).toHaveLength(1));
    gates[0]();
    await second;
    expect(s.last(later)?.status).toBe("RUNNING");
    expect(runtime.count("pull")).toBe(2);
  });

  it("resolves secrets into the environment; a failure stops the task with ECS's wording", async () => {
    const resolveSecret = async (valueFrom: string) => {
      if (valueFrom === "/ok") return "v";
      throw new Error(`ParameterNotFound: ${valueFrom}`);
    };
    const s = await setup({ resolveSecret });
    const good = desiredTask([{ name: "app", secrets: [{ name: "S", valueFrom: "/ok" }] }]);
    const bad = desiredTask([{ name: "app", secrets: [{ name: "S", valueFrom: "/missing" }] }]);
    await s.engine.reconcile([good, bad]);
    expect(s.runtime.byName(s.dockerName(good, "app"))?.spec.Env).toEqual(["S=v"]);
    expect(s.last(bad)).toMatchObject({
      status: "STOPPED",
      reason: "ResourceInitializationError: unable to pull secrets or registry auth: ParameterNotFound: /missing",
    });
    // Secret values never reach the state file.
    expect(readFileSync(join(s.dataDir, "engine-state.json"), "utf8")).not.toContain('"S=v"');
  });
});

describe("task engine: restart and cleanup", () => {
  it("a restarted engine adopts running containers and never creates a duplicate", async () => {
    const runtime = new FakeRuntime([IMAGE]);
    const first = await setup({ runtime });
    const d = desiredTask([{ name: "app" }, { name: "side", essential: false }]);
    await first.engine.reconcile([d]);
    await first.engine.close();
    // While the agent is down, the side container exits.
    runtime.exit(first.dockerName(d, "side"), 9);

    const second = await setup({ runtime, dataDir: first.dataDir });
    expect(second.container(d, "side")).toMatchObject({ status: "STOPPED", exitCode: 9 });
    await second.engine.reconcile([d]);
    expect(runtime.count("create")).toBe(2);
    expect(second.last(d)?.status).toBe("RUNNING");
    // The adopted container is watched: its exit stops the task.
    runtime.exit(first.dockerName(d, "app"), 0);
    await vi.waitFor(() => expect(second.last(d)?.status).toBe("STOPPED"));
  });

  it("without a state file, Docker's labels are enough to adopt", async () => {
    const runtime = new FakeRuntime([IMAGE]);
    const first = await setup({ runtime });
    const d = desiredTask([{ name: "app" }]);
    await first.engine.reconcile([d]);
    await first.engine.close();
    const second = await setup({ runtime });
    await second.engine.reconcile([d]);
    expect(runtime.count("create")).toBe(1);
    expect(runtime.count("start")).toBe(1);
    expect(second.last(d)?.status).toBe("RUNNING");
  });

  it("a create that hits its own name (created before a crash) adopts that container", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "app" }]);
    const labels = { "com.amazonaws.ecs.task-arn": d.task.taskArn ?? "", "com.amazonaws.ecs.container-name": "app" };
    s.runtime.seed({ name: s.dockerName(d, "app"), Image: IMAGE, Labels: labels }, "created");
    await s.engine.reconcile([d]);
    expect(s.runtime.containers.size).toBe(1);
    expect(s.last(d)?.status).toBe("RUNNING");
  });

  it("removes a stopped task's containers after the cleanup wait and forgets the task", async () => {
    const clock = { now: new Date("2030-01-01T00:00:00Z") };
    const s = await setup({ clock, config: { cleanupWaitMs: 60_000 } });
    const d = desiredTask([{ name: "app" }]);
    await s.engine.reconcile([d]);
    await s.engine.reconcile([stopping(d)]);
    clock.now = new Date("2030-01-01T00:00:59Z");
    await s.engine.reconcile([]);
    expect(s.runtime.containers.size).toBe(1);
    clock.now = new Date("2030-01-01T00:01:01Z");
    await s.engine.reconcile([]);
    expect(s.runtime.containers.size).toBe(0);
    expect(readFileSync(join(s.dataDir, "engine-state.json"), "utf8")).not.toContain(d.task.taskArn);
  });

  it("removes the task's own Docker volumes with its containers, never a shared or host one", async () => {
    const clock = { now: new Date("2030-01-01T00:00:00Z") };
    const s = await setup({ clock, config: { cleanupWaitMs: 60_000 } });
    const d = desiredTask([{ name: "app" }], {
      definition: {
        volumes: [
          { name: "scratch" },
          { name: "cache", dockerVolumeConfiguration: { scope: "task" } },
          { name: "shared", dockerVolumeConfiguration: { scope: "shared", autoprovision: true } },
          { name: "logs", host: { sourcePath: "/var/log/app" } },
        ],
      },
    });
    await s.engine.reconcile([d]);
    await s.engine.reconcile([stopping(d)]);
    expect(s.runtime.count("removeVolume")).toBe(0);
    clock.now = new Date("2030-01-01T00:01:01Z");
    await s.engine.reconcile([]);
    const removed = s.runtime.calls.filter((c) => c.op === "removeVolume").map((c) => c.target);
    expect(removed).toEqual([s.dockerName(d, "scratch"), s.dockerName(d, "cache")]);
  });

  it("a task whose volume cannot be removed yet holds up no other task's cleanup, and goes at a later sweep", async () => {
    const clock = { now: new Date("2030-01-01T00:00:00Z") };
    const s = await setup({ clock, config: { cleanupWaitMs: 60_000 } });
    const withVolume = desiredTask([{ name: "app" }], { definition: { volumes: [{ name: "scratch" }] } });
    const plain = desiredTask([{ name: "app" }], { family: "other" });
    await s.engine.reconcile([withVolume, plain]);
    await s.engine.reconcile([stopping(withVolume), stopping(plain)]);
    s.runtime.volumesInUse.add(s.dockerName(withVolume, "scratch"));
    clock.now = new Date("2030-01-01T00:01:01Z");
    await s.engine.reconcile([]);
    expect(s.runtime.byName(s.dockerName(plain, "app"))).toBeUndefined();
    expect(readFileSync(join(s.dataDir, "engine-state.json"), "utf8")).toContain(withVolume.task.taskArn);

    s.runtime.volumesInUse.clear();
    await s.engine.reconcile([]);
    expect(readFileSync(join(s.dataDir, "engine-state.json"), "utf8")).not.toContain(withVolume.task.taskArn);
  });

  it("logs a cleanup that keeps failing once, with when it is tried again, and once when it works again", async () => {
    const clock = { now: new Date("2030-01-01T00:00:00Z") };
    const s = await setup({ clock, config: { cleanupWaitMs: 60_000 } });
    const d = desiredTask([{ name: "app" }], { definition: { volumes: [{ name: "scratch" }] } });
    await s.engine.reconcile([d]);
    await s.engine.reconcile([stopping(d)]);
    s.runtime.volumesInUse.add(s.dockerName(d, "scratch"));
    clock.now = new Date("2030-01-01T00:01:01Z");
    await s.engine.reconcile([]);
    clock.now = new Date("2030-01-01T00:02:01Z");
    await s.engine.reconcile([]);
    s.runtime.volumesInUse.clear();
    await s.engine.reconcile([]);
    expect(s.logged.map((line) => line.replace(/^\S+ /, ""))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^WARN  agent: cleaning up task ${d.task.taskArn} failed \\(.+\\); trying again at the next cleanup sweep \\(every 60 s\\)`,
        ),
      ),
      `INFO  agent: cleaning up task ${d.task.taskArn} works again, after 2 failure(s) over 60 s.`,
    ]);
  });

  it("logs a broken Docker event stream once, and once more when it is back", async () => {
    const s = await setup();
    s.runtime.interrupt("connect ENOENT /var/run/docker.sock");
    s.runtime.interrupt("connect ENOENT /var/run/docker.sock");
    s.runtime.resync();
    await vi.waitFor(() => expect(s.logged).toHaveLength(2));
    expect(s.logged).toEqual([
      expect.stringContaining(
        "WARN  agent: following Docker's events failed (RuntimeError: connect ENOENT /var/run/docker.sock); reconnecting; every container is re-read once it is back.",
      ),
      expect.stringContaining("INFO  agent: following Docker's events works again, after 2 failure(s)"),
    ]);
  });

  it("retries a step Docker failed to do every 2 s, logging the failure once and the recovery", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "app" }]);
    await s.engine.reconcile([d]);
    s.runtime.failNext("stop", "connect ECONNREFUSED /var/run/docker.sock");
    await s.engine.reconcile([stopping(d)]);
    expect(s.last(d)?.status).toBe("RUNNING");
    expect(s.logged).toEqual([
      expect.stringContaining(
        `WARN  agent: container app of task ${d.task.taskArn} failed (RuntimeError: connect ECONNREFUSED /var/run/docker.sock); retrying the stop every 2 s.`,
      ),
    ]);
    await vi.waitFor(() => expect(s.last(d)?.status).toBe("STOPPED"), { timeout: 5_000 });
    expect(s.logged).toHaveLength(2);
    expect(s.logged[1]).toContain(
      `INFO  agent: container app of task ${d.task.taskArn} works again, after 1 failure(s)`,
    );
  });

  it("reports per-task utilization of running containers", async () => {
    const s = await setup();
    const d = desiredTask([{ name: "a" }, { name: "b" }]);
    await s.engine.reconcile([d]);
    expect(await s.engine.utilization()).toEqual([{ taskArn: d.task.taskArn, cpuPercent: 3, memoryMiB: 20 }]);
  });
});
