import type {
  CapacityProviderStrategyItem,
  Failure,
  PlacementConstraint,
  PlacementStrategy,
  Service,
} from "@aws-sdk/client-ecs";
import { lastSegment, taskDefinitionFamily } from "../model/arn.ts";
import { autoScalingGroupName, onAutoScalingGroup, splitByStrategy } from "../model/capacityProvider.ts";
import type { ContainerInstanceRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from "../model/records.ts";
import { reservationOf } from "../model/reservation.ts";
import { serviceGroup, taskTagsOf } from "../model/service.ts";
import type { ActionContext } from "../operations/context.ts";
import { type Launch, launchTasks, NoContainerInstances } from "../operations/launchTasks.ts";
import { SERVICE_DEFAULT_STRATEGIES } from "../placement/plan.ts";
import type { Decision } from "./decide.ts";
import { lackedRoom } from "./noRoom.ts";
import { isLive } from "./observe.ts";

/**
 * A round's starts: each through RunTask's placement and commit path (launchTasks), with the
 * service's placement and group, under the capacity provider strategy of the service or of the
 * task set the tasks belong to.
 */

/** Tasks a round starts of one task definition: the primary deployment's, or a task set's. */
export interface TaskLaunch {
  definition: TaskDefinitionRecord;
  count: number;
  /** DAEMON: the instances to start on (one task each). */
  startOn?: string[];
  /** The deployment or task set the tasks belong to. */
  startedBy?: string;
  /** Where the capacity provider strategy comes from: the service, or the task set. */
  from: { capacityProviderStrategy?: CapacityProviderStrategyItem[] };
}

/** Each task set's starts, with its own task definition (whatever its status) and strategy. */
export async function taskSetLaunches(ctx: ActionContext, service: Service, decision: Decision): Promise<TaskLaunch[]> {
  const launches: TaskLaunch[] = [];
  for (const { taskSetId, count } of decision.starts ?? []) {
    const taskSet = service.taskSets?.find((ts) => ts.id === taskSetId);
    const definition = taskSet && (await taskDefinitionOf(ctx, taskSet.taskDefinition as string));
    if (definition) launches.push({ definition, count, startedBy: taskSetId, from: taskSet });
  }
  return launches;
}

export async function startTasks(
  ctx: ActionContext,
  record: ServiceRecord,
  wanted: TaskLaunch[],
  tasks: TaskRecord[],
  instances: ContainerInstanceRecord[],
): Promise<{
  started: string[];
  /** The tasks started, by the deployment or task set they belong to. */
  startedBy: Map<string, string[]>;
  failures: Failure[];
  unplacedForRoom: Record<string, number>;
}> {
  const service = record.service;
  const strategies = service.placementStrategy?.length ? service.placementStrategy : SERVICE_DEFAULT_STRATEGIES;
  const started: string[] = [];
  const byLaunch = new Map<string, string[]>();
  const failures: Failure[] = [];
  // Tasks a provider's group had no room for, by provider: managed scaling adds an instance for them.
  const unplacedForRoom: Record<string, number> = {};
  for (const { definition, count, startOn, startedBy, from } of wanted) {
    const launch: Launch = {
      cluster: record.cluster,
      taskDefinition: definition,
      count,
      overrides: {},
      group: serviceGroup(record.name),
      startedBy,
      tags: taskTagsOf(service, definition),
      enableExecuteCommand: service.enableExecuteCommand ?? false,
      constraints: (service.placementConstraints ?? []) as PlacementConstraint[],
      strategies: strategies as PlacementStrategy[],
      onInstances: startOn,
    };
    // The split across providers is evened out with the tasks of the same deployment or task set.
    const own = tasks.filter((t) => t.task.startedBy === startedBy);
    const launches = from.capacityProviderStrategy?.length
      ? await providerLaunches(ctx, launch, from.capacityProviderStrategy, own)
      : [{ launch }];
    const demand = reservationOf(definition.taskDefinition);
    for (const { launch: each, group } of launches) {
      const launched = await launchOrWait(ctx, each);
      const arns = launched.tasks.map((t) => t.taskArn as string);
      started.push(...arns);
      if (arns.length > 0) byLaunch.set(startedBy ?? "", [...(byLaunch.get(startedBy ?? "") ?? []), ...arns]);
      failures.push(...launched.failures);
      const unplaced = each.count - launched.tasks.length;
      if (each.capacityProviderName && group !== undefined && unplaced > 0 && !each.onInstances) {
        if (lackedRoom(launched.failures, instances, group, demand)) {
          const name = each.capacityProviderName;
          unplacedForRoom[name] = (unplacedForRoom[name] ?? 0) + unplaced;
        }
      }
    }
  }
  return { started, startedBy: byLaunch, failures, unplacedForRoom };
}

/** A cluster without instances: launchTasks refuses, as RunTask does; the service waits. */
async function launchOrWait(ctx: ActionContext, launch: Launch) {
  try {
    return await launchTasks(ctx, launch);
  } catch (error) {
    if (error instanceof NoContainerInstances) return { tasks: [], failures: [] };
    throw error;
  }
}

/**
 * A service's new tasks under its capacity provider strategy: one launch per provider that takes
 * some, on its group's instances, the split evened out with the live tasks each provider holds.
 */
async function providerLaunches(
  ctx: ActionContext,
  launch: Launch,
  strategy: CapacityProviderStrategyItem[],
  tasks: TaskRecord[],
): Promise<{ launch: Launch; group?: string }[]> {
  const held: Record<string, number> = {};
  for (const t of tasks) {
    const name = t.task.capacityProviderName;
    if (name && isLive(t.task)) held[name] = (held[name] ?? 0) + 1;
  }
  const launches: { launch: Launch; group?: string }[] = [];
  for (const [name, count] of splitByStrategy(strategy, launch.count, held)) {
    if (count === 0) continue;
    const provider = await ctx.store.getCapacityProvider(name);
    const group = autoScalingGroupName(provider?.capacityProvider.autoScalingGroupProvider?.autoScalingGroupArn ?? "");
    launches.push({
      launch: {
        ...launch,
        count,
        capacityProviderName: name,
        constraints: [...launch.constraints, onAutoScalingGroup(group)],
      },
      group,
    });
  }
  return launches;
}

/** The task definition a deployment runs, by its ARN, whatever its status (a service keeps running a deregistered one). */
export async function taskDefinitionOf(ctx: ActionContext, arn: string): Promise<TaskDefinitionRecord | undefined> {
  const revision = Number(lastSegment(arn).split(":")[1]);
  return ctx.store.getTaskDefinition(taskDefinitionFamily(arn), revision);
}
