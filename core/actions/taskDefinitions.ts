import type {
  Compatibility,
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  Failure,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { lastSegment, parseArn, taskDefinitionArn } from "../model/arn.ts";
import type { TaskDefinitionRecord } from "../model/records.ts";
import { newTaskDefinition } from "../model/taskDefinition.ts";
import type { ActionContext } from "../operations/context.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { clientException, invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";
import { ecsModel } from "../protocol/model.ts";
import { ConflictError, put } from "../store/port.ts";
import { nextToken, pageRequest } from "./pagination.ts";
import { validateTags } from "./tagging.ts";
import { incompatibilities, validateTaskDefinition } from "./taskDefinitionValidation.ts";

/** Concurrent registrations of one family each take the next free revision; this many tries each. */
const REGISTER_ATTEMPTS = 20;
const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;

export async function RegisterTaskDefinition(
  input: RegisterTaskDefinitionRequest,
  ctx: ActionContext,
): Promise<RegisterTaskDefinitionResponse> {
  const td = known(ecsModel.operations.RegisterTaskDefinition.input ?? "", input) as RegisterTaskDefinitionRequest;
  validateTags(td.tags);
  const size = validateTaskDefinition(td);
  const family = td.family as string;
  const tags = td.tags ?? [];
  const problems = incompatibilities(td, size);
  const compatibilities: Compatibility[] = (["EXTERNAL", "EC2", "FARGATE"] as const).filter((c) => !problems[c]);
  if (td.requiresCompatibilities?.includes("MANAGED_INSTANCES")) compatibilities.push("MANAGED_INSTANCES");

  // Revisions start at 1 and are never reused: the next one is the family's highest + 1, whatever
  // its status. Writing it as a new record fails if a concurrent registration took it first.
  const register = async () => {
    const last = await ctx.store.lastTaskDefinition(family);
    const revision = (last?.revision ?? 0) + 1;
    const taskDefinition = newTaskDefinition(td, {
      taskDefinitionArn: taskDefinitionArn(ctx.partition, family, revision),
      revision,
      ...size,
      compatibilities,
      registeredAt: ctx.now(),
      registeredBy: `arn:aws:iam::${ctx.partition.accountId}:root`,
    });
    await ctx.store.commit([put("taskDefinition", { family, revision, taskDefinition, tags })]);
    return { taskDefinition, tags };
  };
  try {
    return await retryOnConflict(register, REGISTER_ATTEMPTS);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    throw clientException("Too many concurrent attempts to create a new revision of the specified family.");
  }
}

export async function DescribeTaskDefinition(
  input: DescribeTaskDefinitionRequest,
  ctx: ActionContext,
): Promise<DescribeTaskDefinitionResponse> {
  const record = await find(ctx, input.taskDefinition as string);
  if (!record) throw clientException("Unable to describe task definition.");
  return {
    taskDefinition: record.taskDefinition,
    tags: input.include?.includes("TAGS") ? record.tags : [],
  };
}

export async function ListTaskDefinitions(
  input: ListTaskDefinitionsRequest,
  ctx: ActionContext,
): Promise<ListTaskDefinitionsResponse> {
  // familyPrefix is, despite its name, a whole family; only ACTIVE revisions are listed by default.
  const page = await ctx.store.listTaskDefinitions(
    { family: input.familyPrefix, status: input.status ?? "ACTIVE", sort: input.sort ?? "ASC" },
    pageRequest(input),
  );
  return {
    taskDefinitionArns: page.items.map((r) => r.taskDefinition.taskDefinitionArn as string),
    nextToken: nextToken(page),
  };
}

export async function ListTaskDefinitionFamilies(
  input: ListTaskDefinitionFamiliesRequest,
  ctx: ActionContext,
): Promise<ListTaskDefinitionFamiliesResponse> {
  // Both ACTIVE families and those without an ACTIVE revision are listed by default.
  const page = await ctx.store.listTaskDefinitionFamilies(
    { familyPrefix: input.familyPrefix, status: input.status ?? "ALL" },
    pageRequest(input),
  );
  return { families: page.items, nextToken: nextToken(page) };
}

export async function DeregisterTaskDefinition(
  input: DeregisterTaskDefinitionRequest,
  ctx: ActionContext,
): Promise<DeregisterTaskDefinitionResponse> {
  const revision = revisionOf(input.taskDefinition as string);
  if (revision !== undefined && !/^[0-9]+$/.test(revision)) {
    // ECS's words (moto reproduces them): a revision that is not a number is refused as such.
    throw invalidParameter(`Invalid revision number. Number: ${revision}`);
  }
  const ref = parseReference(ctx, input.taskDefinition as string);
  if (ref && ref.revision === undefined) throw clientException("Revision is missing.");
  // Deregistering what is no longer ACTIVE changes nothing and answers with it as it is.
  const taskDefinition = await retryOnConflict(async () => {
    const record = await find(ctx, input.taskDefinition as string);
    if (!record) throw clientException("Unable to describe task definition.");
    if (record.taskDefinition.status !== "ACTIVE") return record.taskDefinition;
    const taskDefinition: TaskDefinition = { ...record.taskDefinition, status: "INACTIVE", deregisteredAt: ctx.now() };
    await ctx.store.commit([put("taskDefinition", { ...record, taskDefinition })]);
    return taskDefinition;
  });
  return { taskDefinition };
}

export async function DeleteTaskDefinitions(
  input: DeleteTaskDefinitionsRequest,
  ctx: ActionContext,
): Promise<DeleteTaskDefinitionsResponse> {
  const refs = input.taskDefinitions ?? [];
  if (refs.length === 0) throw invalidParameter("size of TaskDefinition references list must be greater than 0");
  if (refs.length > MAX_REFERENCES.DeleteTaskDefinitions) {
    throw invalidParameter(
      `Size of TaskDefinition references list cannot exceed ${MAX_REFERENCES.DeleteTaskDefinitions}`,
    );
  }
  const taskDefinitions: TaskDefinition[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const outcome = await retryOnConflict(() => deleteOne(ctx, ref));
    if (outcome.failure) failures.push(outcome.failure);
    else taskDefinitions.push(outcome.taskDefinition);
  }
  return { taskDefinitions, failures };
}

/**
 * An INACTIVE revision moves to DELETE_IN_PROGRESS: still describable, unusable for new tasks,
 * services and UpdateService, while its tasks and services run on. The periodic sweep deletes it
 * once no task or service uses it any more (taskDefinitionPurge.ts).
 */
async function deleteOne(
  ctx: ActionContext,
  ref: string,
): Promise<{ failure: Failure; taskDefinition?: never } | { failure?: never; taskDefinition: TaskDefinition }> {
  const fail = (arn: string, reason: string) => ({ failure: { arn, reason } });
  const parsed = parseReference(ctx, ref);
  if (parsed?.revision === undefined) {
    return fail(ref, "The specified task definition identifier is invalid. Specify a valid name or ARN and try again.");
  }
  const arn = taskDefinitionArn(ctx.partition, parsed.family, parsed.revision);
  const record = await ctx.store.getTaskDefinition(parsed.family, parsed.revision);
  if (!record) {
    return fail(
      arn,
      "The specified task definition does not exist. Specify a valid account, family, revision and try again.",
    );
  }
  const status = record.taskDefinition.status;
  if (status === "ACTIVE") {
    return fail(
      arn,
      "The specified task definition is still in ACTIVE status. Please deregister the target and try again.",
    );
  }
  if (status === "DELETE_IN_PROGRESS") return { taskDefinition: record.taskDefinition };
  const taskDefinition: TaskDefinition = {
    ...record.taskDefinition,
    status: "DELETE_IN_PROGRESS",
    deleteRequestedAt: ctx.now(),
  };
  await ctx.store.commit([put("taskDefinition", { ...record, taskDefinition })]);
  return { taskDefinition };
}

/**
 * The task definition RunTask, StartTask or a service may start tasks from: `family` (its latest
 * ACTIVE revision), `family:revision` or an ARN. ECS refuses INACTIVE and DELETE_IN_PROGRESS
 * revisions for new tasks.
 */
export async function resolveTaskDefinition(ctx: ActionContext, ref: string): Promise<TaskDefinitionRecord> {
  const record = await find(ctx, ref);
  if (!record) throw clientException("TaskDefinition not found.");
  if (record.taskDefinition.status !== "ACTIVE") throw invalidParameter("TaskDefinition is inactive");
  return record;
}

/** What a reference names, whatever its status; a bare family names its latest ACTIVE revision. */
async function find(ctx: ActionContext, ref: string): Promise<TaskDefinitionRecord | undefined> {
  const parsed = parseReference(ctx, ref);
  if (!parsed) return undefined;
  return parsed.revision === undefined
    ? ctx.store.lastTaskDefinition(parsed.family, "ACTIVE")
    : ctx.store.getTaskDefinition(parsed.family, parsed.revision);
}

/** The text after the family's colon in `family:revision` or an ARN ending so; undefined without one. */
function revisionOf(ref: string): string | undefined {
  const name = lastSegment(ref);
  const colon = name.indexOf(":");
  return colon < 0 ? undefined : name.slice(colon + 1);
}

/** `family`, `family:revision` or the ARN of this partition's task definition; undefined otherwise. */
function parseReference(ctx: ActionContext, ref: string): { family: string; revision?: number } | undefined {
  let name = ref;
  if (ref.startsWith("arn:")) {
    const arn = parseArn(ref);
    const ours = arn?.region === ctx.partition.region && arn.accountId === ctx.partition.accountId;
    if (!arn || !ours || arn.type !== "task-definition" || arn.parts.length !== 1) return undefined;
    name = arn.parts[0];
  }
  const [family, revision, ...rest] = name.split(":");
  if (rest.length > 0 || !FAMILY.test(family)) return undefined;
  if (revision === undefined) return { family };
  return /^[1-9][0-9]{0,9}$/.test(revision) ? { family, revision: Number(revision) } : undefined;
}

/**
 * A request value with the members the model does not know, and nulls, left out: both count as
 * absent on AWS, and neither should be stored and echoed back.
 */
function known(shapeName: string, value: unknown): unknown {
  const shape = ecsModel.shapes[shapeName];
  if (value === null || value === undefined || !shape) return undefined;
  if (shape.type === "structure") {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(shape.members ?? {})
        .filter(([name]) => object[name] !== null && object[name] !== undefined)
        .map(([name, member]) => [name, known(member.shape, object[name])]),
    );
  }
  if (shape.type === "list") {
    return (value as unknown[]).filter((v) => v !== null).map((v) => known(shape.member?.shape ?? "", v));
  }
  if (shape.type === "map") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, known(shape.value?.shape ?? "", v)]),
    );
  }
  return value;
}
