import type { Failure, PlacementConstraint, PlacementStrategy, Tag, Task, TaskOverride } from "@aws-sdk/client-ecs";
import { newId } from "../model/ids.ts";
import { newTaskRecord } from "../model/newTask.ts";
import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from "../model/records.ts";
import { type Reservation, reservationOf } from "../model/reservation.ts";
import { reservationWrite, reserve } from "../placement/capacity.ts";
import { planPlacement } from "../placement/plan.ts";
import type { Candidate, PlacementPlan, PlacementRequest } from "../placement/types.ts";
import { EcsError } from "../protocol/errors.ts";
import { put, type Write } from "../store/port.ts";
import { usesLongArns } from "./accountSettings.ts";
import { connectedInstances } from "./agentConnection.ts";
import type { ActionContext } from "./context.ts";
import { instanceChanged } from "./instanceQueue.ts";
import { lackedRoom, roomReason } from "./lackedRoom.ts";
import { needsLastStatus, withResidents } from "./residents.ts";
import { retryOnConflict } from "./retry.ts";
import { MAX_WAITING_TASKS_PER_CLUSTER, waitingTasksOf } from "./waitingTasks.ts";

export interface Launch {
  cluster: string;
  taskDefinition: TaskDefinitionRecord;
  count: number;
  overrides: TaskOverride;
  group: string;
  startedBy?: string;
  tags: Tag[];
  enableExecuteCommand: boolean;
  /** The capacity provider the tasks are for (its group's instances only: a constraint in `constraints`). */
  capacityProviderName?: string;
  /** With managed scaling on that provider: its group, on which tasks that find no room wait (waitingTasks.ts). */
  waitOn?: string;
  constraints: PlacementConstraint[];
  strategies: PlacementStrategy[];
  /** StartTask: one task on each of these instance ids, bypassing strategies and constraints. */
  onInstances?: string[];
  /** Whether the tasks get long ARNs, when the caller has read the account's setting already. */
  longArn?: boolean;
  /**
   * A capacity provider strategy's shares, in place of `count` and `capacityProviderName`: each
   * share's tasks placed with its own constraints (its group's), all committed together.
   */
  shares?: LaunchShare[];
  /** Extra writes committed atomically with the tasks (the clientToken's record). */
  alsoWrite?: (tasks: Task[], failures: Failure[]) => Write[];
}

export interface LaunchShare {
  capacityProviderName: string;
  count: number;
  constraints: PlacementConstraint[];
  /** As Launch's waitOn. */
  waitOn?: string;
}

/** How often a placement is re-proposed after losing a race for an instance. */
const MAX_ATTEMPTS = 10;

/** RunTask's refusal when the cluster has no instance to place on: the service scheduler waits instead. */
export class NoContainerInstances extends EcsError {
  constructor() {
    super("InvalidParameterException", "No Container Instances were found in your cluster.");
  }
}

/**
 * Propose, then commit optimistically: read the cluster's instances, plan where the tasks go,
 * and commit the tasks together with one reservation per chosen instance, on the condition that
 * it still fits there (and the instance is still ACTIVE) when the commit lands. Launches that
 * pick the same instance at once all commit while there is room; one that finds it gone re-reads
 * and re-plans, so launches never overbook an instance. On a provider with managed scaling, the
 * tasks its group has no room for wait in PROVISIONING (within ECS's quota) instead of failing.
 */
export async function launchTasks(ctx: ActionContext, launch: Launch): Promise<{ tasks: Task[]; failures: Failure[] }> {
  const longArn = launch.longArn ?? (await usesLongArns(ctx, "task"));
  const attempts = () => retryOnConflict(() => attemptLaunch(ctx, launch, longArn), MAX_ATTEMPTS);
  return ctx.launchQueue ? ctx.launchQueue.run(launch.cluster, attempts) : attempts();
}

async function attemptLaunch(
  ctx: ActionContext,
  launch: Launch,
  longArn: boolean,
): Promise<{ tasks: Task[]; failures: Failure[] }> {
  // agentConnected as of now, so that instances whose agent went silent are rejected (AGENT).
  const instances = (await connectedInstances(ctx, launch.cluster)).filter((i) => i.instance.status !== "INACTIVE");
  const shares = launch.shares ?? [
    {
      capacityProviderName: launch.capacityProviderName,
      count: launch.count,
      constraints: [],
      waitOn: launch.waitOn,
    },
  ];
  const mayWait = !launch.onInstances && shares.every((s) => s.waitOn !== undefined);
  if (instances.length === 0 && !launch.onInstances && !mayWait) {
    throw new NoContainerInstances();
  }
  const demand = reservationOf(launch.taskDefinition.taskDefinition, launch.overrides);
  // How many more tasks the cluster may keep waiting, read only when some would.
  let waitingRoom: number | undefined;
  const now = ctx.now();
  const reserved = new Map<string, { record: ContainerInstanceRecord; tasks: number }>();
  const records: Omit<TaskRecord, "version">[] = [];
  const failures: Failure[] = [];
  for (const share of shares) {
    const shareLaunch = { ...launch, count: share.count, constraints: [...launch.constraints, ...share.constraints] };
    // A later share sees what the earlier ones reserved.
    const candidates = (await candidatesOf(ctx, shareLaunch, instances)).map((c) => ({
      ...c,
      record: reserved.get(c.record.id)?.record ?? c.record,
    }));
    const plan = launch.onInstances
      ? planOnInstances(candidates, shareLaunch, demand)
      : planPlacement(candidates, planRequest(shareLaunch, demand));
    for (const chosen of plan.placements) {
      const instance = reserve(reserved.get(chosen.id)?.record ?? chosen, demand);
      reserved.set(chosen.id, { record: instance, tasks: (reserved.get(chosen.id)?.tasks ?? 0) + 1 });
      records.push(newTask(ctx, launch, demand, share.capacityProviderName, now, longArn, instance));
    }
    const unplaced = share.count - plan.placements.length;
    const group = share.waitOn;
    let waits = 0;
    if (
      unplaced > 0 &&
      group !== undefined &&
      !launch.onInstances &&
      lackedRoom(plan.failures, instances, group, demand)
    ) {
      waitingRoom ??= MAX_WAITING_TASKS_PER_CLUSTER - (await waitingTasksOf(ctx, launch.cluster)).length;
      waits = Math.max(0, Math.min(unplaced, waitingRoom));
      waitingRoom -= waits;
      const waiting = {
        constraints: shareLaunch.constraints,
        strategies: launch.strategies,
        autoScalingGroup: group,
        reason: roomReason(plan.failures, instances, group),
      };
      for (let i = 0; i < waits; i++) {
        records.push({ ...newTask(ctx, launch, demand, share.capacityProviderName, now, longArn), waiting });
      }
    }
    // Tasks that wait are accepted, as on ECS: no failures for them.
    if (waits < unplaced || waits === 0) {
      failures.push(...plan.failures.map((f) => ({ arn: f.arn, reason: f.reason, detail: f.detail })));
    }
  }
  // No instance, and none of the tasks may wait (ECS's quota is reached): refused as without a provider.
  if (instances.length === 0 && records.length === 0 && !launch.onInstances) throw new NoContainerInstances();
  const tasks = records.map((r) => r.task);
  const writes = [
    ...records.map((r) => put("task", r)),
    ...[...reserved.values()].map((r) => reservationWrite(r.record, demand, launch.group, r.tasks)),
    ...(launch.alsoWrite?.(tasks, failures) ?? []),
  ];
  if (writes.length > 0) await ctx.store.commit(writes);
  for (const id of reserved.keys()) instanceChanged(ctx, launch.cluster, id);
  return { tasks, failures };
}

/** One task of the launch, on `instance`, or (without one) waiting for capacity. */
const newTask = (
  ctx: ActionContext,
  launch: Launch,
  demand: Reservation,
  capacityProviderName: string | undefined,
  now: Date,
  longArn: boolean,
  instance?: ContainerInstanceRecord,
) =>
  newTaskRecord({
    partition: ctx.partition,
    cluster: launch.cluster,
    id: newId(),
    taskDefinition: launch.taskDefinition,
    instance,
    reservation: demand,
    overrides: launch.overrides,
    group: launch.group,
    startedBy: launch.startedBy,
    tags: launch.tags,
    enableExecuteCommand: launch.enableExecuteCommand,
    capacityProviderName,
    now,
    longArn,
  });

export const planRequest = (launch: Launch, demand: Reservation): PlacementRequest => ({
  demand,
  count: launch.count,
  group: launch.group,
  taskDefinitionArn: launch.taskDefinition.taskDefinition.taskDefinitionArn as string,
  constraints: [
    ...launch.constraints,
    ...((launch.taskDefinition.taskDefinition.placementConstraints ?? []) as PlacementConstraint[]),
  ],
  strategies: launch.strategies,
  // Instances without an attribute the task definition requires are rejected (reason ATTRIBUTE).
  requiredAttributes: launch.taskDefinition.taskDefinition.requiresAttributes,
  random: Math.random,
});

/** StartTask: each named instance takes one task if it is eligible and has room. */
function planOnInstances(candidates: Candidate[], launch: Launch, demand: Reservation): PlacementPlan {
  const plan: PlacementPlan = { placements: [], failures: [] };
  for (const id of launch.onInstances ?? []) {
    const candidate = candidates.find((c) => c.record.id === id);
    if (!candidate) continue;
    const taken = plan.placements.filter((p) => p.id === id).length;
    const single = planPlacement([candidate], {
      ...planRequest(launch, demand),
      count: taken + 1,
      constraints: [],
      strategies: [],
    });
    if (single.placements.length > taken) plan.placements.push(candidate.record);
    else plan.failures.push(...single.failures);
  }
  return plan;
}

/**
 * Instances with the live tasks that placement needs to see: only when a constraint or strategy
 * depends on tasks already there (task:group and runningTasksCount expressions, spread,
 * distinctInstance). Their groups come with the instances (see residents.ts); only
 * runningTasksCount makes it read the cluster's tasks.
 */
export async function candidatesOf(
  ctx: ActionContext,
  launch: Launch,
  instances: ContainerInstanceRecord[],
): Promise<Candidate[]> {
  const constraints = [...launch.constraints, ...(launch.taskDefinition.taskDefinition.placementConstraints ?? [])];
  const lastStatus = needsLastStatus(constraints.map((c) => c.expression));
  const anyGroup = lastStatus || constraints.some((c) => c.expression?.includes("task:group"));
  const ownGroup =
    launch.strategies.some((s) => s.type === "spread") || constraints.some((c) => c.type === "distinctInstance");
  if (!anyGroup && !ownGroup) return instances.map((record) => ({ record, tasks: [] }));
  return withResidents(ctx, launch.cluster, instances, { group: anyGroup ? undefined : launch.group, lastStatus });
}
