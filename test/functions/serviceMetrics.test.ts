import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SubmitTaskStateChange } from "../../core/actions/agent.ts";
import { CreateCluster } from "../../core/actions/clusters.ts";
import { RegisterContainerInstance } from "../../core/actions/containerInstances.ts";
import { CreateService } from "../../core/actions/services.ts";
import { RegisterTaskDefinition } from "../../core/actions/taskDefinitions.ts";
import { recordHeartbeat } from "../../core/operations/agentConnection.ts";
import type { ActionContext } from "../../core/operations/context.ts";
import { reconcileService } from "../../core/services/reconcile.ts";
import { publishServiceUtilization, SERVICE_METRICS_NAMESPACE } from "../../functions/shared/serviceMetrics.ts";
import { clockedContext } from "../support/testStore.ts";

/**
 * On AWS, a service's scheduler round publishes the utilization it measures as CloudWatch
 * metrics in the embedded metric format: the function's log lines, read here as CloudWatch
 * Logs would get them (stdout), must be EMF that CloudWatch turns into the right metrics.
 */
let ctx: ActionContext;
let written: string[];
beforeEach(async () => {
  const clock = Date.now();
  ctx = { ...(await clockedContext(() => clock)), onServiceUtilization: publishServiceUtilization };
  written = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(console, "log").mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The EMF documents among the lines written. */
const emf = () =>
  written
    .flatMap((chunk) => chunk.split("\n"))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));

describe("service utilization as CloudWatch metrics", () => {
  it("is published by the service's round as EMF: ECS's metric names and dimensions, in Berth/ECS, in Percent", async () => {
    await CreateCluster({ clusterName: "prod" }, ctx);
    const { containerInstance } = await RegisterContainerInstance(
      {
        cluster: "prod",
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: 4096 },
        ],
      },
      ctx,
    );
    const instance = containerInstance?.containerInstanceArn?.split("/").pop() as string;
    await RegisterTaskDefinition(
      { family: "app", containerDefinitions: [{ name: "a", image: "busybox", cpu: 256, memory: 128 }] },
      ctx,
    );
    await CreateService({ cluster: "prod", serviceName: "web", taskDefinition: "app", desiredCount: 2 }, ctx);
    await reconcileService(ctx, "prod", "web");
    const { taskArns } = await ctx.store
      .listTasks({ cluster: "prod" }, { limit: 10 })
      .then((page) => ({ taskArns: page.items.map((t) => t.task.taskArn as string) }));
    expect(taskArns).toHaveLength(2);
    for (const task of taskArns) {
      await SubmitTaskStateChange(
        { cluster: "prod", task, status: "RUNNING", containers: [{ containerName: "a", status: "RUNNING" }] },
        ctx,
      );
    }
    // An eighth of a core is 128 of the 256 units each task reserves (50 %); 32 of 128 MiB is 25 %.
    await recordHeartbeat(ctx, "prod", instance, {
      cpuPercent: 25,
      memoryUsedMiB: 512,
      memoryTotalMiB: 4096,
      tasks: taskArns.map((taskArn) => ({ taskArn, cpuPercent: 12.5, memoryMiB: 32 })),
    });
    written = [];
    await reconcileService(ctx, "prod", "web");

    const documents = emf();
    expect(documents).toHaveLength(1);
    const [document] = documents;
    expect(document._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: SERVICE_METRICS_NAMESPACE,
        Dimensions: [["ClusterName", "ServiceName"]],
        Metrics: [
          { Name: "CPUUtilization", Unit: "Percent" },
          { Name: "MemoryUtilization", Unit: "Percent" },
        ],
      },
    ]);
    expect(Math.abs(document._aws.Timestamp - Date.now())).toBeLessThan(60_000);
    expect(document).toMatchObject({
      ClusterName: "prod",
      ServiceName: "web",
      CPUUtilization: 50,
      MemoryUtilization: 25,
    });
    // No dimension beyond ECS's two (Powertools' default `service` one would make them other metrics).
    expect(document.service).toBeUndefined();
  });

  it("leaves out a metric no task reserves, and publishes nothing when nothing was measured", () => {
    publishServiceUtilization("prod", "web", { cpu: 80, memory: undefined, measured: 1 });
    const [document] = emf();
    expect(document._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: "CPUUtilization", Unit: "Percent" }]);
    expect(document.CPUUtilization).toBe(80);
    written = [];
    publishServiceUtilization("prod", "web", { cpu: undefined, memory: undefined, measured: 0 });
    expect(emf()).toEqual([]);
  });
});
