import type { ActionContext } from "../../operations/context.ts";
import { activeCluster, findContainerInstance } from "../../operations/lookup.ts";
import { historyWindowMs, samplePeriodMs, withinWindow } from "../../operations/utilizationHistory.ts";
import { invalidParameter } from "../../protocol/errors.ts";
import { Members } from "./input.ts";
import type { GetUtilizationHistoryRequest, GetUtilizationHistoryResponse } from "./shapes.ts";

/**
 * A container instance's utilization over the last hour (sixty sample periods), as its
 * heartbeats reported it: what a console charts when it opens, before it has polled anything.
 * An unknown instance is an InvalidParameterException, as for the heartbeat.
 */
export async function GetUtilizationHistory(
  input: unknown,
  ctx: ActionContext,
): Promise<GetUtilizationHistoryResponse> {
  const request = getUtilizationHistoryRequest(input);
  const cluster = (await activeCluster(ctx, request.cluster)).name;
  const record = await findContainerInstance(ctx, cluster, request.containerInstance);
  if (!record) {
    throw invalidParameter(`The referenced container instance ${request.containerInstance} is not in this cluster.`);
  }
  const windowMs = historyWindowMs(ctx);
  const samples = withinWindow(
    await ctx.store.getUtilizationHistory(cluster, record.id),
    ctx.now().getTime(),
    windowMs,
  );
  return {
    containerInstanceArn: record.instance.containerInstanceArn as string,
    samples: samples.map((s) => ({ ...s, at: new Date(s.at) })),
    samplePeriodSeconds: samplePeriodMs(ctx) / 1000,
    windowSeconds: windowMs / 1000,
  };
}

function getUtilizationHistoryRequest(input: unknown): GetUtilizationHistoryRequest {
  const members = Members.of(input);
  return { cluster: members.string("cluster"), containerInstance: members.requiredString("containerInstance") };
}
