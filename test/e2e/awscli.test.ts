import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";

/**
 * The walk-through (docs/walkthrough.md), driven by the real AWS CLI against `berth local` running as a
 * process, exactly as a user would. Steps run in order and share what earlier ones created.
 */
const TD_JSON = fileURLToPath(new URL("./fixtures/td.json", import.meta.url));
/** td.json's requiresAttributes (its log driver, memory reservations, ulimits, health check, dependsOn). */
const TD_CAPABILITIES = [
  "com.amazonaws.ecs.capability.logging-driver.json-file",
  "com.amazonaws.ecs.capability.docker-remote-api.1.18",
  "com.amazonaws.ecs.capability.docker-remote-api.1.21",
  "ecs.capability.container-health-check",
  "ecs.capability.container-ordering",
];
const awsOnPath = (process.env.PATH ?? "").split(delimiter).some((dir) => {
  try {
    accessSync(join(dir, "aws"), constants.X_OK);
    return dir !== "";
  } catch {
    return false;
  }
});
const inCi = process.env.CI === "true";

if (!awsOnPath && !inCi) {
  console.warn(
    "e2e/awscli: skipped, `aws` is not on PATH (install Debian's awscli to run it; CI=true makes this fail).",
  );
}

interface AwsResult {
  code: number;
  stdout: string;
  stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output, checked by the assertions.
  json: any;
}

describe.skipIf(!awsOnPath && !inCi)("the AWS CLI against berth local", () => {
  let berth: BerthProcess;
  let dataDir: string;

  beforeAll(async () => {
    if (!awsOnPath) throw new Error("CI=true but `aws` is not on PATH: .ci/run installs Debian's awscli.");
    dataDir = mkdtempSync(join(tmpdir(), "berth-e2e-"));
    // The instances are registered by hand, with no agent to beat for them: a long heartbeat
    // interval keeps them connected (placeable) however slowly the CLI runs.
    berth = await spawnBerth(dataDir, { BERTH_AGENT_HEARTBEAT_SECONDS: "3600" });
  });
  afterAll(async () => {
    await berth?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** `aws ecs ...` with the server's key (or `keys`), JSON output, nothing from ~/.aws. */
  function aws(args: string[], keys?: { accessKeyId: string; secretAccessKey: string }): Promise<AwsResult> {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
    const env = {
      ...inherited,
      AWS_ACCESS_KEY_ID: keys?.accessKeyId ?? berth.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys?.secretAccessKey ?? berth.secretAccessKey,
      AWS_DEFAULT_REGION: berth.region,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_MAX_ATTEMPTS: "1",
      AWS_RETRY_MODE: "standard",
      AWS_PAGER: "",
    };
    const argv = ["ecs", ...args, "--endpoint-url", berth.url, "--output", "json"];
    return new Promise((resolve) => {
      execFile("aws", argv, { env, timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        let json: unknown;
        try {
          json = stdout.trim() ? JSON.parse(stdout) : undefined;
        } catch {}
        resolve({ code, stdout, stderr, json });
      });
    });
  }

  /** Runs a call that must succeed, and returns its JSON. */
  async function ok(args: string[]) {
    const result = await aws(args);
    if (result.code !== 0) {
      throw new Error(`aws ecs ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
    }
    return result.json;
  }

  /** Runs a call that must fail with ECS error `type`. */
  async function fails(args: string[], type: string, keys?: { accessKeyId: string; secretAccessKey: string }) {
    const result = await aws(args, keys);
    expect(result.code, result.stdout).not.toBe(0);
    expect(result.stderr).toContain(`(${type})`);
    return result;
  }

  const arn = (type: string, path: string) => `arn:aws:ecs:${berth.region}:000000000000:${type}/${path}`;
  const instanceArns: string[] = [];
  let taskArns: string[] = [];

  it("the server printed its endpoint and the key kept in the data dir", () => {
    const saved = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
    expect(saved).toEqual({ accessKeyId: berth.accessKeyId, secretAccessKey: berth.secretAccessKey });
    expect(berth.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  });

  it("create-cluster", async () => {
    const { cluster } = await ok(["create-cluster", "--cluster-name", "web"]);
    expect(cluster).toMatchObject({ clusterArn: arn("cluster", "web"), clusterName: "web", status: "ACTIVE" });
  });

  it("register-task-definition --cli-input-json file://td.json", async () => {
    const { taskDefinition, tags } = await ok(["register-task-definition", "--cli-input-json", `file://${TD_JSON}`]);
    expect(taskDefinition).toMatchObject({
      taskDefinitionArn: arn("task-definition", "app:1"),
      family: "app",
      revision: 1,
      status: "ACTIVE",
      networkMode: "bridge",
    });
    expect(taskDefinition.containerDefinitions.map((c: { name: string }) => c.name)).toEqual(["web", "worker"]);
    expect(tags).toEqual(expect.arrayContaining([{ key: "team", value: "platform" }]));
    const described = await ok(["describe-task-definition", "--task-definition", "app:1", "--include", "TAGS"]);
    expect(described.taskDefinition.taskDefinitionArn).toBe(arn("task-definition", "app:1"));
    expect(described.tags).toHaveLength(2);
  });

  it("register-container-instance (twice, two availability zones)", async () => {
    for (const az of ["us-east-1a", "us-east-1b"]) {
      const { containerInstance } = await ok([
        "register-container-instance",
        "--cluster",
        "web",
        "--total-resources",
        JSON.stringify([
          { name: "CPU", type: "INTEGER", integerValue: 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: 7680 },
          { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
          { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
        ]),
        "--attributes",
        JSON.stringify([
          { name: "ecs.os-type", value: "linux" },
          { name: "ecs.availability-zone", value: az },
          // What td.json's requiresAttributes lists, which an agent would advertise.
          ...TD_CAPABILITIES.map((name) => ({ name })),
        ]),
      ]);
      expect(containerInstance.containerInstanceArn).toMatch(/^arn:aws:ecs:[^:]+:\d{12}:container-instance\/web\/\w+$/);
      expect(containerInstance.status).toBe("ACTIVE");
      instanceArns.push(containerInstance.containerInstanceArn);
    }
    const { containerInstanceArns } = await ok(["list-container-instances", "--cluster", "web"]);
    expect([...containerInstanceArns].sort()).toEqual([...instanceArns].sort());
  });

  it("run-task --cluster web --task-definition app:1 --count 3", async () => {
    const { tasks, failures } = await ok([
      "run-task",
      "--cluster",
      "web",
      "--task-definition",
      "app:1",
      "--count",
      "3",
      "--started-by",
      "e2e",
    ]);
    expect(failures).toEqual([]);
    expect(tasks).toHaveLength(3);
    for (const task of tasks) {
      expect(task.taskArn).toMatch(/^arn:aws:ecs:[^:]+:\d{12}:task\/web\/[0-9a-f]{32}$/);
      expect(task).toMatchObject({
        clusterArn: arn("cluster", "web"),
        taskDefinitionArn: arn("task-definition", "app:1"),
        desiredStatus: "RUNNING",
        launchType: "EC2",
        startedBy: "e2e",
      });
      expect(instanceArns).toContain(task.containerInstanceArn);
    }
    taskArns = tasks.map((t: { taskArn: string }) => t.taskArn);
  });

  it("describe-tasks", async () => {
    const { tasks, failures } = await ok([
      "describe-tasks",
      "--cluster",
      "web",
      "--tasks",
      ...taskArns,
      arn("task", "web/0123456789abcdef0123456789abcdef"),
    ]);
    expect(tasks.map((t: { taskArn: string }) => t.taskArn).sort()).toEqual([...taskArns].sort());
    expect(failures).toEqual([{ arn: arn("task", "web/0123456789abcdef0123456789abcdef"), reason: "MISSING" }]);
    for (const task of tasks) {
      expect(["PROVISIONING", "PENDING", "RUNNING"]).toContain(task.lastStatus);
      expect(task.containers.map((c: { name: string }) => c.name).sort()).toEqual(["web", "worker"]);
    }
  });

  it("list-tasks, with filters", async () => {
    const all = await ok(["list-tasks", "--cluster", "web"]);
    expect([...all.taskArns].sort()).toEqual([...taskArns].sort());
    const byFamily = await ok(["list-tasks", "--cluster", "web", "--family", "app"]);
    expect(byFamily.taskArns).toHaveLength(3);
    const byStarter = await ok(["list-tasks", "--cluster", "web", "--started-by", "nobody"]);
    expect(byStarter.taskArns).toEqual([]);
    // The CLI pages by itself: one task per request, all three in the end.
    const paged = await ok(["list-tasks", "--cluster", "web", "--page-size", "1"]);
    expect(paged.taskArns).toHaveLength(3);
  });

  it("describe-clusters counts the instances and tasks", async () => {
    const { clusters } = await ok(["describe-clusters", "--clusters", "web"]);
    expect(clusters[0]).toMatchObject({ registeredContainerInstancesCount: 2 });
    expect(clusters[0].runningTasksCount + clusters[0].pendingTasksCount).toBe(3);
  });

  it("stop-task", async () => {
    const { task } = await ok(["stop-task", "--cluster", "web", "--task", taskArns[0], "--reason", "e2e is done"]);
    expect(task).toMatchObject({
      taskArn: taskArns[0],
      desiredStatus: "STOPPED",
      stoppedReason: "e2e is done",
      stopCode: "UserInitiated",
    });
    for (const taskArn of taskArns.slice(1)) await ok(["stop-task", "--cluster", "web", "--task", taskArn]);
  });

  it("wait tasks-stopped (no agent ran them, so they stop at once)", async () => {
    await ok(["wait", "tasks-stopped", "--cluster", "web", "--tasks", ...taskArns]);
    const { tasks } = await ok(["describe-tasks", "--cluster", "web", "--tasks", ...taskArns]);
    for (const task of tasks) expect(task).toMatchObject({ lastStatus: "STOPPED", desiredStatus: "STOPPED" });
    const running = await ok(["list-tasks", "--cluster", "web"]);
    expect(running.taskArns).toEqual([]);
    const stopped = await ok(["list-tasks", "--cluster", "web", "--desired-status", "STOPPED"]);
    expect(stopped.taskArns).toHaveLength(3);
  });

  it("delete-cluster is refused while instances are registered", async () => {
    await fails(["delete-cluster", "--cluster", "web"], "ClusterContainsContainerInstancesException");
  });

  it("deregister-container-instance", async () => {
    for (const containerInstance of instanceArns) {
      const result = await ok([
        "deregister-container-instance",
        "--cluster",
        "web",
        "--container-instance",
        containerInstance,
      ]);
      expect(result.containerInstance).toMatchObject({ containerInstanceArn: containerInstance, status: "INACTIVE" });
    }
    const { containerInstanceArns } = await ok(["list-container-instances", "--cluster", "web"]);
    expect(containerInstanceArns).toEqual([]);
  });

  it("delete-cluster", async () => {
    const { cluster } = await ok(["delete-cluster", "--cluster", "web"]);
    expect(cluster).toMatchObject({ clusterArn: arn("cluster", "web"), status: "INACTIVE" });
    await fails(["list-tasks", "--cluster", "web"], "ClusterNotFoundException");
  });

  it("unsigned calls and unknown or wrong keys get the AWS errors, and change nothing", async () => {
    await fails(
      ["create-cluster", "--cluster-name", "unsigned", "--no-sign-request"],
      "MissingAuthenticationTokenException",
    );
    await fails(["create-cluster", "--cluster-name", "stranger"], "UnrecognizedClientException", {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    });
    await fails(["create-cluster", "--cluster-name", "forged"], "InvalidSignatureException", {
      accessKeyId: berth.accessKeyId,
      secretAccessKey: `${berth.secretAccessKey.slice(0, -1)}${berth.secretAccessKey.endsWith("x") ? "y" : "x"}`,
    });
    const { clusterArns } = await ok(["list-clusters"]);
    expect(clusterArns).toEqual([]);
  });

  it("an unknown cluster is ClusterNotFoundException", async () => {
    await fails(
      ["describe-tasks", "--cluster", "nope", "--tasks", "0123456789abcdef0123456789abcdef"],
      "ClusterNotFoundException",
    );
  });
});
