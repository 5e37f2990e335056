import type {
  CreateTaskSetRequest,
  CreateTaskSetResponse,
  DeleteTaskSetRequest,
  DeleteTaskSetResponse,
  DescribeTaskSetsRequest,
  DescribeTaskSetsResponse,
  Scale,
  TaskSet,
  UpdateServicePrimaryTaskSetRequest,
  UpdateServicePrimaryTaskSetResponse,
  UpdateTaskSetRequest,
  UpdateTaskSetResponse,
} from "@aws-sdk/client-ecs";
import { clusterArn } from "../model/arn.ts";
import { toEcsJson } from "../model/json.ts";
import type { ServiceRecord } from "../model/records.ts";
import { newDeploymentId } from "../model/service.ts";
import {
  computedDesiredCount,
  fromPrimary,
  isExternal,
  MAX_TASK_SETS,
  taskSetArn,
  withStability,
} from "../model/taskSet.ts";
import { launchStrategy } from "../operations/capacityProviders.ts";
import type { ActionContext } from "../operations/context.ts";
import { activeCluster } from "../operations/lookup.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { serviceChanged } from "../operations/serviceQueue.ts";
import { EcsError, invalidParameter } from "../protocol/errors.ts";
import { put, type Write } from "../store/port.ts";
import { checkClientToken } from "./clientToken.ts";
import { refuseUnsupported, validateServicePlacement } from "./serviceConfig.ts";
import { validateLoadBalancers } from "./serviceLoadBalancers.ts";
import { describeService, findService, serviceNotActive } from "./services.ts";
import { validateTags } from "./tagging.ts";
import { resolveTaskDefinition } from "./taskDefinitions.ts";

/**
 * CreateTaskSet, DescribeTaskSets, UpdateTaskSet, DeleteTaskSet, UpdateServicePrimaryTaskSet: the
 * task sets of a service with the EXTERNAL deployment controller. They are kept in the service's
 * record (core/model/taskSet.ts says why); the actions record what is wanted and nudge the
 * service scheduler, which keeps each task set at its computed count (core/services/decide.ts).
 */

/** How long a clientToken is remembered, as CreateService's. */
const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

const taskSetNotFound = () => new EcsError("TaskSetNotFoundException", "The specified task set does not exist.");
const notExternal = () =>
  invalidParameter(
    "Amazon ECS only supports task set management on services configured to use external deployment controllers.",
  );

export async function CreateTaskSet(input: CreateTaskSetRequest, ctx: ActionContext): Promise<CreateTaskSetResponse> {
  refuseUnsupported(input);
  const scale = validateScale(input.scale ?? { value: 100, unit: "PERCENT" });
  validateTags(input.tags);
  checkClientToken(input.clientToken, 36);
  const clusterRecord = await activeCluster(ctx, input.cluster);
  const cluster = clusterRecord.name;
  const found = await externalService(ctx, cluster, input.service);
  if (input.platformVersion !== undefined) {
    throw invalidParameter("The platform version must be null when specifying an EC2 launch type.");
  }
  const taskDefinition = await resolveTaskDefinition(ctx, input.taskDefinition as string);
  const service = found.service;
  validateServicePlacement("REPLICA", service.placementConstraints, service.placementStrategy, taskDefinition);
  if (taskDefinition.taskDefinition.networkMode === "awsvpc" && !input.networkConfiguration) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  const providers = await launchStrategy(ctx, clusterRecord, input);
  const request = toEcsJson({ ...input, cluster, service: found.name, clientToken: undefined });
  const tokenKey = input.clientToken && `CreateTaskSet/${cluster}/${found.name}/${input.clientToken}`;

  const { record, taskSet } = await retryOnConflict(async () => {
    const current = await externalService(ctx, cluster, found.name);
    if (tokenKey) {
      const seen = await ctx.store.getIdempotency(tokenKey);
      if (seen && seen.request !== request) throw invalidParameter("Creation of task set was not idempotent.");
      // The same request again (a retry) answers the task set it created, while the service has it.
      const again = seen && current.service.taskSets?.find((ts) => ts.id === seen.response);
      if (again) return { record: current, taskSet: again };
    }
    const taskSets = current.service.taskSets ?? [];
    if (taskSets.length >= MAX_TASK_SETS) {
      throw invalidParameter(
        `${taskSets.length} deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.`,
      );
    }
    // Past the retry's answer: a retried request does not ask ELBv2 again.
    const loadBalancers = await validateLoadBalancers(ctx, input.loadBalancers ?? [], taskDefinition);
    const now = ctx.now();
    const id = newDeploymentId();
    const created: TaskSet = {
      id,
      taskSetArn: taskSetArn(ctx.partition, cluster, found.name, id),
      serviceArn: current.service.serviceArn,
      clusterArn: clusterArn(ctx.partition, cluster),
      externalId: input.externalId,
      status: "ACTIVE",
      taskDefinition: taskDefinition.taskDefinition.taskDefinitionArn,
      computedDesiredCount: 0,
      pendingCount: 0,
      runningCount: 0,
      createdAt: now,
      updatedAt: now,
      // With a capacity provider strategy (given, or the cluster's default), ECS shows no launch type.
      launchType: providers ? undefined : "EC2",
      capacityProviderStrategy: providers?.strategy,
      networkConfiguration: input.networkConfiguration,
      loadBalancers,
      serviceRegistries: [],
      scale,
      stabilityStatus: "STABILIZING",
      stabilityStatusAt: now,
      tags: input.tags ?? [],
    };
    const updated: ServiceRecord = {
      ...current,
      service: { ...current.service, taskSets: [...taskSets, created] },
      scheduler: { ...current.scheduler, steady: false },
    };
    const writes: Write[] = [put("service", updated)];
    if (tokenKey) {
      writes.push(
        put("idempotency", { key: tokenKey, request, response: id, expiresAt: now.getTime() + CLIENT_TOKEN_TTL_MS }),
      );
    }
    await ctx.store.commit(writes);
    return { record: updated, taskSet: created };
  });
  serviceChanged(ctx, cluster, record.name);
  return { taskSet: await describeTaskSet(ctx, record, taskSet.id as string, true) };
}

export async function DescribeTaskSets(
  input: DescribeTaskSetsRequest,
  ctx: ActionContext,
): Promise<DescribeTaskSetsResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const record = await externalService(ctx, cluster, input.service, true);
  const withTags = input.include?.includes("TAGS") ?? false;
  const { taskSets = [] } = await describeService(ctx, record, withTags);
  if (!input.taskSets?.length) return { taskSets, failures: [] };
  const described: TaskSet[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of input.taskSets) {
    const found = taskSets.find((ts) => names(ts, ref));
    if (found) described.push(found);
    else failures.push({ arn: ref, reason: "MISSING" });
  }
  return { taskSets: described, failures };
}

export async function UpdateTaskSet(input: UpdateTaskSetRequest, ctx: ActionContext): Promise<UpdateTaskSetResponse> {
  const scale = validateScale(input.scale);
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const record = await changeTaskSet(ctx, cluster, input.service, input.taskSet, (service, ts) => {
    if (ts.status === "DRAINING")
      throw invalidParameter("The task set is DRAINING (deleted): its scale cannot change.");
    const now = ctx.now();
    const scaled = { ...ts, scale, updatedAt: now };
    const moved = computedDesiredCount(service.service, scaled) !== computedDesiredCount(service.service, ts);
    return [moved ? withStability(scaled, false, now) : scaled];
  });
  return { taskSet: await describeTaskSet(ctx, record.record, record.id, false) };
}

export async function DeleteTaskSet(input: DeleteTaskSetRequest, ctx: ActionContext): Promise<DeleteTaskSetResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const record = await changeTaskSet(ctx, cluster, input.service, input.taskSet, (_, ts) => {
    // Deleting again while it drains answers it as it is.
    if (ts.status === "DRAINING") return [ts];
    if (ts.status === "PRIMARY" && !input.force) throw invalidParameter("Primary TaskSet cannot be deleted");
    // DRAINING: the scheduler stops its tasks (deregistering them first), then it leaves the list.
    return [withStability({ ...ts, status: "DRAINING", updatedAt: ctx.now() }, false, ctx.now())];
  });
  return { taskSet: await describeTaskSet(ctx, record.record, record.id, false) };
}

export async function UpdateServicePrimaryTaskSet(
  input: UpdateServicePrimaryTaskSetRequest,
  ctx: ActionContext,
): Promise<UpdateServicePrimaryTaskSetResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const record = await changeTaskSet(ctx, cluster, input.service, input.primaryTaskSet, (_, ts) => {
    if (ts.status === "DRAINING")
      throw invalidParameter("A DRAINING (deleted) task set cannot become the primary one.");
    if (ts.status === "PRIMARY") return [ts];
    const now = ctx.now();
    return [{ ...ts, status: "PRIMARY", updatedAt: now }, "demote"];
  });
  return { taskSet: await describeTaskSet(ctx, record.record, record.id, false) };
}

/**
 * Changes one task set of an EXTERNAL service on the service record as read, retried on a
 * conflict (a scheduler round meanwhile). `change` returns the task set after, and "demote" when
 * it becomes the primary one: the old primary becomes ACTIVE, and the service shows the new
 * one's task definition, launch type, load balancers and network configuration, as ECS does.
 */
async function changeTaskSet(
  ctx: ActionContext,
  cluster: string,
  serviceRef: string | undefined,
  taskSetRef: string | undefined,
  change: (record: ServiceRecord, taskSet: TaskSet) => [TaskSet, "demote"?],
): Promise<{ record: ServiceRecord; id: string }> {
  const result = await retryOnConflict(async () => {
    const current = await externalService(ctx, cluster, serviceRef);
    const taskSets = current.service.taskSets ?? [];
    const before = taskSets.find((ts) => names(ts, taskSetRef ?? ""));
    if (!before) throw taskSetNotFound();
    const [after, demote] = change(current, before);
    if (after === before) return { record: current, id: before.id as string };
    const now = ctx.now();
    const next = taskSets.map((ts) => {
      if (ts === before) return after;
      return demote && ts.status === "PRIMARY" ? { ...ts, status: "ACTIVE", updatedAt: now } : ts;
    });
    const service = { ...current.service, taskSets: next, ...(demote ? fromPrimary(after) : {}) };
    const updated: ServiceRecord = { ...current, service, scheduler: { ...current.scheduler, steady: false } };
    await ctx.store.commit([put("service", updated)]);
    return { record: updated, id: before.id as string };
  });
  serviceChanged(ctx, cluster, result.record.name);
  return result;
}

/** The EXTERNAL service a task set request names: ACTIVE (or, to describe, still DRAINING). */
async function externalService(
  ctx: ActionContext,
  cluster: string,
  ref: string | undefined,
  draining = false,
): Promise<ServiceRecord> {
  const record = await findService(ctx, cluster, ref);
  const status = record.service.status;
  if (status !== "ACTIVE" && !(draining && status === "DRAINING")) throw serviceNotActive();
  if (!isExternal(record.service)) throw notExternal();
  return record;
}

/** A task set as DescribeTaskSets shows it: counts from the tasks now. */
async function describeTaskSet(ctx: ActionContext, record: ServiceRecord, id: string, withTags: boolean) {
  const service = await describeService(ctx, record, withTags);
  return service.taskSets?.find((ts) => ts.id === id);
}

/** A task set reference: its id (`ecs-svc/...`) or its ARN. */
const names = (ts: TaskSet, ref: string) => ref === ts.id || ref === ts.taskSetArn;

/** A scale in ECS's bounds: a percentage from 0 to 100. */
function validateScale(scale: Scale | undefined): Scale {
  const value = scale?.value;
  if (value === undefined || !Number.isFinite(value) || value < 0 || value > 100) {
    throw invalidParameter("The scale value must be a number between 0 and 100.");
  }
  return { value, unit: scale?.unit ?? "PERCENT" };
}
