import type {
  DescribeTasksRequest,
  DescribeTasksResponse,
  Failure,
  ListTasksRequest,
  ListTasksResponse,
  PlacementConstraint,
  RunTaskRequest,
  RunTaskResponse,
  StartTaskRequest,
  StartTaskResponse,
  StopTaskRequest,
  StopTaskResponse,
  Tag,
  Task,
} from "@aws-sdk/client-ecs";
import { containerInstanceArn, taskArn } from "../model/arn.ts";
import { onAutoScalingGroup, splitByStrategy } from "../model/capacityProvider.ts";
import { fromEcsJson, toEcsJson } from "../model/json.ts";
import type { TaskDefinitionRecord, TaskRecord } from "../model/records.ts";
import { requestStop } from "../model/taskState.ts";
import { checkTagging, usesLongArns } from "../operations/accountSettings.ts";
import { launchStrategy } from "../operations/capacityProviders.ts";
import type { ActionContext } from "../operations/context.ts";
import { type Launch, launchTasks } from "../operations/launchTasks.ts";
import { activeCluster, describeEach, idInCluster, inCluster } from "../operations/lookup.ts";
import { updateTask } from "../operations/updateTask.ts";
import { validatePlacement } from "../placement/plan.ts";
import { EcsError, invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";
import { put } from "../store/port.ts";
import { checkClientToken } from "./clientToken.ts";
import { nextToken, pageRequest } from "./pagination.ts";
import { validateTags } from "./tagging.ts";
import { resolveTaskDefinition } from "./taskDefinitions.ts";
import { checkedOverrides } from "./taskOverrides.ts";

/** How long a clientToken is remembered. */
const CLIENT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export async function RunTask(input: RunTaskRequest, ctx: ActionContext): Promise<RunTaskResponse> {
  const count = input.count ?? 1;
  if (count < 1 || count > 10) throw invalidParameter("count must be between 1 and 10.");
  if (input.launchType && input.launchType !== "EC2") {
    throw invalidParameter(
      `Launch type ${input.launchType} is not supported: Berth runs tasks on the EC2 launch type.`,
    );
  }
  const resolved = await common(input, ctx);
  const { cluster, taskDefinition } = resolved;
  const providers = await launchStrategy(ctx, resolved.clusterRecord, input);
  const definitionConstraints = (taskDefinition.taskDefinition.placementConstraints ?? []) as PlacementConstraint[];
  validatePlacement([...(input.placementConstraints ?? []), ...definitionConstraints], input.placementStrategy ?? []);

  checkClientToken(input.clientToken, 64);
  const idempotencyKey = input.clientToken && `RunTask/${cluster}/${input.clientToken}`;
  const fingerprint = toEcsJson({ ...input, clientToken: undefined });
  if (idempotencyKey) {
    const seen = await ctx.store.getIdempotency(idempotencyKey);
    if (seen) {
      const response = fromEcsJson<RunTaskResponse>(seen.response as string);
      if (seen.request === fingerprint) return response;
      throw new EcsError(
        "ConflictException",
        "The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request. The resourceIds are the existing task ARNs which are already associated with the clientToken.",
        400,
        { resourceIds: response.tasks?.map((t) => t.taskArn) },
      );
    }
  }

  const launch: Launch = {
    ...launchOf(input, resolved),
    count,
    constraints: input.placementConstraints ?? [],
    strategies: input.placementStrategy ?? [],
  };
  const remember = (tasks: Task[], failures: Failure[]) =>
    idempotencyKey
      ? [
          put("idempotency", {
            key: idempotencyKey,
            request: fingerprint,
            response: toEcsJson({ tasks, failures }),
            expiresAt: ctx.now().getTime() + CLIENT_TOKEN_TTL_MS,
          }),
        ]
      : [];
  if (!providers) return launchTasks(ctx, { ...launch, alsoWrite: remember });
  // With a capacity provider strategy: each provider that takes tasks gets its share on its
  // group's instances, all in one commit with the clientToken's record, so a retry after a
  // failure finds either everything or nothing.
  const shares = [...splitByStrategy(providers.strategy, count)]
    .filter(([, n]) => n > 0)
    .map(([name, n]) => ({
      capacityProviderName: name,
      count: n,
      constraints: [onAutoScalingGroup(providers.groups.get(name) ?? "")],
      waitOn: providers.managed.has(name) ? providers.groups.get(name) : undefined,
    }));
  return launchTasks(ctx, { ...launch, shares, alsoWrite: remember });
}

export async function StartTask(input: StartTaskRequest, ctx: ActionContext): Promise<StartTaskResponse> {
  const resolved = await common(input, ctx);
  const { cluster } = resolved;
  // The instances are checked once the cluster and task definition are known, as ECS does (moto reproduces the order).
  const refs = input.containerInstances ?? [];
  if (refs.length < 1 || refs.length > 10)
    throw invalidParameter("containerInstances must have between 1 and 10 items.");
  const { find, missingArn } = inCluster(
    cluster,
    "container-instance",
    async (id) => {
      const record = await ctx.store.getContainerInstance(cluster, id);
      return record?.instance.status === "INACTIVE" ? undefined : record;
    },
    (id) => containerInstanceArn(ctx.partition, cluster, id),
  );
  const { described: ids, failures: missing } = await describeEach(refs, find, (record) => record.id, missingArn);
  const launched =
    ids.length > 0
      ? await launchTasks(ctx, {
          ...launchOf(input, resolved),
          count: ids.length,
          constraints: [],
          strategies: [],
          onInstances: ids,
        })
      : { tasks: [], failures: [] };
  return { tasks: launched.tasks, failures: [...missing, ...launched.failures] };
}

/** What RunTask and StartTask check and resolve alike. */
async function common(input: RunTaskRequest | StartTaskRequest, ctx: ActionContext) {
  if (input.startedBy !== undefined && !/^[a-zA-Z0-9_/-]{1,128}$/.test(input.startedBy)) {
    throw invalidParameter("startedBy can have up to 128 letters, numbers, hyphens, forward slashes and underscores.");
  }
  if (input.group !== undefined && (input.group.length < 1 || input.group.length > 255)) {
    throw invalidParameter("group must have between 1 and 255 characters.");
  }
  validateTags(input.tags);
  // Three reads at once (one round trip's wait on DynamoDB, not three), their refusals in this order.
  const [clusterRead, longArnRead, definitionRead] = await Promise.allSettled([
    activeCluster(ctx, input.cluster),
    usesLongArns(ctx, "task"),
    resolveTaskDefinition(ctx, input.taskDefinition as string),
  ]);
  const clusterRecord = settledValue(clusterRead);
  const cluster = clusterRecord.name;
  const longArn = settledValue(longArnRead);
  checkTagging(longArn, "task", input);
  const taskDefinition = settledValue(definitionRead);
  if (taskDefinition.taskDefinition.networkMode === "awsvpc" && !input.networkConfiguration) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  const tags = propagatedTags(input, taskDefinition);
  return { cluster, clusterRecord, taskDefinition, tags, longArn, overrides: checkedOverrides(input.overrides) };
}

const settledValue = <T>(settled: PromiseSettledResult<T>): T => {
  if (settled.status === "rejected") throw settled.reason;
  return settled.value;
};

function launchOf(
  input: RunTaskRequest | StartTaskRequest,
  { cluster, taskDefinition, tags, longArn, overrides }: Awaited<ReturnType<typeof common>>,
): Omit<Launch, "count" | "constraints" | "strategies"> {
  return {
    cluster,
    taskDefinition,
    overrides,
    group: input.group ?? `family:${taskDefinition.family}`,
    startedBy: input.startedBy,
    tags,
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    longArn,
  };
}

/** Request tags, plus the task definition's when propagateTags asks for them (request tags win). */
function propagatedTags(input: RunTaskRequest | StartTaskRequest, taskDefinition: TaskDefinitionRecord): Tag[] {
  const own = input.tags ?? [];
  if (input.propagateTags !== "TASK_DEFINITION") return own;
  const inherited = taskDefinition.tags.filter((t) => !own.some((o) => o.key === t.key));
  const tags = [...own, ...inherited];
  validateTags(tags);
  return tags;
}

export async function StopTask(input: StopTaskRequest, ctx: ActionContext): Promise<StopTaskResponse> {
  if (input.reason !== undefined && input.reason.length > 255) {
    throw invalidParameter("reason can have up to 255 characters.");
  }
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const id = idInCluster(input.task ?? "", cluster, "task");
  const notFound = () => invalidParameter("The referenced task was not found.");
  if (!id) throw notFound();
  const stop = { stopCode: "UserInitiated" as const, reason: input.reason ?? "Task stopped by user" };
  const record = await updateTask(ctx, cluster, id, (r) => {
    const task = requestStop(r.task, stop, ctx.now(), r.acknowledged);
    return task && { ...r, task };
  });
  if (!record) throw notFound();
  return { task: withoutTags(record.task) };
}

export async function DescribeTasks(input: DescribeTasksRequest, ctx: ActionContext): Promise<DescribeTasksResponse> {
  // The cluster first, then the list, as ECS does (moto reproduces the order).
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const refs = input.tasks ?? [];
  if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
  if (refs.length > MAX_REFERENCES.DescribeTasks) {
    throw invalidParameter(`Tasks cannot be longer than ${MAX_REFERENCES.DescribeTasks}.`);
  }
  const withTags = input.include?.includes("TAGS") ?? false;
  // One read of all the tasks named (a BatchGetItem on DynamoDB, not one GetItem each).
  const ids = refs.flatMap((ref) => idInCluster(ref, cluster, "task") || []);
  const found = new Map((await ctx.store.getTasks(cluster, ids)).map((record) => [record.id, record]));
  const { find, missingArn } = inCluster(
    cluster,
    "task",
    async (id) => found.get(id),
    (id) => taskArn(ctx.partition, cluster, id),
  );
  const describe = (record: TaskRecord) => (withTags ? record.task : withoutTags(record.task));
  const { described, failures } = await describeEach(refs, find, describe, missingArn);
  return { tasks: described, failures };
}

export async function ListTasks(input: ListTasksRequest, ctx: ActionContext): Promise<ListTasksResponse> {
  const page = pageRequest(input);
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  // Berth's tasks are all of the EC2 launch type; daemons come with services.
  if ((input.launchType && input.launchType !== "EC2") || input.daemonName) return { taskArns: [] };
  let containerInstanceId: string | undefined;
  if (input.containerInstance !== undefined) {
    containerInstanceId = idInCluster(input.containerInstance, cluster, "container-instance");
    const found = containerInstanceId && (await ctx.store.getContainerInstance(cluster, containerInstanceId));
    if (!found) throw invalidParameter("The referenced container instance was not found.");
  }
  const result = await ctx.store.listTasks(
    {
      cluster,
      desiredStatus: input.desiredStatus ?? "RUNNING",
      family: input.family,
      startedBy: input.startedBy,
      group: input.serviceName ? `service:${input.serviceName}` : undefined,
      containerInstanceId,
    },
    page,
  );
  return { taskArns: result.items.map((r) => r.task.taskArn as string), nextToken: nextToken(result) };
}

/** Tags are shown only when asked for with include TAGS, as on ECS. */
const withoutTags = ({ tags: _tags, ...task }: Task): Task => task;
