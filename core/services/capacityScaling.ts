import { autoScalingGroupName } from "../model/capacityProvider.ts";
import { instancesForWaiting, scaledCapacity } from "../model/managedScaling.ts";
import type { CapacityProviderRecord, ContainerInstanceRecord } from "../model/records.ts";
import { readResources } from "../model/resourceList.ts";
import type { AutoScalingGroupState } from "../operations/autoScalingGroups.ts";
import type { ActionContext } from "../operations/context.ts";
import { waitingTasksOf } from "../operations/waitingTasks.ts";
import { allItems } from "../store/paging.ts";
import { ConflictError, put } from "../store/port.ts";
import { latestRegistration, waitingOn } from "./noRoom.ts";

export interface ProviderScaling {
  provider: string;
  group: string;
  /** Instances in service (N) and instances needed (M): the CapacityProviderReservation metric is M / N. */
  inService: number;
  needed: number;
  desiredBefore: number;
  desiredAfter: number;
  /** Instances whose protection from scale-in was switched on (they hold tasks) or off (they hold none). */
  protected: number;
  unprotected: number;
}

/**
 * One round of managed scaling for every ACTIVE capacity provider with managed scaling ENABLED
 * that a cluster has (the sweeper runs it): the group's desired capacity from the provider's
 * reservation metric, and, with managed termination protection, each instance protected from
 * scale-in while it holds tasks. Level-triggered: it reads the group and the store each time and
 * writes only what differs, so a second round changes nothing.
 */
export async function scaleCapacityProviders(ctx: ActionContext): Promise<ProviderScaling[]> {
  const groups = ctx.autoScalingGroups;
  if (!groups) return [];
  const providers = await allItems((page) => ctx.store.listCapacityProviders(page));
  const results: ProviderScaling[] = [];
  for (const provider of providers) {
    const asg = provider.capacityProvider.autoScalingGroupProvider;
    if (provider.capacityProvider.status !== "ACTIVE" || asg?.managedScaling?.status !== "ENABLED") continue;
    const cluster = provider.cluster;
    if (!cluster) continue;
    const group = autoScalingGroupName(asg.autoScalingGroupArn ?? "");
    try {
      const state = await groups.describe(group);
      if (state) results.push(await scaleOne(ctx, provider, cluster, group, state));
    } catch (error) {
      ctx.onBackgroundError?.(error, `managed scaling of capacity provider ${provider.name}`);
    }
  }
  return results;
}

async function scaleOne(
  ctx: ActionContext,
  provider: CapacityProviderRecord,
  cluster: string,
  group: string,
  state: AutoScalingGroupState,
): Promise<ProviderScaling> {
  const asg = provider.capacityProvider.autoScalingGroupProvider;
  const scaling = asg?.managedScaling ?? {};
  const now = ctx.now().getTime();
  const warmupMs = (scaling.instanceWarmupPeriod ?? 300) * 1000;
  // The group's own instance list decides membership, joined to the cluster's container instances
  // on their EC2 instance id (an attribute may be missing or wrong; the group's list is not).
  const registered = new Map(
    (await ctx.store.listContainerInstances(cluster))
      .filter((i) => i.instance.status !== "INACTIVE" && i.instance.ec2InstanceId)
      .map((i) => [i.instance.ec2InstanceId, i]),
  );
  const byEc2 = new Map(
    state.instances.flatMap((i) => {
      const record = registered.get(i.instanceId);
      return record ? [[i.instanceId, record] as const] : [];
    }),
  );
  const inService = state.instances.filter((i) => i.lifecycleState === "InService");
  const busy = [...byEc2.values()].filter(holdsTasks).length;
  // In service and not registered: what it holds is unknown, so no scale-in while one is, for a
  // while: one that has not registered within the warm-up and a margin never will (its agent
  // failed to start), and is given up on (it holds nothing of Berth's, and may go).
  const since = unregisteredSince(provider, inService, byEc2, now);
  const givenUp = new Set(
    Object.entries(since)
      .filter(([, at]) => now - at >= warmupMs + REGISTRATION_MARGIN_MS)
      .map(([id]) => id),
  );
  const unregistered = Object.keys(since).length - givenUp.size;
  // Launched but not yet registered, or registered within the warm-up period: not counted yet.
  const warming =
    state.instances.filter((i) => i.lifecycleState.startsWith("Pending")).length +
    inService.filter((i) => {
      if (givenUp.has(i.instanceId)) return false;
      const registeredAt = byEc2.get(i.instanceId)?.instance.registeredAt;
      return !registeredAt || now - new Date(registeredAt).getTime() < warmupMs;
    }).length;
  // Tasks waiting for capacity (RunTask's and services'): as many more instances as they need,
  // packed on empty instances like the group's registered ones (one, until one has registered).
  // Tasks a service found no room for beyond the waiting quota: at least one more.
  const waitingTasks = (await waitingTasksOf(ctx, cluster)).filter(
    (t) => t.task.capacityProviderName === provider.name,
  );
  const member = [...byEc2.values()][0];
  const packed = member
    ? instancesForWaiting(
        waitingTasks.map((t) => t.reservation),
        readResources(member.instance.registeredResources),
      )
    : Math.min(waitingTasks.length, 1);
  const waitingService = await waitingServiceTasks(ctx, cluster, provider.name, latestRegistration(byEc2.values()));
  const more = Math.max(packed, waitingService > 0 ? 1 : 0);
  const needed = more > 0 ? Math.max(busy, inService.length) + more : busy;
  const desiredAfter = scaledCapacity({
    inService: inService.length,
    needed,
    targetCapacity: scaling.targetCapacity ?? 100,
    minimumScalingStepSize: scaling.minimumScalingStepSize ?? 1,
    maximumScalingStepSize: scaling.maximumScalingStepSize ?? 10_000,
    desiredCapacity: state.desiredCapacity,
    minSize: state.minSize,
    maxSize: state.maxSize,
    warming,
    unregistered,
  });

  // Protection first: a scale-in that lowers the group before its busy instances are protected
  // may terminate them (Auto Scaling picks among the unprotected ones).
  let protectedCount = 0;
  let unprotectedCount = 0;
  if (asg?.managedTerminationProtection === "ENABLED") {
    const holding = (id: string) => {
      const record = byEc2.get(id);
      return record ? holdsTasks(record) : false;
    };
    const protect = state.instances
      .filter((i) => !i.protectedFromScaleIn && holding(i.instanceId))
      .map((i) => i.instanceId);
    // Unregistered instances stay protected as they are (they may be about to take tasks), but
    // for those given up on.
    const release = state.instances
      .filter(
        (i) =>
          i.protectedFromScaleIn && ((byEc2.has(i.instanceId) && !holding(i.instanceId)) || givenUp.has(i.instanceId)),
      )
      .map((i) => i.instanceId);
    await ctx.autoScalingGroups?.setInstanceProtection(group, protect, true);
    await ctx.autoScalingGroups?.setInstanceProtection(group, release, false);
    protectedCount = protect.length;
    unprotectedCount = release.length;
  }
  if (desiredAfter !== state.desiredCapacity) await ctx.autoScalingGroups?.setDesiredCapacity(group, desiredAfter);
  await rememberUnregistered(ctx, provider.name, since);
  return {
    provider: provider.name,
    group,
    inService: inService.length,
    needed,
    desiredBefore: state.desiredCapacity,
    desiredAfter,
    protected: protectedCount,
    unprotected: unprotectedCount,
  };
}

/** How long past its warm-up an in-service instance may take to register before managed scaling gives up on it. */
export const REGISTRATION_MARGIN_MS = 10 * 60_000;

/** Since when each in-service instance not registered has been seen so (as the provider's record remembers, else now). */
function unregisteredSince(
  provider: CapacityProviderRecord,
  inService: AutoScalingGroupState["instances"],
  registered: Map<string, ContainerInstanceRecord>,
  now: number,
): Record<string, number> {
  const before = provider.unregisteredSince ?? {};
  return Object.fromEntries(
    inService.filter((i) => !registered.has(i.instanceId)).map((i) => [i.instanceId, before[i.instanceId] ?? now]),
  );
}

/**
 * Keeps what the round saw on the provider's record when it changed. A write that loses a race
 * (UpdateCapacityProvider, an association) is left to the next round, which reads afresh.
 */
async function rememberUnregistered(ctx: ActionContext, name: string, since: Record<string, number>) {
  const record = await ctx.store.getCapacityProvider(name);
  const before = record?.unregisteredSince ?? {};
  const same =
    Object.keys(before).length === Object.keys(since).length &&
    Object.entries(since).every(([id, at]) => before[id] === at);
  if (!record || same) return;
  const unregisteredSince = Object.keys(since).length > 0 ? since : undefined;
  try {
    await ctx.store.commit([put("capacityProvider", { ...record, unregisteredSince })]);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

const holdsTasks = (record: ContainerInstanceRecord) =>
  Object.values(record.residentGroups ?? {}).some((count) => count > 0);

/**
 * How many tasks of the cluster's services recently found no room on the provider's group (their
 * rounds record it): not every task a service still lacks, since a new service, a scale-up or a
 * deployment places its tasks on the instances there are, and tasks held back by a constraint or
 * larger than the instance type would not fit on one more instance either.
 */
async function waitingServiceTasks(
  ctx: ActionContext,
  cluster: string,
  provider: string,
  registeredMs: number,
): Promise<number> {
  const services = await allItems((page) => ctx.store.listServices({ cluster, live: true }, page));
  const now = ctx.now().getTime();
  return services.reduce((sum, record) => sum + waitingOn(record.scheduler.noRoom, provider, now, registeredMs), 0);
}
