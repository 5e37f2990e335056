import { randomInt } from "node:crypto";
import type { Deployment, Service, ServiceEvent, Tag } from "@aws-sdk/client-ecs";
import { newUuid } from "./ids.ts";
import type { TaskDefinitionRecord } from "./records.ts";

/** A service keeps its last 100 events, newest first, as ECS does. */
export const MAX_SERVICE_EVENTS = 100;

/** ECS's deployment ids: `ecs-svc/` and 19 digits. They also mark the deployment's tasks (startedBy). */
export function newDeploymentId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

/** The group every task of a service carries, as on ECS (ListTasks' serviceName filters on it). */
export const serviceGroup = (serviceName: string) => `service:${serviceName}`;

/** A new PRIMARY deployment of a task definition, rolling out. */
export function newDeployment(taskDefinition: string, desiredCount: number, now: Date): Deployment {
  return {
    id: newDeploymentId(),
    status: "PRIMARY",
    taskDefinition,
    desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    launchType: "EC2",
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: "ECS deployment in progress.",
  };
}

/** Prepends events (given oldest first) to a service's list, newest first, keeping the last 100. */
export function withEvents(events: ServiceEvent[] | undefined, messages: string[], now: Date): ServiceEvent[] {
  const added = messages.map((message) => ({ id: newUuid(), createdAt: now, message })).reverse();
  return [...added, ...(events ?? [])].slice(0, MAX_SERVICE_EVENTS);
}

/** The tags a service's new task gets: its own, or its task definition's, as propagateTags says. */
export function taskTagsOf(service: Service, taskDefinition: TaskDefinitionRecord): Tag[] {
  if (service.propagateTags === "SERVICE") return service.tags ?? [];
  if (service.propagateTags === "TASK_DEFINITION") return taskDefinition.tags;
  return [];
}
