import { desiredDigest } from "../../model/desiredDigest.ts";
import { heartbeatIntervalMs, recordHeartbeat } from "../../operations/agentConnection.ts";
import type { ActionContext } from "../../operations/context.ts";
import { activeCluster, findContainerInstance } from "../../operations/lookup.ts";
import { recordUtilizationSample } from "../../operations/utilizationHistory.ts";
import { invalidParameter } from "../../protocol/errors.ts";
import { allItems } from "../../store/paging.ts";
import { Members } from "./input.ts";
import type { HeartbeatRequest, HeartbeatResponse } from "./shapes.ts";

/** More task figures than any host runs; bounds the size of the one item a heartbeat writes. */
const MAX_TASKS = 1000;

/**
 * An agent's heartbeat, with its latest utilization. Cheap by design, since every agent sends
 * one every few seconds: reads the instance, writes one heartbeat item unconditionally (which
 * gives back the last one) and, once a sample period, a sample of the instance's utilization history,
 * and never touches the instance record (placements race on its version). It answers the digest of
 * the tasks the agent must act on (desiredDigest.ts, one read of the instance's tasks), so the agent
 * syncs when that changed instead of polling. An unknown or deregistered instance is an
 * InvalidParameterException: the agent's cue to register again.
 */
export async function Heartbeat(input: unknown, ctx: ActionContext): Promise<HeartbeatResponse> {
  const request = heartbeatRequest(input);
  const cluster = await activeCluster(ctx, request.cluster);
  const record = await findContainerInstance(ctx, cluster.name, request.containerInstance);
  if (!record || record.instance.status === "INACTIVE") {
    throw invalidParameter(
      `The referenced container instance ${request.containerInstance} is not registered in this cluster.`,
    );
  }
  const utilization = request.utilization && { ...request.utilization, tasks: request.utilization.tasks ?? [] };
  const { at, previous } = await recordHeartbeat(ctx, cluster.name, record.id, utilization);
  if (utilization) {
    const previousAt = previous?.utilization ? previous.at : undefined;
    await recordUtilizationSample(ctx, cluster.name, record.id, at, previousAt, utilization);
  }
  const placed = await allItems((page) =>
    ctx.store.listTasks({ cluster: cluster.name, containerInstanceId: record.id, notStopped: true }, page),
  );
  return {
    heartbeatIntervalSeconds: heartbeatIntervalMs(ctx) / 1000,
    desiredTasksDigest: desiredDigest(placed.map((r) => r.task)),
  };
}

function heartbeatRequest(input: unknown): HeartbeatRequest {
  const members = Members.of(input);
  const utilization = members.structure("utilization");
  return {
    cluster: members.string("cluster"),
    containerInstance: members.requiredString("containerInstance"),
    utilization: utilization && {
      cpuPercent: utilization.requiredNumber("cpuPercent"),
      memoryUsedMiB: utilization.requiredNumber("memoryUsedMiB"),
      memoryTotalMiB: utilization.requiredNumber("memoryTotalMiB"),
      tasks: utilization.structures("tasks", MAX_TASKS)?.map((task) => ({
        taskArn: task.requiredString("taskArn"),
        cpuPercent: task.requiredNumber("cpuPercent"),
        memoryMiB: task.requiredNumber("memoryMiB"),
      })),
    },
  };
}
