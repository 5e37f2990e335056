import type { Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { TASK_ARN_LABEL } from "../runtime/types.ts";

/**
 * Names and labels the engine gives Docker objects. They are derived from the task alone, so they
 * can be written to the state file before Docker is called and recomputed identically after a
 * crash: a retried create then collides with (and adopts) the container it already made.
 */

export const LABELS = {
  taskArn: TASK_ARN_LABEL,
  containerName: "com.amazonaws.ecs.container-name",
  cluster: "com.amazonaws.ecs.cluster",
  family: "com.amazonaws.ecs.task-definition-family",
  revision: "com.amazonaws.ecs.task-definition-version",
} as const;

export const taskId = (taskArn: string) => taskArn.slice(taskArn.lastIndexOf("/") + 1);

/** Docker names allow [a-zA-Z0-9_.-]; ECS names are already within it, but a stray character must not break create. */
const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "-");

/**
 * The ECS agent names containers `ecs-<family>-<revision>-<name>-<random hex>`; Berth uses the
 * first 20 characters of the task id in place of the random part, so the name is deterministic.
 */
function scoped(task: Task, taskDefinition: TaskDefinition, name: string) {
  const id = taskId(task.taskArn ?? "")
    .replace(/[^a-zA-Z0-9]/g, "")
    .slice(0, 20);
  return safe(`ecs-${taskDefinition.family}-${taskDefinition.revision}-${name}-${id}`);
}

export const dockerName = (task: Task, taskDefinition: TaskDefinition, containerName: string) =>
  scoped(task, taskDefinition, containerName);

/** A task-scoped Docker volume (a task definition volume with no host path), one per task as on ECS. */
export const volumeName = (task: Task, taskDefinition: TaskDefinition, volume: string) =>
  scoped(task, taskDefinition, volume);

export function ecsLabels(task: Task, taskDefinition: TaskDefinition, containerName: string, cluster: string) {
  return {
    [LABELS.taskArn]: task.taskArn ?? "",
    [LABELS.containerName]: containerName,
    [LABELS.cluster]: cluster,
    [LABELS.family]: taskDefinition.family ?? "",
    [LABELS.revision]: String(taskDefinition.revision ?? ""),
  };
}
