import { heartbeatsByInstance, isAgentConnected } from "../../operations/agentConnection.ts";
import type { ActionContext } from "../../operations/context.ts";
import {
  activeCluster,
  containerInstanceRefArn,
  describeEach,
  findContainerInstance,
} from "../../operations/lookup.ts";
import { MAX_REFERENCES } from "../../protocol/limits.ts";
import { Members } from "./input.ts";
import type {
  ContainerInstanceUtilization,
  DescribeUtilizationRequest,
  DescribeUtilizationResponse,
} from "./shapes.ts";

/**
 * The latest heartbeat of container instances: whether their agent is connected, when it last
 * beat, and the utilization it reported. Named instances that do not exist come back in
 * `failures` (MISSING), as in DescribeContainerInstances.
 */
export async function DescribeUtilization(input: unknown, ctx: ActionContext): Promise<DescribeUtilizationResponse> {
  const request = describeUtilizationRequest(input);
  const cluster = (await activeCluster(ctx, request.cluster)).name;
  const { described: records, failures } = request.containerInstances
    ? await describeEach(
        request.containerInstances,
        (ref) => findContainerInstance(ctx, cluster, ref),
        (record) => record,
        (ref) => containerInstanceRefArn(ctx, cluster, ref),
      )
    : {
        described: (await ctx.store.listContainerInstances(cluster)).filter((r) => r.instance.status !== "INACTIVE"),
        failures: [],
      };
  const heartbeats = await heartbeatsByInstance(ctx, cluster);
  const now = ctx.now().getTime();
  const utilization = records.map((record): ContainerInstanceUtilization => {
    const heartbeat = heartbeats.get(record.id);
    const figures = heartbeat?.utilization;
    return {
      containerInstanceArn: record.instance.containerInstanceArn as string,
      agentConnected: isAgentConnected(ctx, record, heartbeat, now),
      lastHeartbeatAt: heartbeat && new Date(heartbeat.at),
      cpuPercent: figures?.cpuPercent,
      memoryUsedMiB: figures?.memoryUsedMiB,
      memoryTotalMiB: figures?.memoryTotalMiB,
      tasks: figures?.tasks ?? [],
    };
  });
  return { utilization, failures };
}

function describeUtilizationRequest(input: unknown): DescribeUtilizationRequest {
  const members = Members.of(input);
  return {
    cluster: members.string("cluster"),
    containerInstances: members.strings("containerInstances", 1, MAX_REFERENCES.DescribeUtilization),
  };
}
