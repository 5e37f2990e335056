import { lastSegment, taskDefinitionFamily } from "../model/arn.ts";
import { placedWaitingTask } from "../model/newTask.ts";
import type { ContainerInstanceRecord, TaskRecord } from "../model/records.ts";
import { reservationWrite, reserve } from "../placement/capacity.ts";
import { planPlacement } from "../placement/plan.ts";
import { put, type Write } from "../store/port.ts";
import { connectedInstances } from "./agentConnection.ts";
import type { ActionContext } from "./context.ts";
import { instanceChanged } from "./instanceQueue.ts";
import { roomReason } from "./lackedRoom.ts";
import { candidatesOf, type Launch, planRequest } from "./launchTasks.ts";
import { retryOnConflict } from "./retry.ts";
import { serviceChanged } from "./serviceQueue.ts";
import { oldestFirst, stopTimedOut, waitingTasksOf } from "./waitingTasks.ts";

const MAX_ATTEMPTS = 10;

/**
 * One pass over the cluster's tasks waiting for capacity (waitingTasks.ts): those past ECS's
 * timeout are stopped, the others placed where there is room now, oldest first, each launch's
 * tasks together as RunTask would place them (its constraints, its group's, its strategies), in
 * one commit with their reservations. Level-triggered: a registration nudges it, the sweep runs
 * it every round; a task stopped or placed in between is left out by the commit's condition.
 */
export async function placeWaitingTasks(ctx: ActionContext, cluster: string): Promise<{ placed: number }> {
  const waiting = await stopTimedOut(ctx, cluster, await waitingTasksOf(ctx, cluster));
  const batches = new Map<string, TaskRecord[]>();
  for (const t of [...waiting].sort(oldestFirst)) {
    const key = JSON.stringify([
      t.task.taskDefinitionArn,
      t.task.overrides,
      t.task.group,
      t.waiting?.constraints,
      t.waiting?.strategies,
      t.reservation,
    ]);
    batches.set(key, [...(batches.get(key) ?? []), t]);
  }
  let placed = 0;
  for (const batch of batches.values()) placed += await placeBatch(ctx, cluster, batch);
  return { placed };
}

async function placeBatch(ctx: ActionContext, cluster: string, batch: TaskRecord[]): Promise<number> {
  const arn = batch[0].task.taskDefinitionArn ?? "";
  const definition = await ctx.store.getTaskDefinition(
    taskDefinitionFamily(arn),
    Number(lastSegment(arn).split(":")[1]),
  );
  if (!definition) return 0;
  return retryOnConflict(async () => {
    const tasks = (
      await ctx.store.getTasks(
        cluster,
        batch.map((t) => t.id),
      )
    )
      .filter((t) => t.waiting && t.task.desiredStatus === "RUNNING")
      // Read back in any order (BatchGetItem): the oldest still go first.
      .sort(oldestFirst);
    const first = tasks[0];
    if (!first?.waiting) return 0;
    const instances = (await connectedInstances(ctx, cluster)).filter((i) => i.instance.status !== "INACTIVE");
    if (instances.length === 0) return 0;
    const launch: Launch = {
      cluster,
      taskDefinition: definition,
      count: tasks.length,
      overrides: first.task.overrides ?? {},
      group: first.task.group ?? "",
      tags: [],
      enableExecuteCommand: false,
      constraints: first.waiting.constraints,
      strategies: first.waiting.strategies,
    };
    const plan = planPlacement(await candidatesOf(ctx, launch, instances), planRequest(launch, first.reservation));
    const reserved = new Map<string, { record: ContainerInstanceRecord; tasks: number }>();
    const writes: Write[] = [];
    plan.placements.forEach((chosen, i) => {
      const instance = reserve(reserved.get(chosen.id)?.record ?? chosen, first.reservation);
      reserved.set(chosen.id, { record: instance, tasks: (reserved.get(chosen.id)?.tasks ?? 0) + 1 });
      writes.push(put("task", placedWaitingTask(tasks[i], instance, definition.taskDefinition.networkMode)));
    });
    // Those still waiting keep what this try found, for their stopped reason if they never place.
    const reason = roomReason(plan.failures, instances, first.waiting.autoScalingGroup);
    for (const t of tasks.slice(plan.placements.length)) {
      if (t.waiting && t.waiting.reason !== reason)
        writes.push(put("task", { ...t, waiting: { ...t.waiting, reason } }));
    }
    writes.push(
      ...[...reserved.values()].map((r) => reservationWrite(r.record, first.reservation, launch.group, r.tasks)),
    );
    if (writes.length === 0) return 0;
    await ctx.store.commit(writes);
    for (const id of reserved.keys()) instanceChanged(ctx, cluster, id);
    const service = launch.group.startsWith("service:") ? launch.group.slice(8) : undefined;
    if (service && plan.placements.length > 0) serviceChanged(ctx, cluster, service);
    return plan.placements.length;
  }, MAX_ATTEMPTS);
}
