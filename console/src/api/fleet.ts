import {
  type Cluster,
  type ContainerInstance,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type DesiredStatus,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import type {
  ContainerInstanceUtilization,
  DescribeUtilizationResponse,
  GetUtilizationHistoryResponse,
} from "../../../core/actions/berth/shapes.ts";
import type { Api } from "./client.ts";

/**
 * What the views show, read the way a script reads it: List* page by page, then Describe* in
 * batches of the sizes ECS allows. No call here changes anything.
 */

/** Every page of a List* call. */
async function everyPage(page: (nextToken?: string) => Promise<{ items?: string[]; nextToken?: string }>) {
  const all: string[] = [];
  let token: string | undefined;
  do {
    const { items, nextToken } = await page(token);
    all.push(...(items ?? []));
    token = nextToken;
  } while (token);
  return all;
}

/** Describes `arns` in batches of `size`, in parallel. */
async function inBatches<T>(arns: string[], size: number, describe: (batch: string[]) => Promise<T[] | undefined>) {
  const batches: string[][] = [];
  for (let i = 0; i < arns.length; i += size) batches.push(arns.slice(i, i + size));
  return (await Promise.all(batches.map(describe))).flatMap((items) => items ?? []);
}

export async function loadClusters(api: Api): Promise<Cluster[]> {
  const arns = await everyPage(async (nextToken) => {
    const r = await api.ecs.send(new ListClustersCommand({ nextToken }));
    return { items: r.clusterArns, nextToken: r.nextToken };
  });
  const clusters = await inBatches(arns, 100, async (clusters) => {
    return (await api.ecs.send(new DescribeClustersCommand({ clusters }))).clusters;
  });
  return clusters.sort((a, b) => (a.clusterName ?? "").localeCompare(b.clusterName ?? ""));
}

export async function loadInstances(api: Api, cluster: string): Promise<ContainerInstance[]> {
  const arns = await everyPage(async (nextToken) => {
    const r = await api.ecs.send(new ListContainerInstancesCommand({ cluster, nextToken }));
    return { items: r.containerInstanceArns, nextToken: r.nextToken };
  });
  return inBatches(arns, 100, async (containerInstances) => {
    const r = await api.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances }));
    return r.containerInstances;
  });
}

// Berth's actions come back as plain JSON, where a timestamp is epoch seconds (JSON 1.1's
// encoding); the SDK would make it a Date for an ECS action, so do the same here.
const dateOf = (seconds: unknown) => (typeof seconds === "number" ? new Date(seconds * 1000) : undefined);

/** Berth's heartbeat figures per container instance ARN (DescribeUtilization). */
export async function loadUtilization(api: Api, cluster: string): Promise<Map<string, ContainerInstanceUtilization>> {
  const r = await api.berth<DescribeUtilizationResponse>("DescribeUtilization", { cluster });
  return new Map(
    r.utilization.map((u) => [u.containerInstanceArn, { ...u, lastHeartbeatAt: dateOf(u.lastHeartbeatAt) }]),
  );
}

/** The last hour of an instance's utilization as Berth kept it (GetUtilizationHistory), oldest first. */
export async function loadUtilizationHistory(
  api: Api,
  cluster: string,
  containerInstance: string,
): Promise<GetUtilizationHistoryResponse["samples"]> {
  const r = await api.berth<GetUtilizationHistoryResponse>("GetUtilizationHistory", { cluster, containerInstance });
  return r.samples.map((s) => ({ ...s, at: dateOf(s.at) as Date }));
}

/** The cluster's tasks, running and recently stopped (as long as Berth keeps them), newest first. */
export async function loadTasks(
  api: Api,
  cluster: string,
  filter: { serviceName?: string; containerInstance?: string } = {},
): Promise<Task[]> {
  const list = (desiredStatus: DesiredStatus) =>
    everyPage(async (nextToken) => {
      const r = await api.ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken, ...filter }));
      return { items: r.taskArns, nextToken: r.nextToken };
    });
  const arns = [...(await list("RUNNING")), ...(await list("STOPPED"))];
  const tasks = await inBatches(arns, 100, async (tasks) => {
    return (await api.ecs.send(new DescribeTasksCommand({ cluster, tasks }))).tasks;
  });
  return tasks.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
}

export async function loadServices(api: Api, cluster: string): Promise<Service[]> {
  const arns = await everyPage(async (nextToken) => {
    const r = await api.ecs.send(new ListServicesCommand({ cluster, nextToken }));
    return { items: r.serviceArns, nextToken: r.nextToken };
  });
  const services = await inBatches(arns, 10, async (services) => {
    return (await api.ecs.send(new DescribeServicesCommand({ cluster, services }))).services;
  });
  return services.sort((a, b) => (a.serviceName ?? "").localeCompare(b.serviceName ?? ""));
}

/** Every ACTIVE task definition revision's ARN, grouped by family (revisions newest first). */
export async function loadTaskDefinitionFamilies(api: Api): Promise<Map<string, string[]>> {
  const arns = await everyPage(async (nextToken) => {
    const r = await api.ecs.send(new ListTaskDefinitionsCommand({ status: "ACTIVE", nextToken, sort: "DESC" }));
    return { items: r.taskDefinitionArns, nextToken: r.nextToken };
  });
  const families = new Map<string, string[]>();
  for (const arn of arns) {
    const family = familyOf(arn);
    families.set(family, [...(families.get(family) ?? []), arn]);
  }
  return new Map([...families].sort(([a], [b]) => a.localeCompare(b)));
}

/** `web:3` from `arn:aws:ecs:…:task-definition/web:3`. */
export const taskDefinitionName = (arn = "") => arn.slice(arn.lastIndexOf("/") + 1);
export const familyOf = (arn: string) => taskDefinitionName(arn).replace(/:\d+$/, "");
/** The last part of an ARN: a task's or instance's id, a service's name. */
export const shortId = (arn = "") => arn.slice(arn.lastIndexOf("/") + 1);
