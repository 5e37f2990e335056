import type { ContainerInstanceRecord, HeartbeatRecord, InstanceUtilization } from "../model/records.ts";
import type { ActionContext } from "./context.ts";

/**
 * agentConnected is derived, never stored as truth: an instance's agent is connected while its
 * last heartbeat (registration counts as the first) is younger than three heartbeat intervals.
 * Three, so that one late or lost beat does not take an instance out of placement.
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
const MISSED_BEATS = 3;
/** A heartbeat outlives any connection by far; it expires only so that deregistered instances' go away. */
const HEARTBEAT_RETENTION_MS = 24 * 60 * 60 * 1000;

export const heartbeatIntervalMs = (ctx: ActionContext) =>
  ctx.agentHeartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;

/**
 * Records a beat of the instance's agent: one unconditional write, never the instance record.
 * Returns its time and the beat it replaced.
 */
export async function recordHeartbeat(
  ctx: ActionContext,
  cluster: string,
  id: string,
  utilization?: InstanceUtilization,
): Promise<{ at: number; previous?: HeartbeatRecord }> {
  const at = ctx.now().getTime();
  const previous = await ctx.store.putHeartbeat({
    cluster,
    id,
    at,
    utilization,
    expiresAt: at + HEARTBEAT_RETENTION_MS,
  });
  return { at, previous };
}

/** Whether the instance's agent is connected at `now` (epoch ms); a deregistered instance never is. */
export function isAgentConnected(
  ctx: ActionContext,
  record: ContainerInstanceRecord,
  heartbeat: HeartbeatRecord | undefined,
  now = ctx.now().getTime(),
): boolean {
  if (record.instance.status === "INACTIVE" || !heartbeat) return false;
  return now - heartbeat.at < MISSED_BEATS * heartbeatIntervalMs(ctx);
}

/** The record as clients and placement see it, agentConnected derived (a copy only when it differs). */
function withConnection(
  ctx: ActionContext,
  record: ContainerInstanceRecord,
  heartbeat: HeartbeatRecord | undefined,
  now: number,
): ContainerInstanceRecord {
  const agentConnected = isAgentConnected(ctx, record, heartbeat, now);
  return record.instance.agentConnected === agentConnected
    ? record
    : { ...record, instance: { ...record.instance, agentConnected } };
}

export async function withAgentConnection(
  ctx: ActionContext,
  record: ContainerInstanceRecord,
): Promise<ContainerInstanceRecord> {
  const heartbeat = await ctx.store.getHeartbeat(record.cluster, record.id);
  return withConnection(ctx, record, heartbeat, ctx.now().getTime());
}

/** Many instances of one cluster at once: one read of the cluster's heartbeats. */
export async function withAgentConnections(
  ctx: ActionContext,
  cluster: string,
  records: ContainerInstanceRecord[],
): Promise<ContainerInstanceRecord[]> {
  const heartbeats = await heartbeatsByInstance(ctx, cluster);
  const now = ctx.now().getTime();
  return records.map((record) => withConnection(ctx, record, heartbeats.get(record.id), now));
}

/** A cluster's instances with agentConnected as of now: the instances and heartbeats read at once. */
export async function connectedInstances(ctx: ActionContext, cluster: string): Promise<ContainerInstanceRecord[]> {
  const [records, heartbeats] = await Promise.all([
    ctx.store.listContainerInstances(cluster),
    heartbeatsByInstance(ctx, cluster),
  ]);
  const now = ctx.now().getTime();
  return records.map((record) => withConnection(ctx, record, heartbeats.get(record.id), now));
}

export async function heartbeatsByInstance(ctx: ActionContext, cluster: string): Promise<Map<string, HeartbeatRecord>> {
  return new Map((await ctx.store.listHeartbeats(cluster)).map((h) => [h.id, h]));
}
