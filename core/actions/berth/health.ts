import { HEALTH_STATUSES, reportHealth } from "../../model/taskHealth.ts";
import type { ActionContext } from "../../operations/context.ts";
import { updateReportedTask } from "../agent.ts";
import { Members } from "./input.ts";
import type { SubmitTaskHealthChangeRequest, SubmitTaskHealthChangeResponse } from "./shapes.ts";

/** More containers than a task definition may have (10); bounds what one call can ask for. */
const MAX_CONTAINERS = 100;

/**
 * An agent's report of its containers' health checks, which SubmitTaskStateChange has no field
 * for. Sets each container's healthStatus and derives the task's (core/model/taskHealth.ts);
 * through updateTask, so it is optimistic, a repeat writes nothing, and a change of a service
 * task's health nudges its scheduler (which replaces an UNHEALTHY task, as ECS does).
 */
export async function SubmitTaskHealthChange(
  input: unknown,
  ctx: ActionContext,
): Promise<SubmitTaskHealthChangeResponse> {
  const request = submitTaskHealthChangeRequest(input);
  await updateReportedTask(ctx, request.cluster, request.task, (record) => {
    const task = reportHealth(record.task, record.essentialContainers, request.containers);
    return task && { ...record, task };
  });
  return { acknowledgment: "ACK" };
}

function submitTaskHealthChangeRequest(input: unknown): SubmitTaskHealthChangeRequest {
  const members = Members.of(input);
  return {
    cluster: members.string("cluster"),
    task: members.requiredString("task"),
    containers: (members.structures("containers", MAX_CONTAINERS) ?? []).map((c) => ({
      containerName: c.requiredString("containerName"),
      healthStatus: c.requiredEnum("healthStatus", HEALTH_STATUSES),
    })),
  };
}
