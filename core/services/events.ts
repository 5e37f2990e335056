import type { Failure, ServiceEvent } from "@aws-sdk/client-ecs";
import { lastSegment } from "../model/arn.ts";

/** The service events ECS writes, word for word where ECS's wording is known. */

/** Who an EXTERNAL service's event is about, as ECS writes it: "(service web, taskSet ecs-svc/…) has started …". */
export const ofTaskSet = (service: string, taskSetId: string) => `${service}, taskSet ${taskSetId}`;

const ids = (arns: string[]) => arns.map((arn) => `(task ${lastSegment(arn)})`).join(" ");

export const startedEvent = (service: string, arns: string[]) =>
  `(service ${service}) has started ${arns.length} tasks: ${ids(arns)}.`;
export const stoppedEvent = (service: string, arns: string[]) =>
  `(service ${service}) has stopped ${arns.length} running tasks: ${ids(arns)}.`;
export const unhealthyEvent = (service: string, arn: string) =>
  `(service ${service}) (task ${lastSegment(arn)}) failed container health checks.`;
export const steadyEvent = (service: string) => `(service ${service}) has reached a steady state.`;
export const completedEvent = (service: string, deployment: string) =>
  `(service ${service}) (deployment ${deployment}) deployment completed.`;
export const failedEvent = (service: string, deployment: string) =>
  `(service ${service}) (deployment ${deployment}) deployment failed: tasks failed to start.`;
export const rollbackEvent = (service: string, deployment: string) =>
  `(service ${service}) rolling back to (deployment ${deployment}).`;
/** ECS's service throttle: starts are held back after tasks kept failing to start. */
export const throttledEvent = (service: string) =>
  `(service ${service}) is unable to consistently start tasks successfully.`;
export const lostInstanceEvent = (service: string, instanceId: string, arns: string[]) =>
  `(service ${service}) has stopped ${arns.length} tasks on (container-instance ${instanceId}), whose agent is lost: ${ids(arns)}.`;

const UNPLACEABLE = "was unable to place a task because no container instance met all of its requirements.";
const TROUBLESHOOTING = "For more information, see the Troubleshooting section.";

/** Why the closest instance could not take the task, in ECS's words, by placement's reason. */
const WHY: Record<string, string> = {
  "RESOURCE:MEMORY": "has insufficient memory available.",
  "RESOURCE:CPU": "has insufficient CPU units available.",
  "RESOURCE:PORTS": "is already using a port required by your task.",
  "RESOURCE:PORTS_UDP": "is already using a port required by your task.",
  ATTRIBUTE: "is missing an attribute required by your task.",
};

/** The closest match is the instance that failed latest in placement's chain: resources, then constraints. */
const CLOSENESS = ["RESOURCE:", "MemberOf", "DistinctInstance", "ATTRIBUTE", "AGENT", "INACTIVE"];
const closeness = (f: Failure) => {
  const i = CLOSENESS.findIndex((prefix) => f.reason?.startsWith(prefix));
  return i < 0 ? CLOSENESS.length : i;
};

export function unplaceableEvent(service: string, failures: Failure[]): string {
  const closest = [...failures].sort((a, b) => closeness(a) - closeness(b))[0];
  if (!closest)
    return `(service ${service}) ${UNPLACEABLE} Reason: No Container Instances were found in your cluster. ${TROUBLESHOOTING}`;
  const why = WHY[closest.reason ?? ""] ?? `encountered error "${closest.reason}".`;
  return `(service ${service}) ${UNPLACEABLE} The closest matching (container-instance ${lastSegment(closest.arn ?? "")}) ${why} ${TROUBLESHOOTING}`;
}

/** The same placement failure is said again only after this long: each round would repeat it otherwise. */
export const REPEAT_AFTER_MS = 15 * 60_000;

/** Whether `message` was said within the last `windowMs` (events are newest first). */
export function saidRecently(events: ServiceEvent[] | undefined, message: string, now: number, windowMs: number) {
  for (const event of events ?? []) {
    if (now - (event.createdAt?.getTime() ?? 0) > windowMs) return false;
    if (event.message === message) return true;
  }
  return false;
}
