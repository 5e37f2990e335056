import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";
import { containersOfTask, dockerUnavailable, removeTaskContainers, TEST_IMAGE } from "../support/docker.ts";
import { until } from "../support/poll.ts";

/**
 * `berth local` with its local agent survives a restart of the Docker daemon: the daemon is
 * stopped (SIGTERM, as `systemctl restart docker` does) and started again by .ci/dockerd.sh, the
 * script CI starts it with. This stops every container on the machine (unless live-restore is
 * on), so it runs only when BERTH_TEST_RESTART_DOCKERD=1 (.ci/run sets it), in its own vitest run
 * after the main suite (vitest.restart.config.ts).
 */
const SCRIPT = fileURLToPath(new URL("../../.ci/dockerd.sh", import.meta.url));
const dockerd = (action: "start" | "restart") => promisify(execFile)("bash", [SCRIPT, action], { timeout: 180_000 });

const docker = new Docker();
const inCi = process.env.CI === "true";
const reason =
  process.env.BERTH_TEST_RESTART_DOCKERD === "1"
    ? await dockerUnavailable(docker)
    : "restarting the Docker daemon is disruptive; set BERTH_TEST_RESTART_DOCKERD=1";
if (reason && !inCi) console.warn(`restart/dockerd: skipped, ${reason} (CI=true makes this fail).`);

describe.skipIf(reason !== undefined && !inCi)("dockerd restarted → the agent recovers", () => {
  let dataDir: string;
  let berth: BerthProcess;
  let ecs: ECSClient;
  const taskArns: string[] = [];

  beforeAll(async () => {
    if (reason) throw new Error(`CI=true but ${reason}: .ci/run sets it and starts Docker.`);
    dataDir = mkdtempSync(join(tmpdir(), "berth-restart-dockerd-"));
    berth = await spawnBerth(
      dataDir,
      { ECS_CONTAINER_STOP_TIMEOUT: "2s", BERTH_HEARTBEAT_SECONDS: "2" },
      { agent: true },
    );
    if (!/local agent: registered as \S+/.test(berth.output())) {
      throw new Error(`berth local started without its agent:\n${berth.output()}`);
    }
    ecs = new ECSClient({
      endpoint: berth.url,
      region: berth.region,
      credentials: { accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey },
    });
  });
  afterAll(async () => {
    // Never leave the machine without its daemon, whatever failed above.
    if (await dockerUnavailable(docker)) await dockerd("start");
    await berth?.stop();
    ecs?.destroy();
    await removeTaskContainers(docker, taskArns);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function runSleeper(): Promise<string> {
    const family = `restart-dockerd-${process.pid}`;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        // stopTimeout: dockerd's shutdown kills it after 2 s (sleep as PID 1 ignores SIGTERM), not its default 10 s.
        containerDefinitions: [
          { name: "main", image: TEST_IMAGE, memory: 32, essential: true, command: ["sleep", "3600"], stopTimeout: 2 },
        ],
      }),
    );
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ taskDefinition: family, startedBy: "restart" }));
    expect(failures).toEqual([]);
    const taskArn = tasks?.[0]?.taskArn as string;
    taskArns.push(taskArn);
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { tasks: [taskArn] });
    return taskArn;
  }
  const describeTask = async (taskArn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ tasks: [taskArn] }))).tasks?.[0] as Task;

  it("reports the task's true state after the restart, then runs new tasks", async () => {
    const before = await runSleeper();
    const [container] = await containersOfTask(docker, before);
    expect(container.State).toBe("running");

    const restartStarted = Date.now();
    await dockerd("restart");
    const restartMs = Date.now() - restartStarted;
    expect(await dockerUnavailable(docker)).toBeUndefined();

    // Ask Docker what became of the container: stopped by the shutdown (live-restore off, the
    // default), or still running (live-restore on).
    const { State } = await docker.getContainer(container.Id).inspect();
    const recoveredAt = Date.now();
    if (State.Running) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await describeTask(before)).toMatchObject({ lastStatus: "RUNNING", desiredStatus: "RUNNING" });
    } else {
      // The agent's event stream reconnects (backoff ≤ 5 s) and re-reads the containers.
      const task = await until(
        `${before} reported STOPPED after dockerd's restart\n${berth.output()}`,
        async () => {
          const t = await describeTask(before);
          return t.lastStatus === "STOPPED" && t;
        },
        20_000,
        250,
      );
      expect(task).toMatchObject({
        stopCode: "EssentialContainerExited",
        stoppedReason: "Essential container in task exited",
      });
      expect(task.containers?.[0]).toMatchObject({ lastStatus: "STOPPED", exitCode: State.ExitCode });
      expect(State.ExitCode).not.toBe(0);
    }
    const reportedMs = Date.now() - recoveredAt;

    // The engine works on the restarted daemon: a new task reaches RUNNING. And the event stream
    // is back: a container killed behind the agent's back is reported within seconds (the
    // periodic sync, every 30 s, does not look at Docker).
    const after = await runSleeper();
    const [fresh] = await containersOfTask(docker, after);
    expect(fresh?.State).toBe("running");
    await docker.getContainer(fresh.Id).kill();
    const killed = await until(
      `${after} reported STOPPED after its container was killed\n${berth.output()}`,
      async () => {
        const t = await describeTask(after);
        return t.lastStatus === "STOPPED" && t;
      },
      10_000,
      100,
    );
    expect(killed.containers?.[0]).toMatchObject({ lastStatus: "STOPPED", exitCode: 137 });
    if (State.Running) {
      await ecs.send(new StopTaskCommand({ task: before }));
      await waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { tasks: [before] });
    }
    console.log(
      `restart/dockerd: live-restore ${State.Running ? "on" : "off"}; dockerd restarted in ${restartMs} ms, ` +
        `true state reported ${reportedMs} ms after it answered`,
    );
  });
});
