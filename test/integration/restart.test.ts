import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { actions } from "../../core/actions/index.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { type BerthProcess, spawnBerth } from "../support/cli.ts";

/**
 * State survives a restart of the control plane on the same data dir: a clean stop, and a
 * kill -9 of the `berth local` process. Cases for actions that are not built yet are skipped.
 */
const has = (...operations: string[]) => operations.every((op) => op in actions);

const dirs: string[] = [];
const newDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-restart-"));
  dirs.push(dir);
  return dir;
};
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop().catch(() => {})));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `first` against a server, stops it keeping the data dir, and runs `then` against a new one. */
async function acrossRestart(first: (b: TestBerth) => Promise<void>, then: (b: TestBerth) => Promise<void>) {
  const dir = newDataDir();
  const before = await startBerth(dir);
  try {
    await first(before);
  } finally {
    await before.stop({ keepData: true });
  }
  const after = await startBerth(dir);
  running.push({ stop: () => after.stop({ keepData: true }) });
  expect(after.credentials).toMatchObject({
    accessKeyId: before.credentials.accessKeyId,
    secretAccessKey: before.credentials.secretAccessKey,
  });
  await then(after);
}

const TASK_DEFINITION = {
  family: "app",
  containerDefinitions: [
    { name: "web", image: "nginx:1.27", memory: 256, cpu: 128, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
  ],
};

const INSTANCE = {
  cluster: "web",
  totalResources: [
    { name: "CPU", type: "INTEGER", integerValue: 2048 },
    { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
  ],
  attributes: [{ name: "ecs.availability-zone", value: "us-east-1a" }],
};

describe("restart on the same data dir", () => {
  it("keeps the credentials and the clusters", async () => {
    await acrossRestart(
      async (b) => {
        await b.ecs.send(new CreateClusterCommand({ clusterName: "web", tags: [{ key: "team", value: "a" }] }));
        const saved = JSON.parse(readFileSync(join(b.dataDir, "credentials.json"), "utf8"));
        expect(saved.accessKeyId).toBe(b.credentials.accessKeyId);
      },
      async (b) => {
        const { clusters, failures } = await b.ecs.send(
          new DescribeClustersCommand({ clusters: ["web"], include: ["TAGS"] }),
        );
        expect(failures).toEqual([]);
        expect(clusters?.[0]).toMatchObject({
          clusterName: "web",
          status: "ACTIVE",
          tags: [{ key: "team", value: "a" }],
        });
      },
    );
  });

  it.skipIf(!has("RegisterTaskDefinition", "DescribeTaskDefinition"))(
    "keeps task definitions and their revisions",
    async () => {
      let arn: string | undefined;
      await acrossRestart(
        async (b) => {
          await b.ecs.send(new RegisterTaskDefinitionCommand(TASK_DEFINITION));
          const { taskDefinition } = await b.ecs.send(new RegisterTaskDefinitionCommand(TASK_DEFINITION));
          arn = taskDefinition?.taskDefinitionArn;
        },
        async (b) => {
          const { taskDefinition } = await b.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "app" }));
          expect(taskDefinition).toMatchObject({ taskDefinitionArn: arn, revision: 2, status: "ACTIVE" });
          expect(taskDefinition?.registeredAt).toBeInstanceOf(Date);
          // The next revision continues where the first server stopped.
          const next = await b.ecs.send(new RegisterTaskDefinitionCommand(TASK_DEFINITION));
          expect(next.taskDefinition?.revision).toBe(3);
        },
      );
    },
  );

  it.skipIf(!has("RegisterContainerInstance", "DescribeContainerInstances", "ListContainerInstances"))(
    "keeps container instances and their resources",
    async () => {
      let arn: string | undefined;
      await acrossRestart(
        async (b) => {
          await b.ecs.send(new CreateClusterCommand({ clusterName: "web" }));
          const { containerInstance } = await b.ecs.send(new RegisterContainerInstanceCommand(INSTANCE));
          arn = containerInstance?.containerInstanceArn;
        },
        async (b) => {
          const { containerInstanceArns } = await b.ecs.send(new ListContainerInstancesCommand({ cluster: "web" }));
          expect(containerInstanceArns).toEqual([arn]);
          const { containerInstances } = await b.ecs.send(
            new DescribeContainerInstancesCommand({ cluster: "web", containerInstances: [arn as string] }),
          );
          expect(containerInstances?.[0].status).toBe("ACTIVE");
          expect(containerInstances?.[0].registeredResources).toEqual(
            expect.arrayContaining([expect.objectContaining({ name: "MEMORY", integerValue: 4096 })]),
          );
          const { clusters } = await b.ecs.send(new DescribeClustersCommand({ clusters: ["web"] }));
          expect(clusters?.[0].registeredContainerInstancesCount).toBe(1);
        },
      );
    },
  );

  it.skipIf(!has("RegisterTaskDefinition", "RegisterContainerInstance", "RunTask", "DescribeTasks"))(
    "keeps tasks and what they hold on their instances",
    async () => {
      let taskArns: string[] = [];
      let remaining: unknown;
      const describeInstances = async (b: TestBerth) => {
        const { containerInstanceArns } = await b.ecs.send(new ListContainerInstancesCommand({ cluster: "web" }));
        const { containerInstances = [] } = await b.ecs.send(
          new DescribeContainerInstancesCommand({ cluster: "web", containerInstances: containerInstanceArns }),
        );
        return containerInstances
          .sort((x, y) => String(x.containerInstanceArn).localeCompare(String(y.containerInstanceArn)))
          .map((i) => ({ arn: i.containerInstanceArn, remaining: i.remainingResources }));
      };
      await acrossRestart(
        async (b) => {
          await b.ecs.send(new CreateClusterCommand({ clusterName: "web" }));
          await b.ecs.send(new RegisterTaskDefinitionCommand(TASK_DEFINITION));
          // Two instances: the fixed host port puts one task on each.
          await b.ecs.send(new RegisterContainerInstanceCommand(INSTANCE));
          await b.ecs.send(new RegisterContainerInstanceCommand(INSTANCE));
          const run = await b.ecs.send(new RunTaskCommand({ cluster: "web", taskDefinition: "app:1", count: 2 }));
          expect(run.failures).toEqual([]);
          taskArns = (run.tasks ?? []).map((t) => t.taskArn as string);
          remaining = await describeInstances(b);
        },
        async (b) => {
          const { tasks, failures } = await b.ecs.send(new DescribeTasksCommand({ cluster: "web", tasks: taskArns }));
          expect(failures).toEqual([]);
          expect(tasks?.map((t) => t.taskArn).sort()).toEqual([...taskArns].sort());
          expect(tasks?.every((t) => t.desiredStatus === "RUNNING")).toBe(true);
          expect(await describeInstances(b)).toEqual(remaining);
          // The ports are still held: a third copy fits nowhere.
          const third = await b.ecs.send(new RunTaskCommand({ cluster: "web", taskDefinition: "app:1" }));
          expect(third.tasks).toEqual([]);
          expect(third.failures?.map((f) => f.reason)).toEqual(["RESOURCE:PORTS", "RESOURCE:PORTS"]);
        },
      );
    },
  );
});

describe("the berth local process", () => {
  const client = (p: BerthProcess) =>
    new ECSClient({
      endpoint: p.url,
      region: p.region,
      credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey },
      maxAttempts: 1,
    });

  it("prints the real port when started with --port 0, and stops cleanly on SIGTERM", async () => {
    const p = await spawnBerth(newDataDir());
    running.push(p);
    expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(p.url).not.toMatch(/:0$/);
    const health = await fetch(`${p.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await p.stop("SIGTERM")).toBe(0);
  });

  it("loses nothing it acknowledged when killed with SIGKILL", async () => {
    const dir = newDataDir();
    const first = await spawnBerth(dir);
    running.push(first);
    const ecs = client(first);
    const names = Array.from({ length: 20 }, (_, i) => `c${i}`);
    for (const name of names) await ecs.send(new CreateClusterCommand({ clusterName: name }));
    if (has("RegisterTaskDefinition")) await ecs.send(new RegisterTaskDefinitionCommand(TASK_DEFINITION));
    ecs.destroy();
    expect(await first.stop("SIGKILL")).toBe("SIGKILL");

    const second = await spawnBerth(dir);
    running.push(second);
    expect(second.accessKeyId).toBe(first.accessKeyId);
    expect(second.secretAccessKey).toBe(first.secretAccessKey);
    const again = client(second);
    const { clusters, failures } = await again.send(new DescribeClustersCommand({ clusters: names }));
    expect(failures).toEqual([]);
    expect(clusters?.map((c) => c.clusterName)).toEqual(names);
    if (has("DescribeTaskDefinition")) {
      const { taskDefinition } = await again.send(new DescribeTaskDefinitionCommand({ taskDefinition: "app:1" }));
      expect(taskDefinition?.family).toBe("app");
    }
    again.destroy();
  });
});
