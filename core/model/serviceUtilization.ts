import type { TaskRecord, TaskUtilization } from "./records.ts";

/** The predefined metrics Berth computes for ECS services, from what the agents report. */
export const SCALING_METRICS = ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"];

/** One CPU core is 1,024 CPU units; the agents report CPU as `docker stats` does, 100 % per busy core. */
const UNITS_PER_CORE = 1024;

export interface ServiceUtilization {
  /** Percent of the CPU units and memory the measured tasks reserve (as ECS defines its service metrics); absent when none reserve any. */
  cpu?: number;
  memory?: number;
  /** How many RUNNING tasks had a measurement. */
  measured: number;
}

/**
 * A service's average CPU and memory utilization, as ECS defines ECSServiceAverage*Utilization:
 * what its RUNNING tasks use, summed, over what they reserve, summed, in percent. Only tasks
 * with a fresh measurement count (`measurements`, by task ARN, from connected agents).
 */
export function serviceUtilization(
  tasks: TaskRecord[],
  measurements: Map<string, TaskUtilization>,
): ServiceUtilization {
  let cpuUsed = 0;
  let cpuReserved = 0;
  let memoryUsed = 0;
  let memoryReserved = 0;
  let measured = 0;
  for (const t of tasks) {
    const m = t.task.lastStatus === "RUNNING" ? measurements.get(t.task.taskArn as string) : undefined;
    if (!m) continue;
    measured++;
    if (t.reservation.cpu > 0) {
      cpuUsed += (m.cpuPercent / 100) * UNITS_PER_CORE;
      cpuReserved += t.reservation.cpu;
    }
    if (t.reservation.memory > 0) {
      memoryUsed += m.memoryMiB;
      memoryReserved += t.reservation.memory;
    }
  }
  return {
    cpu: cpuReserved > 0 ? (100 * cpuUsed) / cpuReserved : undefined,
    memory: memoryReserved > 0 ? (100 * memoryUsed) / memoryReserved : undefined,
    measured,
  };
}
