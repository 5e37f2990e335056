import type { Deployment, ServiceEvent } from "@aws-sdk/client-ecs";
import { serviceArn } from "../model/arn.ts";
import type { Partition } from "../model/config.ts";
import type { ContainerInstanceRecord, ServiceRecord, TaskRecord } from "../model/records.ts";
import type { Kind, RecordChange } from "../store/kinds.ts";
import { DETAIL_TYPES, type EcsEvent } from "./types.ts";

/**
 * The kinds of record whose writes can make ECS events (ecsEventsOf's cases). On AWS the table's
 * stream passes only these to the events function (infra/events.ts): heartbeats, one write per
 * instance every half minute, and the other kinds never invoke it.
 */
export const EVENT_KINDS = ["task", "containerInstance", "service"] as const satisfies readonly Kind[];

/**
 * The ECS events one change of a record makes (pure: table-tested in test/unit/core/events/build.test.ts).
 * Deletions make none: ECS says nothing when a stopped task or an inactive resource ages out.
 * Each detail carries the record's version, which the store raises on every write, so a
 * consumer can drop an event older than one it has seen for the same resource.
 */
export function ecsEventsOf(change: RecordChange, partition: Partition): EcsEvent[] {
  if (!change.new) return [];
  switch (change.kind) {
    case "task":
      return taskEvents(change.old, change.new);
    case "containerInstance":
      return instanceEvents(change.old, change.new);
    case "service":
      return serviceEvents(change.old, change.new, partition);
    default:
      return [];
  }
}

/** What a task state change is about: its and its containers' statuses, and its health. */
const taskState = (r: TaskRecord) =>
  JSON.stringify([
    r.task.lastStatus,
    r.task.desiredStatus,
    r.task.healthStatus,
    r.task.stopCode,
    r.task.containers?.map((c) => [c.lastStatus, c.exitCode, c.healthStatus]),
  ]);

function taskEvents(old: TaskRecord | undefined, now: TaskRecord): EcsEvent[] {
  if (old && taskState(old) === taskState(now)) return [];
  return [
    {
      detailType: DETAIL_TYPES.task,
      resources: [now.task.taskArn as string],
      time: now.task.stoppedAt ?? now.task.startedAt ?? now.task.createdAt ?? new Date(0),
      detail: { ...now.task, updatedAt: now.task.stoppedAt ?? now.task.startedAt, version: now.version },
    },
  ];
}

/** Every change of what ECS shows of an instance (status, connection, resources left) is an event, as in ECS. */
function instanceEvents(old: ContainerInstanceRecord | undefined, now: ContainerInstanceRecord): EcsEvent[] {
  if (old && JSON.stringify(old.instance) === JSON.stringify(now.instance)) return [];
  return [
    {
      detailType: DETAIL_TYPES.containerInstance,
      resources: [now.instance.containerInstanceArn as string],
      time: now.instance.registeredAt ?? new Date(0),
      // Its resources move on apart from the rest (placements commute): both counts make the version.
      detail: { ...now.instance, version: now.version + (now.resourcesVersion ?? 0) },
    },
  ];
}

/** Service events ECS also announces on EventBridge, by how their message reads (core/services/events.ts). */
const ACTIONS: [RegExp, string, "INFO" | "WARN" | "ERROR"][] = [
  [/has reached a steady state\.$/, "SERVICE_STEADY_STATE", "INFO"],
  [/was unable to place a task/, "SERVICE_TASK_PLACEMENT_FAILURE", "ERROR"],
  [/deployment failed: tasks failed to start\.$/, "SERVICE_TASK_START_IMPAIRED", "WARN"],
];

const ROLLOUT_EVENTS: Record<string, [string, "INFO" | "ERROR"]> = {
  IN_PROGRESS: ["SERVICE_DEPLOYMENT_IN_PROGRESS", "INFO"],
  COMPLETED: ["SERVICE_DEPLOYMENT_COMPLETED", "INFO"],
  FAILED: ["SERVICE_DEPLOYMENT_FAILED", "ERROR"],
};

function serviceEvents(old: ServiceRecord | undefined, now: ServiceRecord, partition: Partition): EcsEvent[] {
  const arn = now.service.serviceArn ?? serviceArn(partition, now.cluster, now.name);
  const clusterArn = now.service.clusterArn;
  const event = (detailType: EcsEvent["detailType"], time: Date, detail: Record<string, unknown>): EcsEvent => ({
    detailType,
    resources: [arn],
    time,
    detail: { ...detail, version: now.version },
  });
  const events: EcsEvent[] = [];
  const seen = new Set((old?.service.events ?? []).map((e) => e.id));
  // Events are kept newest first; announced oldest first.
  for (const said of [...(now.service.events ?? [])].reverse().filter((e) => !seen.has(e.id))) {
    const action = actionOf(said);
    if (action)
      events.push(
        event(DETAIL_TYPES.service, said.createdAt ?? new Date(0), {
          ...action,
          clusterArn,
          createdAt: said.createdAt,
        }),
      );
  }
  if (old && old.service.desiredCount !== now.service.desiredCount) {
    const time = now.service.deployments?.[0]?.updatedAt ?? new Date(0);
    events.push(
      event(DETAIL_TYPES.service, time, {
        eventType: "INFO",
        eventName: "SERVICE_DESIRED_COUNT_UPDATED",
        clusterArn,
        createdAt: time,
      }),
    );
  }
  const before = new Map((old?.service.deployments ?? []).map((d) => [d.id, d.rolloutState]));
  for (const deployment of now.service.deployments ?? []) {
    const rollout = deployment.rolloutState;
    if (!rollout || before.get(deployment.id) === rollout || !ROLLOUT_EVENTS[rollout]) continue;
    events.push(
      event(DETAIL_TYPES.deployment, deployment.updatedAt ?? new Date(0), deploymentDetail(deployment, rollout)),
    );
  }
  return events;
}

function actionOf(said: ServiceEvent) {
  const found = ACTIONS.find(([pattern]) => pattern.test(said.message ?? ""));
  return found && { eventType: found[2], eventName: found[1] };
}

function deploymentDetail(deployment: Deployment, rollout: string) {
  const [eventName, eventType] = ROLLOUT_EVENTS[rollout];
  return {
    eventType,
    eventName,
    deploymentId: deployment.id,
    updatedAt: deployment.updatedAt,
    reason:
      deployment.rolloutStateReason ?? `ECS deployment ${deployment.id} ${rollout.toLowerCase().replace("_", " ")}.`,
  };
}
