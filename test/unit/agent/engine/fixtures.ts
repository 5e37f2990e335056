import { randomUUID } from "node:crypto";
import type { ContainerDefinition, TaskDefinition } from "@aws-sdk/client-ecs";
import type { DesiredTask } from "../../../../agent/engine/types.ts";

/** Builders for the agent's tests (unit and Docker): a desired task from a few container definitions. */

export const IMAGE = "berth-test/busybox:latest";

/** A fresh 32-hex task id per call, so names and labels never collide between tests. */
export const taskArnFor = (cluster = "test") =>
  `arn:aws:ecs:us-east-1:123456789012:task/${cluster}/${randomUUID().replaceAll("-", "")}`;

export function desiredTask(
  containers: ContainerDefinition[],
  options: { family?: string; taskArn?: string; desiredStatus?: string; definition?: Partial<TaskDefinition> } = {},
): DesiredTask {
  const family = options.family ?? "web";
  const taskDefinition: TaskDefinition = {
    family,
    revision: 1,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:1`,
    containerDefinitions: containers.map((c) => ({ image: IMAGE, essential: true, ...c })),
    ...options.definition,
  };
  return {
    task: {
      taskArn: options.taskArn ?? taskArnFor(),
      taskDefinitionArn: taskDefinition.taskDefinitionArn,
      desiredStatus: options.desiredStatus ?? "RUNNING",
      lastStatus: "PROVISIONING",
    },
    taskDefinition,
  };
}

/** The same task, now desired STOPPED. */
export const stopping = (d: DesiredTask): DesiredTask => ({ ...d, task: { ...d.task, desiredStatus: "STOPPED" } });
