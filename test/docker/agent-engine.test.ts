import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createTaskEngine, type DesiredTask, type TaskEngine, type TaskStateReport } from "../../agent/engine/index.ts";
import { createLogger } from "../../agent/log.ts";
import { createDockerRuntime } from "../../agent/runtime/docker.ts";
import { containersOfTask, dockerUnavailable, removeTaskContainers, TEST_IMAGE } from "../support/docker.ts";
import { desiredTask, stopping } from "../unit/agent/engine/fixtures.ts";

/**
 * The task engine on the real Docker engine, through createDockerRuntime(). Each test's tasks
 * have fresh ARNs and the suite its own cluster label, so parallel runs never see each other's
 * containers; every container made here is removed afterwards.
 */
const docker = new Docker();
const unavailable = await dockerUnavailable(docker);
const inCi = process.env.CI === "true";
if (unavailable && !inCi) console.warn(`docker/agent-engine: skipped, ${unavailable} (CI=true makes this fail).`);

const CLUSTER = `docker-test-${randomUUID().slice(0, 8)}`;

describe.skipIf(unavailable !== undefined && !inCi)("task engine on Docker", () => {
  const engines: TaskEngine[] = [];
  const taskArns: string[] = [];

  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
  });
  afterAll(async () => {
    await removeTaskContainers(docker, taskArns);
  });

  function start(dataDir = mkdtempSync(join(tmpdir(), "berth-docker-engine-")), cleanupWaitMs = 3_600_000) {
    const reports: TaskStateReport[] = [];
    const engine = createTaskEngine({
      runtime: createDockerRuntime(),
      config: {
        cluster: CLUSTER,
        stopTimeoutSeconds: 2,
        cleanupWaitMs,
        imagePullBehavior: "default",
        dataDir,
      },
      report: (r) => reports.push(r),
      log: createLogger("warn"),
    });
    engines.push(engine);
    const last = (d: DesiredTask) => reports.filter((r) => r.taskArn === d.task.taskArn).at(-1);
    return { engine, reports, last, dataDir };
  }

  const task = (...args: Parameters<typeof desiredTask>) => {
    const d = desiredTask(args[0], {
      ...args[1],
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/${CLUSTER}/${randomUUID().replaceAll("-", "")}`,
    });
    taskArns.push(d.task.taskArn ?? "");
    return d;
  };

  it("runs a task whose container carries ECS's labels", async () => {
    const s = start();
    await s.engine.start();
    const d = task([{ name: "app", command: ["sleep", "60"] }]);
    await s.engine.reconcile([d]);
    expect(s.last(d)?.status).toBe("RUNNING");
    const [listed] = await containersOfTask(docker, d.task.taskArn ?? "");
    const info = await docker.getContainer(listed.Id).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.Name).toMatch(/^\/ecs-web-1-app-[0-9a-f]{20}$/);
    expect(info.Config.Image).toBe(TEST_IMAGE);
    expect(info.Config.Labels).toMatchObject({
      "com.amazonaws.ecs.task-arn": d.task.taskArn,
      "com.amazonaws.ecs.container-name": "app",
      "com.amazonaws.ecs.cluster": CLUSTER,
      "com.amazonaws.ecs.task-definition-family": "web",
      "com.amazonaws.ecs.task-definition-version": "1",
    });
    expect(s.last(d)?.containers[0].runtimeId).toBe(listed.Id);
  });

  it("a container exiting 3 stops the task with exit code 3, reported from Docker's events", async () => {
    const s = start();
    await s.engine.start();
    const d = task([{ name: "app", command: ["sh", "-c", "sleep 1; exit 3"] }]);
    await s.engine.reconcile([d]);
    expect(s.last(d)?.status).toBe("RUNNING");
    await vi.waitFor(() => expect(s.last(d)?.status).toBe("STOPPED"), { timeout: 5_000, interval: 50 });
    expect(s.last(d)?.containers[0]).toMatchObject({ status: "STOPPED", exitCode: 3 });
    expect(s.last(d)?.reason).toBe("Essential container in task exited");
  });

  it("stop sends SIGTERM, then SIGKILL after the stop timeout", async () => {
    const s = start();
    await s.engine.start();
    const d = task([{ name: "app", command: ["sh", "-c", 'trap "" TERM; sleep 100 & wait'], stopTimeout: 2 }]);
    await s.engine.reconcile([d]);
    expect(s.last(d)?.status).toBe("RUNNING");
    const began = Date.now();
    await s.engine.reconcile([stopping(d)]);
    const elapsed = Date.now() - began;
    expect(s.last(d)?.status).toBe("STOPPED");
    // SIGKILL: 128 + 9. The grace period was waited out, and not much more.
    expect(s.last(d)?.containers[0].exitCode).toBe(137);
    expect(elapsed).toBeGreaterThanOrEqual(1_800);
    expect(elapsed).toBeLessThan(8_000);
  });

  it("a container that handles SIGTERM stops at once, without waiting for the timeout", async () => {
    const s = start();
    await s.engine.start();
    const d = task([{ name: "app", command: ["sh", "-c", 'trap "exit 0" TERM; sleep 100 & wait'], stopTimeout: 10 }]);
    await s.engine.reconcile([d]);
    const began = Date.now();
    await s.engine.reconcile([stopping(d)]);
    expect(s.last(d)?.containers[0].exitCode).toBe(0);
    expect(Date.now() - began).toBeLessThan(5_000);
  });

  it("a dynamic host port is reported and reachable", async () => {
    const s = start();
    await s.engine.start();
    const d = task([{ name: "web", command: ["httpd", "-f", "-p", "80"], portMappings: [{ containerPort: 80 }] }]);
    await s.engine.reconcile([d]);
    const bindings = s.last(d)?.containers[0].networkBindings ?? [];
    const binding = bindings.find((b) => b.bindIP === "0.0.0.0");
    expect(binding).toMatchObject({ containerPort: 80, protocol: "tcp" });
    expect(binding?.hostPort).toBeGreaterThan(0);
    // busybox httpd with nothing to serve answers 404: any HTTP answer proves the port is reachable.
    const response = await vi.waitFor(() => fetch(`http://127.0.0.1:${binding?.hostPort}/`), { timeout: 5_000 });
    expect(response.status).toBeGreaterThanOrEqual(200);
  });

  it("a restarted engine adopts the running container: no duplicate", async () => {
    const first = start();
    await first.engine.start();
    const d = task([{ name: "app", command: ["sleep", "60"] }]);
    await first.engine.reconcile([d]);
    await first.engine.close();

    const second = start(first.dataDir);
    await second.engine.start();
    await second.engine.reconcile([d]);
    const listed = await containersOfTask(docker, d.task.taskArn ?? "");
    expect(listed).toHaveLength(1);
    expect(listed[0].State).toBe("running");
    // Still watched: stopping it goes through the adopted container.
    await second.engine.reconcile([stopping(d)]);
    expect(second.last(d)?.status).toBe("STOPPED");
  });

  it("a task-scoped volume is shared by the task's containers and removed with them at cleanup", async () => {
    const s = start(undefined, 0);
    await s.engine.start();
    const d = task(
      [
        {
          name: "app",
          command: ["sh", "-c", "echo hi > /data/x; sleep 60"],
          mountPoints: [{ sourceVolume: "scratch", containerPath: "/data" }],
        },
      ],
      { definition: { volumes: [{ name: "scratch", dockerVolumeConfiguration: { scope: "task" } }] } },
    );
    await s.engine.reconcile([d]);
    expect(s.last(d)?.status).toBe("RUNNING");
    const [listed] = await containersOfTask(docker, d.task.taskArn ?? "");
    const mount = (await docker.getContainer(listed.Id).inspect()).Mounts.find((m) => m.Destination === "/data");
    expect(mount?.Type).toBe("volume");
    const volume = mount?.Name as string;
    expect((await docker.getVolume(volume).inspect()).Name).toBe(volume);

    await s.engine.reconcile([stopping(d)]);
    expect(s.last(d)?.status).toBe("STOPPED");
    await s.engine.reconcile([]);
    expect(await containersOfTask(docker, d.task.taskArn ?? "")).toEqual([]);
    await expect(docker.getVolume(volume).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it("info() describes the host for registration", async () => {
    const info = await createDockerRuntime().info();
    expect(info.cpus).toBeGreaterThan(0);
    expect(info.memoryMiB).toBeGreaterThan(0);
    expect(info.dockerVersion).toMatch(/^\d+\./);
  });
});
