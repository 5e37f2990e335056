import type { ContainerInstanceUtilization } from "../../core/actions/berth/shapes.ts";

/** One heartbeat's figures: host CPU and memory, in percent. */
export interface Sample {
  at: number;
  cpu: number;
  memory: number;
}

export const WINDOW_MS = 3_600_000;

/**
 * The heartbeats seen while the console is open, per container instance, the last hour of them.
 * Berth keeps only each instance's latest heartbeat (DescribeUtilization), so the history is
 * what this tab gathered by polling: it starts empty on each page load. Kept outside the views
 * so that moving between pages keeps it.
 */
const samples = new Map<string, Sample[]>();

export function remember(utilization: Iterable<ContainerInstanceUtilization>, now = Date.now()) {
  for (const u of utilization) {
    if (u.lastHeartbeatAt === undefined || u.cpuPercent === undefined || !u.memoryTotalMiB) continue;
    const at = u.lastHeartbeatAt.getTime();
    const kept = (samples.get(u.containerInstanceArn) ?? []).filter((s) => s.at > now - WINDOW_MS);
    // Polls come more often than heartbeats: one sample per heartbeat.
    if (kept.at(-1)?.at !== at) {
      kept.push({ at, cpu: u.cpuPercent, memory: (100 * (u.memoryUsedMiB ?? 0)) / u.memoryTotalMiB });
    }
    samples.set(u.containerInstanceArn, kept);
  }
}

/** `remember`s a DescribeUtilization answer on its way to a view. */
export function remembered<T extends Map<string, ContainerInstanceUtilization>>(utilization: T): T {
  remember(utilization.values());
  return utilization;
}

export const history = (containerInstanceArn: string): Sample[] => samples.get(containerInstanceArn) ?? [];
