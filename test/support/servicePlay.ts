import {
  type ContainerStateChange,
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  SubmitTaskStateChangeCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { until } from "./poll.ts";

/**
 * Helpers for service tests that play the agent through the ECS SDK: register instances by hand,
 * read a service and its tasks, report tasks RUNNING or STOPPED as an agent would.
 */
export function servicePlay(ecs: ECSClient) {
  async function registerInstance(cluster: string, attributes: Record<string, string> = {}, memory = 4096) {
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster,
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: memory },
        ],
        attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
      }),
    );
    return containerInstance?.containerInstanceArn as string;
  }

  /** A cluster and a task family of its own name (revision 1, `memory` MiB). */
  async function cluster(name: string, memory = 128) {
    await ecs.send(new CreateClusterCommand({ clusterName: name }));
    await revision(name, memory);
  }

  const revision = (family: string, memory = 128) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: "app", image: "busybox", memory, essential: true }],
      }),
    );

  async function describeService(cluster: string, service = "web"): Promise<Service> {
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    return services?.[0] as Service;
  }

  /** The service's tasks, still meant to run or not (stopped ones as long as the store keeps them). */
  async function tasksOf(cluster: string, service = "web"): Promise<Task[]> {
    // A Set: a task asked to stop between the two listings is in both.
    const found = new Set<string>();
    for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
      let nextToken: string | undefined;
      do {
        const page = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus, nextToken }));
        for (const arn of page.taskArns ?? []) found.add(arn);
        nextToken = page.nextToken;
      } while (nextToken);
    }
    const arns = [...found];
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += 100) {
      const page = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }));
      tasks.push(...(page.tasks ?? []));
    }
    return tasks;
  }

  const report = (
    cluster: string,
    task: Task,
    status: "RUNNING" | "STOPPED",
    reason?: string,
    containers?: ContainerStateChange[],
  ) => ecs.send(new SubmitTaskStateChangeCommand({ cluster, task: task.taskArn, status, reason, containers }));

  /**
   * One step of an agent: tasks asked to stop stop; pending ones start (reporting `containers`
   * with them: e.g. the host ports Docker bound), and those `crashes` picks exit right after they
   * started (RUNNING, then STOPPED).
   */
  async function agentStep(
    cluster: string,
    crashes: (t: Task) => boolean = () => false,
    containers?: ContainerStateChange[],
  ) {
    for (const task of await tasksOf(cluster)) {
      if (task.lastStatus === "STOPPED") continue;
      if (task.desiredStatus === "STOPPED") await report(cluster, task, "STOPPED");
      else if (task.lastStatus === "PENDING") {
        await report(cluster, task, "RUNNING", undefined, containers);
        if (crashes(task)) await report(cluster, task, "STOPPED", "Essential container in task exited");
      }
    }
  }

  /** Plays the agent until the service runs `count` tasks of one deployment, none pending, none stopping. */
  function untilRunning(cluster: string, count: number, timeoutMs = 45_000) {
    return until(
      `${count} running tasks`,
      async () => {
        await agentStep(cluster);
        const service = await describeService(cluster);
        const tasks = await tasksOf(cluster);
        const settled = tasks.every((t) => t.lastStatus === "STOPPED" || t.desiredStatus === "RUNNING");
        const done = service.deployments?.length === 1 && service.runningCount === count && service.pendingCount === 0;
        return done && settled && live(tasks);
      },
      timeoutMs,
    );
  }

  return { registerInstance, cluster, revision, describeService, tasksOf, report, agentStep, untilRunning };
}

export const live = (tasks: Task[]) => tasks.filter((t) => t.desiredStatus === "RUNNING" && t.lastStatus !== "STOPPED");
export const messages = (service: Service) => (service.events ?? []).map((e) => e.message as string);
