import {
  type ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTasks,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import type { FakeRuntime } from "../../agent/runtime/fake.ts";

/** The Docker label the agent puts on every container it creates. */
const TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn";

export interface ClusterSnapshot {
  tasks: Task[];
  instances: ContainerInstance[];
  services: Service[];
}

/** Everything a cluster holds, read through the ECS API as any client would. */
export async function snapshotCluster(ecs: ECSClient, cluster: string): Promise<ClusterSnapshot> {
  const taskArns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const)
    for await (const page of paginateListTasks({ client: ecs }, { cluster, desiredStatus }))
      taskArns.push(...(page.taskArns ?? []));
  const instanceArns: string[] = [];
  for await (const page of paginateListContainerInstances({ client: ecs }, { cluster }))
    instanceArns.push(...(page.containerInstanceArns ?? []));
  const serviceArns: string[] = [];
  for await (const page of paginateListServices({ client: ecs }, { cluster }))
    serviceArns.push(...(page.serviceArns ?? []));
  return {
    tasks: await inBatches(
      taskArns,
      100,
      async (tasks) => (await ecs.send(new DescribeTasksCommand({ cluster, tasks }))).tasks ?? [],
    ),
    instances: await inBatches(
      instanceArns,
      100,
      async (containerInstances) =>
        (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances }))).containerInstances ??
        [],
    ),
    services: await inBatches(
      serviceArns,
      10,
      async (services) => (await ecs.send(new DescribeServicesCommand({ cluster, services }))).services ?? [],
    ),
  };
}

/** `describe` called on `arns` `size` at a time (the Describe actions' limits), in order. */
async function inBatches<T>(arns: string[], size: number, describe: (batch: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < arns.length; i += size) out.push(...(await describe(arns.slice(i, i + size))));
  return out;
}

export interface InvariantOptions {
  /** Whether every task must have reached its desired status (false: no agent runs them). */
  settled?: boolean;
  /** Each agent's container runtime by the container instance it registered as: state must agree. */
  runtimes?: Map<string, FakeRuntime>;
}

/**
 * What must hold of a cluster once it has settled, after any load or fault; the violations found,
 * none when it is sound:
 * - no instance overbooked (no remaining CPU or memory below zero);
 * - no reservation leaked or missing: what an instance has reserved (registered − remaining) is
 *   exactly the resources of its tasks that are not STOPPED, and its running and pending counts
 *   are those tasks';
 * - every task settled (its last status is its desired status);
 * - every ACTIVE service at its desired count, with one deployment;
 * - with the agents' runtimes: a running container for every RUNNING task, on its instance, and a
 *   task RUNNING on that instance for every running container (none without its task).
 */
export async function clusterViolations(
  ecs: ECSClient,
  snapshot: ClusterSnapshot,
  options: InvariantOptions = {},
): Promise<string[]> {
  const violations: string[] = [];
  const resources = await taskResources(ecs, snapshot.tasks);
  const live = snapshot.tasks.filter((t) => t.lastStatus !== "STOPPED");
  for (const task of options.settled === false ? [] : snapshot.tasks) {
    if (task.lastStatus !== task.desiredStatus)
      violations.push(`task ${task.taskArn} is ${task.lastStatus}, desired ${task.desiredStatus}`);
  }
  for (const instance of snapshot.instances) {
    const arn = instance.containerInstanceArn as string;
    const mine = live.filter((t) => t.containerInstanceArn === arn);
    for (const name of ["CPU", "MEMORY"] as const) {
      const registered = amount(instance.registeredResources, name);
      const remaining = amount(instance.remainingResources, name);
      if (remaining < 0) violations.push(`instance ${arn} is overbooked: ${name} remaining ${remaining}`);
      const held = mine.reduce((sum, t) => sum + (resources.get(t.taskArn as string)?.[name] ?? 0), 0);
      if (registered - remaining !== held)
        violations.push(
          `instance ${arn} has ${registered - remaining} ${name} reserved, its ${mine.length} live task(s) hold ${held}`,
        );
    }
    // As the API reference defines them: running = desired RUNNING, pending = not started yet.
    const desiredRunning = mine.filter((t) => t.desiredStatus === "RUNNING").length;
    const pending = mine.filter((t) => ["PROVISIONING", "PENDING", "ACTIVATING"].includes(t.lastStatus ?? "")).length;
    if (instance.runningTasksCount !== desiredRunning || instance.pendingTasksCount !== pending)
      violations.push(
        `instance ${arn} counts ${instance.runningTasksCount} running and ${instance.pendingTasksCount} pending tasks, it has ${desiredRunning} desired RUNNING and ${pending} pending`,
      );
  }
  for (const service of snapshot.services) {
    if (service.status !== "ACTIVE") continue;
    const name = service.serviceName;
    if (service.runningCount !== service.desiredCount || service.pendingCount !== 0)
      violations.push(
        `service ${name}: desired ${service.desiredCount}, running ${service.runningCount}, pending ${service.pendingCount}`,
      );
    if ((service.deployments?.length ?? 0) !== 1)
      violations.push(`service ${name} has ${service.deployments?.length ?? 0} deployments`);
    const running = live.filter((t) => t.group === `service:${name}` && t.lastStatus === "RUNNING").length;
    if (running !== service.desiredCount)
      violations.push(`service ${name}: ${running} tasks RUNNING in the store, desired ${service.desiredCount}`);
  }
  for (const [instanceArn, runtime] of options.runtimes ?? []) {
    const containers = new Set(
      [...runtime.containers.values()]
        .filter((c) => c.state === "running")
        .map((c) => c.spec.Labels?.[TASK_ARN_LABEL] as string),
    );
    const running = new Set(
      live
        .filter((t) => t.containerInstanceArn === instanceArn && t.lastStatus === "RUNNING")
        .map((t) => t.taskArn as string),
    );
    for (const arn of running)
      if (!containers.has(arn)) violations.push(`task ${arn} is RUNNING in the store, its agent runs no container`);
    for (const arn of containers) {
      if (running.has(arn)) continue;
      const task = snapshot.tasks.find((t) => t.taskArn === arn);
      const state = task
        ? `${task.lastStatus} (desired ${task.desiredStatus}, ${task.stopCode}: ${task.stoppedReason}, started ${task.startedAt?.toISOString() ?? "never"}) on ${task.containerInstanceArn}`
        : "unknown";
      violations.push(`a container of ${arn} runs on ${instanceArn}; the store has that task ${state}`);
    }
  }
  return violations;
}

/** CPU and memory each task holds: the task's own sizes, else its containers' (as ECS reserves). */
async function taskResources(ecs: ECSClient, tasks: Task[]) {
  const definitions = new Map<string, { CPU: number; MEMORY: number }>();
  const result = new Map<string, { CPU: number; MEMORY: number }>();
  for (const task of tasks) {
    const arn = task.taskDefinitionArn as string;
    let sizes = definitions.get(arn);
    if (!sizes) {
      const { taskDefinition: d } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      const containers = d?.containerDefinitions ?? [];
      sizes = {
        CPU: d?.cpu ? Number(d.cpu) : containers.reduce((s, c) => s + (c.cpu ?? 0), 0),
        MEMORY: d?.memory
          ? Number(d.memory)
          : containers.reduce((s, c) => s + (c.memory ?? c.memoryReservation ?? 0), 0),
      };
      definitions.set(arn, sizes);
    }
    result.set(task.taskArn as string, sizes);
  }
  return result;
}

function amount(resources: ContainerInstance["registeredResources"], name: string): number {
  return resources?.find((r) => r.name === name)?.integerValue ?? 0;
}

/**
 * Reads the cluster until every invariant holds or `withinMs` has passed (the control plane and
 * its agents converge level-triggered: after a fault that takes a few rounds); the last snapshot
 * and what it still violates.
 */
export async function settledCluster(
  ecs: ECSClient,
  cluster: string,
  options: InvariantOptions & { withinMs: number; beforeEachRead?: () => Promise<void> },
): Promise<{ snapshot: ClusterSnapshot; violations: string[] }> {
  const deadline = Date.now() + options.withinMs;
  for (;;) {
    await options.beforeEachRead?.();
    const snapshot = await snapshotCluster(ecs, cluster);
    const violations = await clusterViolations(ecs, snapshot, options);
    if (violations.length === 0 || Date.now() > deadline) return { snapshot, violations };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
