import { isFargateProvider } from "../model/capacityProvider.ts";
import type { ClusterRecord, TaskRecord } from "../model/records.ts";
import { requestStop } from "../model/taskState.ts";
import type { ActionContext } from "./context.ts";
import { updateTask } from "./updateTask.ts";

/**
 * Tasks waiting for capacity, as ECS keeps them for a capacity provider with managed scaling:
 * a task its group has no room for (CPU, memory, ports; or no instance yet) is accepted and kept
 * PROVISIONING, on no instance, instead of failing; managed scaling counts it and grows the group,
 * and it is placed when an instance of the group registers or room frees (placeWaiting.ts).
 * ECS's limits: the "Tasks in the PROVISIONING state per cluster" quota (500; the Deep Dive on
 * ECS Cluster Auto Scaling said 100 at launch), and a wait "between 10 and 30 minutes" before
 * the task is stopped; its stopped reason is what its placement lacked ("TaskFailedToStart:
 * RESOURCE:*", ECS's API failure reasons page).
 */
export const MAX_WAITING_TASKS_PER_CLUSTER = 500;
export const WAITING_TIMEOUT_MS = 30 * 60_000;

/**
 * Whether a cluster can have tasks waiting: only one with an Auto Scaling group provider (a
 * provider its waiting tasks use cannot be taken from it), so the others' tasks go unread.
 */
export const mayHaveWaitingTasks = (cluster: ClusterRecord) =>
  cluster.cluster.capacityProviders?.some((p) => !isFargateProvider(p)) ?? false;

/** Tasks oldest first, the order they wait in. */
export const oldestFirst = (a: TaskRecord, b: TaskRecord) =>
  (a.task.createdAt?.getTime() ?? 0) - (b.task.createdAt?.getTime() ?? 0);

/** The cluster's tasks waiting for capacity (still meant to run). */
export async function waitingTasksOf(ctx: ActionContext, cluster: string): Promise<TaskRecord[]> {
  const waiting: TaskRecord[] = [];
  let after: string | undefined;
  do {
    const page = await ctx.store.listTasks({ cluster, notStopped: true }, { limit: 100, after });
    waiting.push(...page.items.filter((t) => t.waiting && t.task.desiredStatus === "RUNNING"));
    after = page.next;
  } while (after !== undefined);
  return waiting;
}

/** Stops the waiting tasks that waited longer than ECS lets them, as ECS stops them; returns the others. */
export async function stopTimedOut(ctx: ActionContext, cluster: string, waiting: TaskRecord[]): Promise<TaskRecord[]> {
  const now = ctx.now().getTime();
  const left: TaskRecord[] = [];
  for (const t of waiting) {
    if (now - (t.task.createdAt?.getTime() ?? now) < WAITING_TIMEOUT_MS) {
      left.push(t);
      continue;
    }
    await updateTask(ctx, cluster, t.id, (r) => {
      if (!r.waiting) return undefined;
      const stop = { stopCode: "TaskFailedToStart" as const, reason: `TaskFailedToStart: ${r.waiting.reason}` };
      const task = requestStop(r.task, stop, ctx.now(), false);
      return task && { ...r, task };
    });
  }
  return left;
}
