import type { ActionContext } from "../operations/context.ts";
import { ConflictError, put } from "../store/port.ts";
import { instanceStates } from "./reconcile.ts";

export interface InstanceSweep {
  /** Instances whose agentConnected the sweep recorded as flipped. */
  flipped: number;
  /** Instances whose agent has been away longer than the grace period (their services' rounds replace their tasks). */
  lost: number;
}

/**
 * The sweep of one cluster's container instances, against their heartbeats, with the service
 * scheduler's own view of them (reconcile.ts's instanceStates: connected, lost). agentConnected
 * is derived from heartbeat freshness wherever it is read; the sweep also writes it to the
 * instance record when it has flipped, so that the table's stream announces the change as an
 * `ECS Container Instance State Change` (as ECS does when an agent connects or disconnects).
 * Lost instances' tasks are stopped and replaced by their services' rounds, which the sweeper
 * nudges next: the sweep counts them, it does not act on them twice.
 * Level-triggered: a second sweep finds nothing to write; a write that loses a race with another
 * (placement, a re-registration) is left to the next sweep, which reads afresh.
 */
export async function sweepInstances(ctx: ActionContext, cluster: string): Promise<InstanceSweep> {
  const { records, states } = await instanceStates(ctx, cluster, ctx.now().getTime());
  let flipped = 0;
  let lost = 0;
  for (const record of records) {
    const state = states.get(record.id);
    if (!state || record.instance.status === "INACTIVE") continue;
    if (state.lost) lost++;
    if (record.instance.agentConnected === state.connected) continue;
    try {
      await ctx.store.commit([
        put("containerInstance", { ...record, instance: { ...record.instance, agentConnected: state.connected } }),
      ]);
      flipped++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return { flipped, lost };
}
