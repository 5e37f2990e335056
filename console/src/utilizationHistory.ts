import type { ContainerInstanceUtilization, UtilizationHistorySample } from "../../core/actions/berth/shapes.ts";

/** One heartbeat's figures: host CPU and memory, in percent. */
export interface Sample {
  at: number;
  cpu: number;
  memory: number;
}

export const WINDOW_MS = 3_600_000;

/**
 * Each container instance's utilization over the last hour: Berth's history of it (one sample a
 * minute, GetUtilizationHistory), read once per instance when a page first shows it, merged with
 * every heartbeat this tab has seen since (DescribeUtilization, polled). Kept outside the views
 * so that moving between pages keeps it.
 */
const samples = new Map<string, Sample[]>();
const seeded = new Set<string>();

const percentOf = (used: number, total: number) => (total ? (100 * used) / total : 0);

/** Merges samples into an instance's, one per heartbeat time, oldest first, the last hour's. */
function merge(containerInstanceArn: string, added: Sample[], now: number) {
  const byTime = new Map((samples.get(containerInstanceArn) ?? []).map((s) => [s.at, s]));
  for (const s of added) byTime.set(s.at, s);
  const kept = [...byTime.values()].filter((s) => s.at > now - WINDOW_MS).sort((a, b) => a.at - b.at);
  samples.set(containerInstanceArn, kept);
}

/** The instances among these whose history Berth has not been asked for yet (each is asked once). */
export function unseeded(containerInstanceArns: string[]): string[] {
  const wanted = containerInstanceArns.filter((arn) => !seeded.has(arn));
  for (const arn of wanted) seeded.add(arn);
  return wanted;
}

/** Asks for an instance's history again at the next poll (its read failed for a passing reason). */
export function unseed(containerInstanceArn: string) {
  seeded.delete(containerInstanceArn);
}

/** Adds Berth's history of an instance (GetUtilizationHistory's samples) to what the tab has. */
export function seed(containerInstanceArn: string, history: UtilizationHistorySample[], now = Date.now()) {
  const added = history.map((s) => ({
    at: s.at.getTime(),
    cpu: s.cpuPercent,
    memory: percentOf(s.memoryUsedMiB, s.memoryTotalMiB),
  }));
  merge(containerInstanceArn, added, now);
}

export function remember(utilization: Iterable<ContainerInstanceUtilization>, now = Date.now()) {
  for (const u of utilization) {
    if (u.lastHeartbeatAt === undefined || u.cpuPercent === undefined || !u.memoryTotalMiB) continue;
    // Polls come more often than heartbeats: one sample per heartbeat (merged by its time).
    const sample = {
      at: u.lastHeartbeatAt.getTime(),
      cpu: u.cpuPercent,
      memory: percentOf(u.memoryUsedMiB ?? 0, u.memoryTotalMiB),
    };
    merge(u.containerInstanceArn, [sample], now);
  }
}

/** `remember`s a DescribeUtilization answer on its way to a view. */
export function remembered<T extends Map<string, ContainerInstanceUtilization>>(utilization: T): T {
  remember(utilization.values());
  return utilization;
}

export const history = (containerInstanceArn: string): Sample[] => samples.get(containerInstanceArn) ?? [];
