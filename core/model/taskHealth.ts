import type { Container, Task } from "@aws-sdk/client-ecs";

/**
 * Container and task health as ECS shows them. Only containers whose definition has a health
 * check carry a healthStatus (UNKNOWN from placement on), so "has a check" is read off the task.
 * Pure functions; `undefined` when the task stays as it was.
 */
export const HEALTH_STATUSES = ["HEALTHY", "UNHEALTHY", "UNKNOWN"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface ContainerHealthReport {
  containerName: string;
  healthStatus: HealthStatus;
}

/**
 * The task's health from its essential containers that have a health check, in ECS's priority
 * order: UNHEALTHY if any is, else UNKNOWN if any is, else HEALTHY. Non-essential containers and
 * containers without a check do not count; a task with no such container stays UNKNOWN.
 */
export function taskHealth(containers: Container[], essential: string[]): HealthStatus {
  const checked = containers.filter((c) => c.healthStatus !== undefined && essential.includes(c.name ?? ""));
  if (checked.length === 0) return "UNKNOWN";
  if (checked.some((c) => c.healthStatus === "UNHEALTHY")) return "UNHEALTHY";
  if (checked.some((c) => c.healthStatus !== "HEALTHY")) return "UNKNOWN";
  return "HEALTHY";
}

/**
 * The task after its agent reports its containers' health. A STOPPED task, a STOPPED container
 * and a container without a health check keep what they have: a stopped container's health is
 * the last it had while it ran, which is what the scheduler's failure count reads.
 */
export function reportHealth(task: Task, essential: string[], reports: ContainerHealthReport[]): Task | undefined {
  if (task.lastStatus === "STOPPED" || !task.containers) return undefined;
  const latest = new Map(reports.map((r) => [r.containerName, r.healthStatus]));
  const containers = task.containers.map((c) => {
    const health = latest.get(c.name ?? "");
    const takes = health && c.healthStatus !== undefined && c.lastStatus !== "STOPPED" && c.healthStatus !== health;
    return takes ? { ...c, healthStatus: health } : c;
  });
  const healthStatus = taskHealth(containers, essential);
  const changed = healthStatus !== task.healthStatus || containers.some((c, i) => c !== task.containers?.[i]);
  return changed ? { ...task, containers, healthStatus, version: (task.version ?? 0) + 1 } : undefined;
}
