import type { Task } from "@aws-sdk/client-ecs";
import type { TaskRecord } from "../model/records.ts";
import { startBackoffMs } from "./bounds.ts";
import { failureStreak, isFailedStart } from "./observe.ts";

/**
 * ECS's service throttle, and a little more: starts are held back, doubling, after tasks that
 * keep failing to start. ECS counts only tasks that never reached RUNNING; Berth also counts a
 * task that stopped on its own within CRASH_UPTIME_MS of starting, so that a container that
 * exits at once (RUNNING for a moment whenever the agent looked) does not restart in a tight loop.
 */
export const CRASH_UPTIME_MS = 60_000;

/** A start that failed (observe.ts's isFailedStart), or a task that stopped on its own soon after it started. */
export function isCrash(task: Task, rolloutInProgress = false): boolean {
  if (isFailedStart(task, rolloutInProgress)) return true;
  if (!isFailedStart(task, true) || !task.startedAt) return false;
  const stoppedAt = (task.stoppedAt ?? task.executionStoppedAt)?.getTime();
  return stoppedAt !== undefined && stoppedAt - task.startedAt.getTime() < CRASH_UPTIME_MS;
}

/** Consecutive crashes and when the last one stopped. */
export interface CrashStreak {
  consecutiveFailures: number;
  lastFailureAt?: number;
}

/** When starts may resume after a streak of crashes (undefined: no streak, start now). */
export function retryAfter(streak: CrashStreak | undefined, backoffBaseMs: number | undefined): number | undefined {
  if (!streak || streak.consecutiveFailures <= 0 || streak.lastFailureAt === undefined) return undefined;
  return streak.lastFailureAt + startBackoffMs(streak.consecutiveFailures, backoffBaseMs);
}

/** A DAEMON service's crash streak per container instance, among its primary deployment's tasks: the back-off is per instance. */
export function crashesByInstance(tasks: TaskRecord[], primaryId: string): Map<string, CrashStreak> {
  const byInstance = new Map<string, Task[]>();
  for (const record of tasks) {
    if (record.task.startedBy !== primaryId || !record.containerInstanceId) continue;
    byInstance.set(record.containerInstanceId, [...(byInstance.get(record.containerInstanceId) ?? []), record.task]);
  }
  const streaks = new Map<string, CrashStreak>();
  for (const [instance, own] of byInstance)
    streaks.set(
      instance,
      failureStreak(own, (t) => isCrash(t)),
    );
  return streaks;
}
