import type {
  CapacityProviderStrategyItem,
  CreateServiceRequest,
  CreateServiceResponse,
  DeleteServiceRequest,
  DeleteServiceResponse,
  DescribeServicesRequest,
  DescribeServicesResponse,
  ListServicesRequest,
  ListServicesResponse,
  SchedulingStrategy,
  Service,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from "@aws-sdk/client-ecs";
import { clusterArn, lastSegment, missingServiceArn, serviceArn, taskDefinitionFamily } from "../model/arn.ts";
import { toEcsJson } from "../model/json.ts";
import type { ClusterRecord, ServiceRecord, TaskDefinitionRecord } from "../model/records.ts";
import { newDeployment } from "../model/service.ts";
import { withCounts } from "../model/serviceCounts.ts";
import { isExternal } from "../model/taskSet.ts";
import { checkTagging, usesLongArns } from "../operations/accountSettings.ts";
import { launchStrategy } from "../operations/capacityProviders.ts";
import type { ActionContext } from "../operations/context.ts";
import { activeCluster, describeEach, idInCluster, inCluster } from "../operations/lookup.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { serviceChanged } from "../operations/serviceQueue.ts";
import { serviceTasks } from "../operations/serviceTasks.ts";
import { clientException, EcsError, invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";
import { allItems } from "../store/paging.ts";
import { put, type Write } from "../store/port.ts";
import { checkClientToken } from "./clientToken.ts";
import {
  refuseControllerChange,
  refuseExternalUpdate,
  refuseForExternal,
  rescaledTaskSets,
} from "./externalServices.ts";
import { nextToken, pageInMemory, pageRequest } from "./pagination.ts";
import {
  deploymentConfiguration,
  refuseUnsupported,
  validateDesiredCount,
  validateServiceName,
  validateServicePlacement,
} from "./serviceConfig.ts";
import { deploymentLoadBalancers, validateLoadBalancers } from "./serviceLoadBalancers.ts";
import { validateTags } from "./tagging.ts";
import { resolveTaskDefinition } from "./taskDefinitions.ts";

/**
 * CreateService, UpdateService, DeleteService, DescribeServices, ListServices. The actions only
 * record what the user wants (desired count, deployments, placement) and nudge the service
 * scheduler (core/services/reconcile.ts), which starts and stops the tasks.
 */

/** How long a clientToken is remembered, and an INACTIVE service stays visible, as on ECS. */
const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export const serviceNotFound = () => new EcsError("ServiceNotFoundException", "Service not found.");
export const serviceNotActive = () => new EcsError("ServiceNotActiveException", "Service was not ACTIVE.");
const notIdempotent = () => invalidParameter("Creation of service was not idempotent.");

export async function CreateService(input: CreateServiceRequest, ctx: ActionContext): Promise<CreateServiceResponse> {
  const name = validateServiceName(input.serviceName);
  const strategy: SchedulingStrategy = input.schedulingStrategy ?? "REPLICA";
  refuseUnsupported(input);
  // EXTERNAL: the task sets carry the task definition, load balancers and network configuration.
  const external = input.deploymentController?.type === "EXTERNAL";
  if (external) refuseForExternal(input, strategy);
  validateDesiredCount(strategy, input.desiredCount);
  if (strategy === "REPLICA" && input.desiredCount === undefined && !external) {
    throw invalidParameter("desiredCount is required for services with the REPLICA scheduling strategy.");
  }
  if (!input.taskDefinition && !external) {
    throw invalidParameter("A task definition is required for the ECS deployment controller.");
  }
  validateTags(input.tags);
  const clusterRecord = await activeCluster(ctx, input.cluster);
  const cluster = clusterRecord.name;
  const taskDefinition = input.taskDefinition ? await resolveTaskDefinition(ctx, input.taskDefinition) : undefined;
  validateServicePlacement(strategy, input.placementConstraints, input.placementStrategy, taskDefinition);
  const providers = await serviceStrategy(ctx, clusterRecord, strategy, input);
  if (taskDefinition?.taskDefinition.networkMode === "awsvpc" && !input.networkConfiguration) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  const configuration = deploymentConfiguration(strategy, input.deploymentConfiguration);
  const request = toEcsJson({ ...input, cluster, clientToken: undefined });
  checkClientToken(input.clientToken, 36);
  const tokenKey = input.clientToken && `CreateService/${cluster}/${input.clientToken}`;

  const longArn = await usesLongArns(ctx, "service");
  checkTagging(longArn, "service", input);
  const record = await retryOnConflict(async () => {
    if (tokenKey) {
      const seen = await ctx.store.getIdempotency(tokenKey);
      if (seen && seen.request !== request) throw notIdempotent();
    }
    const existing = await ctx.store.getService(cluster, name);
    if (existing && existing.service.status !== "INACTIVE") {
      // The same request again (a retry) answers the service as it is; another one is refused.
      if (existing.request === request) return existing;
      throw notIdempotent();
    }
    // Past the retry's answer: a retried request does not ask ELBv2 again.
    const loadBalancers = taskDefinition
      ? await validateLoadBalancers(ctx, input.loadBalancers ?? [], taskDefinition)
      : [];
    const now = ctx.now();
    const desiredCount = strategy === "DAEMON" ? 0 : (input.desiredCount ?? 0);
    const definitionArn = taskDefinition?.taskDefinition.taskDefinitionArn;
    const service: Service = {
      serviceArn: serviceArn(ctx.partition, cluster, name, longArn),
      serviceName: name,
      clusterArn: clusterArn(ctx.partition, cluster),
      loadBalancers,
      serviceRegistries: [],
      status: "ACTIVE",
      desiredCount,
      runningCount: 0,
      pendingCount: 0,
      // With a capacity provider strategy (given, or the cluster's default), ECS shows no launch type.
      launchType: providers ? undefined : "EC2",
      capacityProviderStrategy: providers?.strategy,
      taskDefinition: definitionArn,
      deploymentConfiguration: configuration,
      // ECS shows no deployments for an EXTERNAL service: its task sets instead.
      deployments: definitionArn ? [newDeployment(definitionArn, desiredCount, now)] : [],
      taskSets: external ? [] : undefined,
      events: [],
      createdAt: now,
      placementConstraints: input.placementConstraints ?? [],
      placementStrategy: input.placementStrategy ?? [],
      networkConfiguration: input.networkConfiguration,
      healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds,
      schedulingStrategy: strategy,
      deploymentController: { type: external ? "EXTERNAL" : "ECS" },
      tags: input.tags ?? [],
      enableECSManagedTags: input.enableECSManagedTags ?? false,
      propagateTags: input.propagateTags ?? "NONE",
      enableExecuteCommand: input.enableExecuteCommand ?? false,
      availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? "DISABLED",
    };
    const created: Omit<ServiceRecord, "version"> & { version?: number } = {
      version: existing?.version,
      cluster,
      name,
      service,
      request,
      scheduler: {},
    };
    const writes: Write[] = [put("service", created as ServiceRecord)];
    if (tokenKey) {
      writes.push(
        put("idempotency", {
          key: tokenKey,
          request,
          response: name,
          expiresAt: now.getTime() + CLIENT_TOKEN_TTL_MS,
        }),
      );
    }
    await ctx.store.commit(writes);
    return created as ServiceRecord;
  });
  serviceChanged(ctx, cluster, name);
  return { service: await describeService(ctx, record, true) };
}

export async function UpdateService(input: UpdateServiceRequest, ctx: ActionContext): Promise<UpdateServiceResponse> {
  refuseUnsupported(input);
  const clusterRecord = await activeCluster(ctx, input.cluster);
  const cluster = clusterRecord.name;
  const taskDefinition = input.taskDefinition ? await resolveTaskDefinition(ctx, input.taskDefinition) : undefined;
  const record = await retryOnConflict(async () => {
    const current = await findService(ctx, cluster, input.service);
    if (current.service.status !== "ACTIVE") throw serviceNotActive();
    const service = current.service;
    const strategy = service.schedulingStrategy ?? "REPLICA";
    refuseControllerChange(input, service);
    if (isExternal(service)) refuseExternalUpdate(input);
    validateDesiredCount(strategy, input.desiredCount);
    const constraints = input.placementConstraints ?? service.placementConstraints;
    const strategies = input.placementStrategy ?? service.placementStrategy;
    validateServicePlacement(strategy, constraints, strategies, taskDefinition);
    // A new strategy takes the place of the old (or of the launch type); the tasks move through a new deployment.
    const providers = input.capacityProviderStrategy?.length
      ? await serviceStrategy(ctx, clusterRecord, strategy, {
          capacityProviderStrategy: input.capacityProviderStrategy,
        })
      : undefined;
    const capacityProviderStrategy = providers?.strategy ?? service.capacityProviderStrategy;
    const now = ctx.now();
    const desiredCount = input.desiredCount ?? service.desiredCount ?? 0;
    const definitionArn = taskDefinition?.taskDefinition.taskDefinitionArn ?? (service.taskDefinition as string);
    const loadBalancers = await updatedLoadBalancers(ctx, input, service, taskDefinition);
    // New target groups are new tasks' business, as on ECS: the old tasks leave as they are replaced.
    const redeploy =
      input.forceNewDeployment ||
      definitionArn !== service.taskDefinition ||
      toEcsJson(capacityProviderStrategy ?? []) !== toEcsJson(service.capacityProviderStrategy ?? []) ||
      toEcsJson(loadBalancers) !== toEcsJson(service.loadBalancers ?? []);
    // A new deployment becomes PRIMARY; the one it replaces stays ACTIVE until its tasks are gone.
    const deployments = redeploy
      ? [
          newDeployment(definitionArn, desiredCount, now),
          ...(service.deployments ?? []).map((d) => ({ ...d, status: "ACTIVE", updatedAt: now })),
        ]
      : (service.deployments ?? []).map((d, i) => (i === 0 ? { ...d, desiredCount } : d));
    const updated: ServiceRecord = {
      ...current,
      service: {
        ...service,
        desiredCount,
        taskDefinition: definitionArn,
        launchType: capacityProviderStrategy?.length ? undefined : service.launchType,
        capacityProviderStrategy,
        deployments,
        taskSets: rescaledTaskSets(service, desiredCount, now),
        deploymentConfiguration: deploymentConfiguration(
          strategy,
          input.deploymentConfiguration,
          service.deploymentConfiguration,
        ),
        placementConstraints: constraints,
        placementStrategy: strategies,
        loadBalancers,
        networkConfiguration: input.networkConfiguration ?? service.networkConfiguration,
        healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? service.healthCheckGracePeriodSeconds,
        enableECSManagedTags: input.enableECSManagedTags ?? service.enableECSManagedTags,
        propagateTags: input.propagateTags ?? service.propagateTags,
        enableExecuteCommand: input.enableExecuteCommand ?? service.enableExecuteCommand,
        availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? service.availabilityZoneRebalancing,
      },
      // A new deployment (or a new desired count) is a new goal: steady must be reached again.
      scheduler: {
        ...current.scheduler,
        steady: false,
        deploymentLoadBalancers: deploymentLoadBalancers(
          current.scheduler.deploymentLoadBalancers,
          service.loadBalancers ?? [],
          loadBalancers,
          (service.deployments ?? []).map((d) => d.id as string),
        ),
      },
    };
    await ctx.store.commit([put("service", updated)]);
    return updated;
  });
  serviceChanged(ctx, cluster, record.name);
  return { service: await describeService(ctx, record, false) };
}

export async function DeleteService(input: DeleteServiceRequest, ctx: ActionContext): Promise<DeleteServiceResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const record = await retryOnConflict(async () => {
    const current = await findService(ctx, cluster, input.service);
    // Deleting again while it drains answers it as it is; an INACTIVE one is gone.
    if (current.service.status === "DRAINING") return current;
    if (current.service.status !== "ACTIVE") throw serviceNotFound();
    const replica = current.service.schedulingStrategy !== "DAEMON";
    if (replica && !input.force && (current.service.desiredCount ?? 0) > 0) {
      throw invalidParameter("The service cannot be stopped while it is scaled above 0.");
    }
    // DRAINING: the scheduler stops every task, then makes the service INACTIVE.
    const draining: ServiceRecord = {
      ...current,
      service: {
        ...current.service,
        status: "DRAINING",
        desiredCount: 0,
        taskSets: current.service.taskSets?.map((ts) => ({ ...ts, status: "DRAINING", updatedAt: ctx.now() })),
      },
      scheduler: { ...current.scheduler, steady: false },
    };
    await ctx.store.commit([put("service", draining)]);
    return draining;
  });
  serviceChanged(ctx, cluster, record.name);
  return { service: await describeService(ctx, record, false) };
}

export async function DescribeServices(
  input: DescribeServicesRequest,
  ctx: ActionContext,
): Promise<DescribeServicesResponse> {
  // The cluster first, then the list, as ECS does (moto reproduces the order).
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const refs = input.services ?? [];
  if (refs.length < 1 || refs.length > MAX_REFERENCES.DescribeServices) {
    throw invalidParameter(`services must have between 1 and ${MAX_REFERENCES.DescribeServices} items.`);
  }
  const withTags = input.include?.includes("TAGS") ?? false;
  const { find } = inCluster(
    cluster,
    "service",
    (name) => ctx.store.getService(cluster, name),
    (name) => serviceArn(ctx.partition, cluster, name),
  );
  // A missing service is reported by the ARN given, or a name's short-form ARN, as ECS does.
  const missingArn = (ref: string) => (ref.startsWith("arn:") ? ref : missingServiceArn(ctx.partition, ref));
  const describe = (record: ServiceRecord) => describeService(ctx, record, withTags);
  const { described, failures } = await describeEach(refs, find, describe, missingArn);
  return { services: described, failures };
}

export async function ListServices(input: ListServicesRequest, ctx: ActionContext): Promise<ListServicesResponse> {
  // ECS answers 10 services a page unless asked for more (up to 100).
  const page = pageRequest({ ...input, maxResults: input.maxResults ?? 10 });
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const wanted = (record: ServiceRecord) =>
    (!input.launchType || input.launchType === record.service.launchType) &&
    (!input.schedulingStrategy || input.schedulingStrategy === record.service.schedulingStrategy);
  if (!input.launchType && !input.schedulingStrategy) {
    const result = await ctx.store.listServices({ cluster, live: true }, page);
    return { serviceArns: result.items.map(arnOf), nextToken: nextToken(result) };
  }
  // Filtered lists page over the matching services only, so that no page comes back short.
  const all = (await allItems((p) => ctx.store.listServices({ cluster, live: true }, p))).filter(wanted);
  const result = pageInMemory(all, (r) => r.name, page);
  return { serviceArns: result.items.map(arnOf), nextToken: nextToken(result) };
}

/**
 * The load balancers after an UpdateService: those given, or the service's own, checked again
 * against a new task definition (its containers and ports must still match them).
 */
async function updatedLoadBalancers(
  ctx: ActionContext,
  input: UpdateServiceRequest,
  service: Service,
  taskDefinition: TaskDefinitionRecord | undefined,
) {
  const current = service.loadBalancers ?? [];
  if (input.loadBalancers === undefined && (!taskDefinition || current.length === 0)) return current;
  // The service's own revision may be deregistered since: it is read whatever its status.
  const arn = service.taskDefinition as string;
  const definition =
    taskDefinition ??
    (await ctx.store.getTaskDefinition(taskDefinitionFamily(arn), Number(lastSegment(arn).split(":")[1])));
  if (!definition) throw clientException("TaskDefinition not found.");
  return validateLoadBalancers(ctx, input.loadBalancers ?? current, definition);
}

const arnOf = (record: ServiceRecord) => record.service.serviceArn as string;

/** The service a request names (name or ARN) in the cluster, whatever its status. */
/** A service's capacity provider strategy (launchStrategy's), which the DAEMON scheduling strategy does not take. */
async function serviceStrategy(
  ctx: ActionContext,
  cluster: ClusterRecord,
  scheduling: SchedulingStrategy,
  input: { launchType?: string; capacityProviderStrategy?: CapacityProviderStrategyItem[] },
) {
  if (scheduling === "DAEMON" && input.capacityProviderStrategy?.length) {
    throw invalidParameter(
      "Capacity provider strategies are not supported for services with the DAEMON scheduling strategy.",
    );
  }
  return scheduling === "DAEMON" ? undefined : launchStrategy(ctx, cluster, input);
}

export async function findService(
  ctx: ActionContext,
  cluster: string,
  ref: string | undefined,
): Promise<ServiceRecord> {
  const name = ref && idInCluster(ref, cluster, "service");
  const record = name && (await ctx.store.getService(cluster, name));
  if (!record) throw serviceNotFound();
  return record;
}

/** A service as clients see it: counts from its tasks now; tags only when asked for. */
export async function describeService(ctx: ActionContext, record: ServiceRecord, withTags: boolean): Promise<Service> {
  const tasks = record.service.status === "INACTIVE" ? [] : await serviceTasks(ctx, record.cluster, record.name);
  const { tags, ...service } = withCounts(
    record.service,
    tasks.map((t) => t.task),
  );
  if (service.taskSets && !withTags) service.taskSets = service.taskSets.map(({ tags: _, ...ts }) => ts);
  return withTags ? { ...service, tags: tags ?? [] } : service;
}
