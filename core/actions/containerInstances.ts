import type {
  Attribute,
  ContainerInstance,
  ContainerInstanceField,
  DeregisterContainerInstanceRequest,
  DeregisterContainerInstanceResponse,
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  Failure,
  ListContainerInstancesRequest,
  ListContainerInstancesResponse,
  PlatformDevice,
  RegisterContainerInstanceRequest,
  RegisterContainerInstanceResponse,
  Resource,
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse,
} from "@aws-sdk/client-ecs";
import { containerInstanceArn } from "../model/arn.ts";
import { newId } from "../model/ids.ts";
import { type InstanceIdentity, parseIdentityDocument } from "../model/instanceIdentity.ts";
import type { ContainerInstanceRecord, TaskRecord } from "../model/records.ts";
import type { HostPorts } from "../model/reservation.ts";
import { sortedPorts } from "../model/resourceList.ts";
import { isPendingStatus } from "../model/taskState.ts";
import { checkTagging, usesLongArns } from "../operations/accountSettings.ts";
import { recordHeartbeat, withAgentConnection, withAgentConnections } from "../operations/agentConnection.ts";
import { inBackground } from "../operations/background.ts";
import { providerOfInstance } from "../operations/capacityProviders.ts";
import type { ActionContext } from "../operations/context.ts";
import { closeInstanceQueue, instanceChanged, openInstanceQueue } from "../operations/instanceQueue.ts";
import { instanceTypeResources } from "../operations/instanceTypeResources.ts";
import { activeCluster, containerInstanceRefArn, describeEach, findContainerInstance } from "../operations/lookup.ts";
import { placeWaitingTasks } from "../operations/placeWaiting.ts";
import { needsLastStatus, withResidents } from "../operations/residents.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { clusterServicesChanged } from "../operations/serviceQueue.ts";
import { mayHaveWaitingTasks } from "../operations/waitingTasks.ts";
import { reregistrationWrite } from "../placement/capacity.ts";
import { compileQuery } from "../placement/query.ts";
import { clientException, invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";
import { allItems, everyItem } from "../store/paging.ts";
import { put } from "../store/port.ts";
import { checkAttribute, isCustomAttribute, MAX_CUSTOM_ATTRIBUTES, mergeAttributes } from "./attributes.ts";
import { expireInstanceCredentials } from "./berth/agentCredentials.ts";
import { nextToken, pageInMemory, pageRequest } from "./pagination.ts";
import { mergeTags, validateTags } from "./tagging.ts";

/**
 * Container instances (the EC2 launch type's hosts): registration by the agent, describe, list
 * with the cluster query language, draining, and deregistration. The record keeps the instance
 * as ECS shows it; task counts are derived from the store's tasks whenever an instance is shown.
 */

/** How long a deregistered (INACTIVE) instance stays visible to DescribeContainerInstances. */
const INACTIVE_RETENTION_MS = 60 * 60 * 1000;

export async function RegisterContainerInstance(
  input: RegisterContainerInstanceRequest,
  ctx: ActionContext,
): Promise<RegisterContainerInstanceResponse> {
  const sent = parseIdentityDocument(input.instanceIdentityDocument);
  const given = input.totalResources && registeredResources(input.totalResources, input.platformDevices);
  for (const attribute of input.attributes ?? []) checkAttribute(attribute);
  validateTags(input.tags);
  // The EC2 check (when configured) once the input is known good, before anything is written.
  const identity = ctx.instanceIdentityCheck
    ? await ctx.instanceIdentityCheck({
        document: input.instanceIdentityDocument,
        signature: input.instanceIdentityDocumentSignature,
      })
    : sent;
  const cluster = await activeCluster(ctx, input.cluster);
  const registered = given ?? (await assumedResources(ctx, identity, input.platformDevices));
  const longArn = await usesLongArns(ctx, "container instance");
  checkTagging(longArn, "container instance", input);

  const record = await retryOnConflict(async () => {
    const existing = await previousRegistration(ctx, cluster.name, input.containerInstanceArn, identity);
    const id = existing?.id ?? newId();
    const attributes = mergeAttributes(
      mergeAttributes(existing?.instance.attributes, input.attributes ?? []),
      builtInAttributes(identity, input.attributes ?? [], existing?.instance.attributes),
    );
    if (attributes.filter((a) => isCustomAttribute(a.name)).length > MAX_CUSTOM_ATTRIBUTES) {
      throw invalidParameter(`You can apply up to ${MAX_CUSTOM_ATTRIBUTES} custom attributes for each resource.`);
    }
    const capacityProviderName = await providerOfInstance(ctx, cluster, attributes);
    const instance: ContainerInstance = {
      // A renewed instance keeps its ARN, whatever the format setting says now.
      containerInstanceArn:
        existing?.instance.containerInstanceArn ?? containerInstanceArn(ctx.partition, cluster.name, id, longArn),
      ec2InstanceId: identity?.instanceId ?? existing?.instance.ec2InstanceId,
      capacityProviderName,
      version: (existing?.instance.version ?? 0) + 1,
      versionInfo: input.versionInfo ?? existing?.instance.versionInfo ?? {},
      registeredResources: registered,
      // A new instance starts with all it registered; a renewed one keeps its tasks' reservations,
      // with the difference in what it registers taken or given back by a delta (below).
      remainingResources: existing?.instance.remainingResources ?? registered.map(copyResource),
      // Re-registration (an agent restart) keeps a DRAINING instance draining.
      status: existing?.instance.status ?? "ACTIVE",
      // Registration is the agent's first heartbeat (recorded below); shown derived from then on.
      agentConnected: true,
      attributes,
      registeredAt: existing?.instance.registeredAt ?? ctx.now(),
      attachments: existing?.instance.attachments ?? [],
      tags: existing ? mergeTags(existing.instance.tags, input.tags ?? []) : (input.tags ?? []),
    };
    const next = { ...existing, cluster: cluster.name, id, instance } as ContainerInstanceRecord;
    await ctx.store.commit([
      put("containerInstance", next),
      ...(existing
        ? [
            reregistrationWrite(
              existing,
              existing.instance.registeredResources,
              registered,
              await heldPorts(ctx, existing),
            ),
          ]
        : []),
    ]);
    return (await ctx.store.getContainerInstance(cluster.name, id)) ?? next;
  });
  await recordHeartbeat(ctx, cluster.name, record.id);
  await openInstanceQueue(ctx, cluster.name, record.id, { ec2InstanceId: record.instance.ec2InstanceId });
  // New capacity: daemons get a task there, services short of tasks may place them now, and
  // tasks waiting for capacity may be placed (the sweep tries again if this does not run).
  clusterServicesChanged(ctx, cluster.name);
  if (mayHaveWaitingTasks(cluster)) {
    inBackground(ctx, placeWaitingTasks(ctx, cluster.name), `placement of cluster ${cluster.name}'s waiting tasks`);
  }
  return { containerInstance: await describeContainerInstance(ctx, record, []) };
}

export async function DescribeContainerInstances(
  input: DescribeContainerInstancesRequest,
  ctx: ActionContext,
): Promise<DescribeContainerInstancesResponse> {
  // The cluster first, then the list, as ECS does (moto reproduces the order).
  const cluster = await activeCluster(ctx, input.cluster);
  const refs = input.containerInstances ?? [];
  if (refs.length === 0) throw clientException("Container Instances cannot be empty.");
  if (refs.length > MAX_REFERENCES.DescribeContainerInstances) {
    throw invalidParameter(`containerInstances can have at most ${MAX_REFERENCES.DescribeContainerInstances} items.`);
  }
  const { described, failures } = await describeEach(
    refs,
    (ref) => findContainerInstance(ctx, cluster.name, ref),
    (record) => describeContainerInstance(ctx, record, input.include ?? []),
    (ref) => containerInstanceRefArn(ctx, cluster.name, ref),
  );
  return { containerInstances: described, failures };
}

export async function ListContainerInstances(
  input: ListContainerInstancesRequest,
  ctx: ActionContext,
): Promise<ListContainerInstancesResponse> {
  const page = pageRequest(input);
  const matches = input.filter ? compileQuery(input.filter) : undefined;
  const cluster = await activeCluster(ctx, input.cluster);
  // Without a status, ECS lists every instance that is not INACTIVE; the statuses Berth never
  // uses (REGISTERING, DEREGISTERING, REGISTRATION_FAILED) simply match nothing.
  let records = (await ctx.store.listContainerInstances(cluster.name, input.status)).filter(
    (r) => r.instance.status !== "INACTIVE",
  );
  if (matches) {
    records = await withAgentConnections(ctx, cluster.name, records);
    const candidates = await withResidents(ctx, cluster.name, records, {
      lastStatus: needsLastStatus([input.filter]),
    });
    records = candidates.filter((candidate) => matches(candidate)).map((c) => c.record);
  }
  const result = pageInMemory(records, (r) => r.id, page);
  return {
    containerInstanceArns: result.items.map((r) => r.instance.containerInstanceArn as string),
    nextToken: nextToken(result),
  };
}

export async function UpdateContainerInstancesState(
  input: UpdateContainerInstancesStateRequest,
  ctx: ActionContext,
): Promise<UpdateContainerInstancesStateResponse> {
  // The cluster first, then the arguments, as ECS does (moto reproduces the order).
  const cluster = await activeCluster(ctx, input.cluster);
  const status = input.status;
  if (status !== "ACTIVE" && status !== "DRAINING") {
    throw invalidParameter("Container instance status should be one of [ACTIVE, DRAINING].");
  }
  const refs = input.containerInstances ?? [];
  if (refs.length === 0) throw clientException("Container Instances cannot be empty.");
  if (refs.length > MAX_REFERENCES.UpdateContainerInstancesState) {
    throw invalidParameter(
      `containerInstances can have at most ${MAX_REFERENCES.UpdateContainerInstancesState} items.`,
    );
  }
  const { updated, failures } = await retryOnConflict(async () => {
    const updated = new Map<string, ContainerInstanceRecord>();
    const failures: Failure[] = [];
    for (const ref of refs) {
      const record = await findContainerInstance(ctx, cluster.name, ref);
      if (!record) failures.push({ arn: containerInstanceRefArn(ctx, cluster.name, ref), reason: "MISSING" });
      else if (record.instance.status === "INACTIVE") {
        failures.push({
          arn: record.instance.containerInstanceArn,
          reason: "INACTIVE",
          detail: "A deregistered container instance cannot change state.",
        });
      } else if (!updated.has(record.id)) updated.set(record.id, record);
    }
    const changed = [...updated.values()]
      .filter((r) => r.instance.status !== status)
      .map((r) => withNextVersion({ ...r, instance: { ...r.instance, status } }));
    if (changed.length > 0) await ctx.store.commit(changed.map((r) => put("containerInstance", r)));
    for (const r of changed) updated.set(r.id, r);
    return { updated: [...updated.values()], failures };
  });
  // A draining instance's service tasks move elsewhere; an active one again takes daemons.
  clusterServicesChanged(ctx, cluster.name);
  const containerInstances = [];
  for (const record of updated) containerInstances.push(await describeContainerInstance(ctx, record, []));
  return { containerInstances, failures };
}

export async function DeregisterContainerInstance(
  input: DeregisterContainerInstanceRequest,
  ctx: ActionContext,
): Promise<DeregisterContainerInstanceResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  const ref = input.containerInstance as string;
  const record = await retryOnConflict(async () => {
    const record = await findContainerInstance(ctx, cluster.name, ref);
    if (!record || record.instance.status === "INACTIVE") {
      throw invalidParameter(`Container instance not found: ${ref}`);
    }
    if (!input.force) {
      const live = await ctx.store.listTasks(
        { cluster: cluster.name, containerInstanceId: record.id, notStopped: true },
        { limit: 1 },
      );
      if (live.items.length > 0) throw invalidParameter("Found running tasks on the instance.");
    }
    // With force, the instance's tasks are left as they are: ECS documents them as orphaned
    // (still running on the host, no longer accounted for); a service replaces its own.
    const deregistered = withNextVersion({
      ...record,
      expiresAt: ctx.now().getTime() + INACTIVE_RETENTION_MS,
      instance: { ...record.instance, status: "INACTIVE", agentConnected: false },
    });
    // Its agent's credentials go with it, in the same commit.
    const credentials = await expireInstanceCredentials(ctx, cluster.name, record.id);
    await ctx.store.commit([put("containerInstance", deregistered), ...credentials]);
    return deregistered;
  });
  instanceChanged(ctx, cluster.name, record.id);
  clusterServicesChanged(ctx, cluster.name);
  await closeInstanceQueue(ctx, cluster.name, record.id);
  return { containerInstance: await describeContainerInstance(ctx, record, []) };
}

/**
 * A container instance as ECS shows it: agentConnected from its heartbeats, task counts from the
 * store's tasks on it as the API reference defines them (runningTasksCount: desiredStatus
 * RUNNING; pendingTasksCount: lastStatus PENDING, or before it), tags and health only when
 * `include` asks for them.
 */
export async function describeContainerInstance(
  ctx: ActionContext,
  stored: ContainerInstanceRecord,
  include: ContainerInstanceField[] | string[],
): Promise<ContainerInstance> {
  const record = await withAgentConnection(ctx, stored);
  const { tags, healthStatus, ...instance } = record.instance;
  let running = 0;
  let pending = 0;
  for (const task of await tasksOn(ctx, record.cluster, record.id, true)) {
    if (task.task.desiredStatus === "RUNNING") running++;
    if (isPendingStatus(task.task.lastStatus)) pending++;
  }
  return {
    ...instance,
    runningTasksCount: running,
    pendingTasksCount: pending,
    tags: include.includes("TAGS") ? (tags ?? []) : [],
    healthStatus: include.includes("CONTAINER_INSTANCE_HEALTH")
      ? (healthStatus ?? { overallStatus: "INSUFFICIENT_DATA", details: [] })
      : undefined,
  };
}

/** The version counter ECS moves on with every change an event would report. */
export const withNextVersion = (record: ContainerInstanceRecord): ContainerInstanceRecord => ({
  ...record,
  instance: { ...record.instance, version: (record.instance.version ?? 0) + 1 },
});

// ---- registration ---------------------------------------------------------------------------

/**
 * The instance this registration renews, if any: the one its containerInstanceArn names (an
 * agent restarting from its checkpoint), else the live one with the same EC2 instance id. A
 * named instance must exist and not be deregistered: deregistration is final in ECS.
 */
async function previousRegistration(
  ctx: ActionContext,
  cluster: string,
  arn: string | undefined,
  identity: InstanceIdentity | undefined,
): Promise<ContainerInstanceRecord | undefined> {
  let existing: ContainerInstanceRecord | undefined;
  if (arn) {
    existing = await findContainerInstance(ctx, cluster, arn);
    if (!existing || existing.instance.status === "INACTIVE") {
      throw clientException(`The referenced container instance ${arn} is not registered in this cluster.`);
    }
  } else if (identity?.instanceId) {
    const found = await ctx.store.findContainerInstanceByEc2Id(cluster, identity.instanceId);
    existing = found?.instance.status === "INACTIVE" ? undefined : found;
  }
  const previousEc2Id = existing?.instance.ec2InstanceId;
  if (previousEc2Id && identity?.instanceId && previousEc2Id !== identity.instanceId) {
    throw clientException(
      `${arn} is EC2 instance ${previousEc2Id}; this identity document is of ${identity.instanceId}.`,
    );
  }
  const previousType = existing?.instance.attributes?.find((a) => a.name === "ecs.instance-type")?.value;
  if (previousType && identity?.instanceType && previousType !== identity.instanceType) {
    throw clientException("Container instance type changes are not supported.");
  }
  return existing;
}

/**
 * The attributes ECS itself sets: from the identity document the instance type, Availability
 * Zone, AMI and CPU architecture; `ecs.os-type` is `linux` unless the agent reported its own
 * (Berth's agent runs on Linux Docker hosts). Without a document nothing else is invented: an
 * agent outside EC2 reports `ecs.cpu-architecture` itself, as ECS's agent does on external
 * instances.
 */
function builtInAttributes(
  identity: InstanceIdentity | undefined,
  sent: Attribute[],
  previous: Attribute[] = [],
): Attribute[] {
  const has = (name: string) => sent.some((a) => a.name === name) || previous.some((a) => a.name === name);
  const derived: Attribute[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) derived.push({ name, value });
  };
  add("ecs.ami-id", identity?.imageId);
  add("ecs.availability-zone", identity?.availabilityZone);
  add("ecs.instance-type", identity?.instanceType);
  add("ecs.cpu-architecture", identity?.architecture);
  if (!has("ecs.os-type")) add("ecs.os-type", "linux");
  return derived;
}

const PORT_RESOURCES = ["PORTS", "PORTS_UDP"];
const RESOURCE_TYPES = ["INTEGER", "DOUBLE", "LONG", "STRINGSET"];

/**
 * The registered resources as ECS shows them: CPU and MEMORY (INTEGER, required), PORTS and
 * PORTS_UDP (STRINGSET of reserved host ports, empty when not given), any other resource as
 * given, and a GPU STRINGSET from the GPU platform devices. Every resource carries all the
 * numeric members, zero where unused, as ECS answers.
 */
function registeredResources(total: Resource[] = [], devices: PlatformDevice[] = []): Resource[] {
  const byName = new Map<string, Resource>();
  for (const resource of total) {
    const name = resource.name;
    if (!name) throw invalidParameter("Every resource in totalResources must have a name.");
    if (byName.has(name)) throw invalidParameter(`Duplicate resource in totalResources: ${name}`);
    if (!RESOURCE_TYPES.includes(resource.type ?? "")) {
      throw invalidParameter(`Resource ${name} must have a type of INTEGER, DOUBLE, LONG or STRINGSET.`);
    }
    byName.set(name, resource);
  }
  for (const name of ["CPU", "MEMORY"]) {
    const r = byName.get(name);
    if (!r) throw invalidParameter(`totalResources must include ${name}.`);
    if (r.type !== "INTEGER" || r.integerValue === undefined || r.integerValue < 0) {
      throw invalidParameter(`Resource ${name} must be an INTEGER with a non-negative integerValue.`);
    }
  }
  for (const name of PORT_RESOURCES) {
    const r = byName.get(name);
    if (!r) continue;
    if (r.type !== "STRINGSET") throw invalidParameter(`Resource ${name} must be a STRINGSET of port numbers.`);
    for (const port of r.stringSetValue ?? []) {
      if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
        throw invalidParameter(`Resource ${name} has an invalid port: ${port}`);
      }
    }
  }
  const gpus = devices.filter((d) => d.type === "GPU").map((d) => d.id as string);
  if (gpus.length > 0 && !byName.has("GPU"))
    byName.set("GPU", { name: "GPU", type: "STRINGSET", stringSetValue: gpus });

  const ordered = ["CPU", "MEMORY", ...PORT_RESOURCES];
  const resources = ordered.map((name) =>
    normalized(byName.get(name) ?? { name, type: "STRINGSET", stringSetValue: [] }),
  );
  for (const [name, r] of byName) if (!ordered.includes(name)) resources.push(normalized(r));
  return resources;
}

function normalized(r: Resource): Resource {
  const resource: Resource = {
    name: r.name,
    type: r.type,
    doubleValue: r.type === "DOUBLE" ? (r.doubleValue ?? 0) : 0,
    longValue: r.type === "LONG" ? (r.longValue ?? 0) : 0,
    integerValue: r.type === "INTEGER" ? (r.integerValue ?? 0) : 0,
  };
  if (r.type === "STRINGSET") {
    const values = [...new Set(r.stringSetValue ?? [])];
    // Ports in ascending order, as the store keeps the remaining ones.
    resource.stringSetValue = PORT_RESOURCES.includes(r.name ?? "") ? sortedPorts(values.map(Number)) : values;
  }
  return resource;
}

const copyResource = (r: Resource): Resource => ({
  ...r,
  ...(r.stringSetValue ? { stringSetValue: [...r.stringSetValue] } : {}),
});

/**
 * Without totalResources, what the instance type implies (operations/instanceTypeResources.ts).
 * The response shows them as registeredResources, ECS's own shape; what was assumed, and from
 * what, goes to the log, since ECS's response has no field for it.
 */
async function assumedResources(
  ctx: ActionContext,
  identity: InstanceIdentity | undefined,
  devices: PlatformDevice[] | undefined,
): Promise<Resource[]> {
  const { resources, assumed } = await instanceTypeResources(ctx, identity);
  const message = `RegisterContainerInstance of ${identity?.instanceId ?? "an instance"} without totalResources: assumed ${assumed}.`;
  (ctx.onAssumption ?? console.warn)(message);
  return registeredResources(resources, devices);
}

/** Tasks on an instance (all pages); only those not STOPPED when `live`. */
async function tasksOn(ctx: ActionContext, cluster: string, id: string, live: boolean): Promise<TaskRecord[]> {
  return allItems((page) =>
    ctx.store.listTasks({ cluster, containerInstanceId: id, notStopped: live || undefined }, page),
  );
}

/** Each instance's live tasks as the cluster query language sees them (`task:group`). */

/** The host ports the instance's tasks hold (placed, not STOPPED): a re-registration must not free them. */
async function heldPorts(ctx: ActionContext, instance: ContainerInstanceRecord): Promise<HostPorts> {
  const held: HostPorts = { ports: [], udpPorts: [] };
  const onInstance = { cluster: instance.cluster, containerInstanceId: instance.id, notStopped: true };
  for await (const task of everyItem((page) => ctx.store.listTasks(onInstance, page))) {
    if (!task.holdsReservation) continue;
    held.ports.push(...task.reservation.ports);
    held.udpPorts.push(...task.reservation.udpPorts);
  }
  return held;
}
