import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type DesiredStatus,
  ListTasksCommand,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { ControlPlane } from "./controlPlane.ts";
import type { DesiredTask } from "./engine/types.ts";

const DESCRIBE_BATCH = 100;

/**
 * What the control plane wants on this instance, read in full every time (level-triggered: a
 * lost nudge costs a sync's delay, never a task): every task placed here whose desired status is
 * RUNNING or STOPPED (STOPPED ones for as long as ECS shows them: the engine stops what it still runs
 * of them, and takes up none of the others), with its task definition. Definitions are
 * immutable per revision, so they are cached by ARN for the agent's lifetime.
 */
export function createDesiredReader(cp: ControlPlane, cluster: string) {
  const definitions = new Map<string, Promise<TaskDefinition>>();

  const definition = (arn: string) => {
    let cached = definitions.get(arn);
    if (!cached) {
      cached = cp.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })).then((r) => {
        if (!r.taskDefinition) throw new Error(`DescribeTaskDefinition ${arn} answered no taskDefinition.`);
        return r.taskDefinition;
      });
      // A failed read is not cached: the next sync asks again.
      cached.catch(() => definitions.delete(arn));
      definitions.set(arn, cached);
    }
    return cached;
  };

  async function listArns(containerInstance: string, desiredStatus: DesiredStatus): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await cp.ecs.send(
        new ListTasksCommand({ cluster, containerInstance, desiredStatus, nextToken, maxResults: 100 }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  /** The tasks placed on the instance with their definitions, and every task read (for desiredChanges.ts). */
  return async function desiredTasks(containerInstance: string): Promise<{ desired: DesiredTask[]; read: Task[] }> {
    const arns = [...(await listArns(containerInstance, "RUNNING")), ...(await listArns(containerInstance, "STOPPED"))];
    const tasks: Task[] = [];
    for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) {
      const page = await cp.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + DESCRIBE_BATCH) }));
      tasks.push(...(page.tasks ?? []));
    }
    // STOPPED ones too: one the control plane stopped before this agent reported it may run here.
    const placed = tasks.filter((t) => t.taskDefinitionArn);
    const read = await Promise.all(
      placed.map(async (task) => {
        const taskDefinition = definition(task.taskDefinitionArn as string);
        // A STOPPED task whose definition is gone (deleted) must not hold up the live ones.
        if (task.lastStatus === "STOPPED")
          return taskDefinition.then(
            (d) => ({ task, taskDefinition: d }),
            () => undefined,
          );
        return { task, taskDefinition: await taskDefinition };
      }),
    );
    return { desired: read.filter((d): d is DesiredTask => d !== undefined), read: tasks };
  };
}
