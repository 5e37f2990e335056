import type { Deployment, Service, Task } from "@aws-sdk/client-ecs";
import type { ServiceRecord } from "../model/records.ts";
import { type Decision, failedTasksOf } from "./decide.ts";
import * as events from "./events.ts";
import { lastCompleted } from "./replica.ts";

/**
 * The service after a round: the primary's rollout state and desired count, failed starts per
 * deployment, retired deployments, and a rollback's new PRIMARY. Pure; the events it causes are
 * appended to `messages`. Fields change (and updatedAt moves) only when something did change,
 * so that a round with nothing to do leaves the record as it was.
 */
export function nextService(
  record: ServiceRecord,
  decision: Decision,
  tasks: Task[],
  now: Date,
  messages: string[],
): Service {
  const service = record.service;
  const name = record.name;
  if (service.status !== "ACTIVE") return service;
  let [primary, ...older] = (service.deployments ?? []).map((d) => {
    const failedTasks = failedTasksOf(d, tasks);
    return failedTasks === d.failedTasks ? d : { ...d, failedTasks, updatedAt: now };
  });
  if (primary.desiredCount !== decision.desiredCount) {
    primary = { ...primary, desiredCount: decision.desiredCount, updatedAt: now };
  }
  if (decision.rolloutState !== primary.rolloutState) {
    const completed = decision.rolloutState === "COMPLETED";
    primary = {
      ...primary,
      rolloutState: decision.rolloutState,
      rolloutStateReason: completed
        ? `ECS deployment ${primary.id} completed.`
        : "ECS deployment circuit breaker: tasks failed to start.",
      updatedAt: now,
    };
    messages.push(
      completed ? events.completedEvent(name, primary.id as string) : events.failedEvent(name, primary.id as string),
    );
  }
  older = older.filter((d) => !decision.retire.includes(d.id as string));
  const target = decision.rollback ? lastCompleted(older.map(asView)) : undefined;
  if (!target) return { ...service, desiredCount: decision.desiredCount, deployments: [primary, ...older] };

  // Rollback: the last deployment that completed becomes PRIMARY again (its tasks are still the
  // right ones); the failed one drains like any older deployment.
  const back = older.find((d) => d.id === target.id) as Deployment;
  messages.push(events.rollbackEvent(name, back.id as string));
  return {
    ...service,
    taskDefinition: back.taskDefinition,
    deployments: [
      {
        ...back,
        status: "PRIMARY",
        desiredCount: decision.desiredCount,
        rolloutState: "IN_PROGRESS",
        rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${back.id}.`,
        updatedAt: now,
      },
      { ...primary, status: "ACTIVE" },
      ...older.filter((d) => d !== back),
    ],
  };
}

const asView = (d: Deployment) => ({
  id: d.id as string,
  rolloutState: d.rolloutState ?? "IN_PROGRESS",
  failedTasks: d.failedTasks ?? 0,
});
