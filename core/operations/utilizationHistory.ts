import type { InstanceUtilization, UtilizationSample } from "../model/records.ts";
import { heartbeatIntervalMs } from "./agentConnection.ts";
import type { ActionContext } from "./context.ts";

/**
 * Each container instance keeps a short history of its utilization for a chart: a ring of
 * SLOTS samples, one per sample period (six heartbeat intervals: a minute at the default 10 s),
 * so the last hour at the default. A heartbeat records a sample only when it is the first of its
 * period (the heartbeat's write gives the previous beat back: no read), which keeps the history's
 * writes to one a minute per instance, and the slot a period
 * maps to is the ring's position: a new round overwrites the samples of an hour ago in place.
 */
export const SLOTS = 60;
const BEATS_PER_SAMPLE = 6;

export const samplePeriodMs = (ctx: ActionContext) => BEATS_PER_SAMPLE * heartbeatIntervalMs(ctx);

/** How far back the ring reaches: SLOTS periods. */
export const historyWindowMs = (ctx: ActionContext) => SLOTS * samplePeriodMs(ctx);

/** The ring position of the period `at` (epoch ms) falls in. */
export const slotOf = (at: number, periodMs: number) => Math.floor(at / periodMs) % SLOTS;

/** Whether a beat at `at` is the first of its period, the previous one having come at `previousAt`. */
export const startsPeriod = (at: number, previousAt: number | undefined, periodMs: number) =>
  previousAt === undefined || Math.floor(at / periodMs) !== Math.floor(previousAt / periodMs);

/** The samples of the window ending at `now`, oldest first: the ring also holds those a round older. */
export const withinWindow = (samples: UtilizationSample[], now: number, windowMs: number) =>
  samples.filter((s) => s.at > now - windowMs && s.at <= now).sort((a, b) => a.at - b.at);

/** Records the beat's figures in the instance's history if it is the first beat of its period. */
export async function recordUtilizationSample(
  ctx: ActionContext,
  cluster: string,
  id: string,
  at: number,
  previousAt: number | undefined,
  utilization: InstanceUtilization,
): Promise<void> {
  const periodMs = samplePeriodMs(ctx);
  if (!startsPeriod(at, previousAt, periodMs)) return;
  const { cpuPercent, memoryUsedMiB, memoryTotalMiB } = utilization;
  const sample = { at, cpuPercent: Math.round(cpuPercent * 10) / 10, memoryUsedMiB, memoryTotalMiB };
  await ctx.store.putUtilizationSample(cluster, id, slotOf(at, periodMs), sample, at + historyWindowMs(ctx));
}
