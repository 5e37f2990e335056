import type {
  Failure,
  GetTaskProtectionRequest,
  GetTaskProtectionResponse,
  ProtectedTask,
  UpdateTaskProtectionRequest,
  UpdateTaskProtectionResponse,
} from "@aws-sdk/client-ecs";
import { taskArn } from "../model/arn.ts";
import type { TaskRecord } from "../model/records.ts";
import { PROTECTION_DEFAULT_MINUTES, PROTECTION_MAX_MINUTES, protectedTask } from "../model/taskProtection.ts";
import type { ActionContext } from "../operations/context.ts";
import { activeCluster, idInCluster } from "../operations/lookup.ts";
import { serviceChanged } from "../operations/serviceQueue.ts";
import { updateTask } from "../operations/updateTask.ts";
import { invalidParameter } from "../protocol/errors.ts";
import { MAX_REFERENCES } from "../protocol/limits.ts";

/**
 * Task scale-in protection (UpdateTaskProtection, GetTaskProtection). The protection lives on the
 * task record; the service scheduler reads it (core/services) and leaves a protected task running
 * through scale-in and deployments until it expires.
 */

const SERVICE_GROUP = "service:";

export async function UpdateTaskProtection(
  input: UpdateTaskProtectionRequest,
  ctx: ActionContext,
): Promise<UpdateTaskProtectionResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const refs = checkedRefs(input.tasks, MAX_REFERENCES.UpdateTaskProtection);
  const enable = input.protectionEnabled === true;
  const minutes = input.expiresInMinutes ?? PROTECTION_DEFAULT_MINUTES;
  if (enable && (!Number.isInteger(minutes) || minutes < 1 || minutes > PROTECTION_MAX_MINUTES)) {
    throw invalidParameter(`expiresInMinutes must be between 1 and ${PROTECTION_MAX_MINUTES}.`);
  }
  return answerEach(ctx, cluster, refs, async (id, ref) => {
    let refused: Failure | undefined;
    const record = await updateTask(ctx, cluster, id, (r) => {
      refused = notProtectable(r, ref);
      if (refused) return undefined;
      const expirationDate = new Date(ctx.now().getTime() + minutes * 60_000);
      return { ...r, protection: enable ? { expirationDate } : undefined };
    });
    // Unprotected, it may be the one a pending scale-in or deployment was waiting for.
    if (record && !refused && !enable) {
      serviceChanged(ctx, cluster, (record.task.group ?? "").slice(SERVICE_GROUP.length));
    }
    return { record, refused };
  });
}

export async function GetTaskProtection(
  input: GetTaskProtectionRequest,
  ctx: ActionContext,
): Promise<GetTaskProtectionResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).name;
  const refs = checkedRefs(input.tasks, MAX_REFERENCES.GetTaskProtection);
  return answerEach(ctx, cluster, refs, async (id, ref) => {
    const record = await ctx.store.getTask(cluster, id);
    return { record, refused: record && notProtectable(record, ref) };
  });
}

/**
 * Both actions' answer: each task `refs` names, as `visit` finds it (and may change it), is a
 * protected task, or a failure (MISSING, or the reason `visit` refused it).
 */
async function answerEach(
  ctx: ActionContext,
  cluster: string,
  refs: string[],
  visit: (id: string, ref: string) => Promise<{ record?: TaskRecord; refused?: Failure }>,
): Promise<{ protectedTasks: ProtectedTask[]; failures: Failure[] }> {
  const protectedTasks: ProtectedTask[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const id = idInCluster(ref, cluster, "task");
    const { record, refused } = id ? await visit(id, ref) : {};
    if (!record) failures.push(missing(ctx, cluster, ref));
    else if (refused) failures.push(refused);
    else protectedTasks.push(protectedTask(record, ctx.now().getTime()));
  }
  return { protectedTasks, failures };
}

function checkedRefs(tasks: string[] | undefined, max: number): string[] {
  const refs = tasks ?? [];
  if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
  if (refs.length > max) throw invalidParameter(`Tasks cannot be longer than ${max}.`);
  return refs;
}

/** ECS protects only the tasks of a service (TASK_NOT_VALID otherwise); Berth also refuses a task already stopping. */
function notProtectable(record: TaskRecord, ref: string): Failure | undefined {
  const arn = record.task.taskArn ?? ref;
  if (!record.task.group?.startsWith(SERVICE_GROUP)) {
    return { arn, reason: "TASK_NOT_VALID", detail: "The task is not part of a service." };
  }
  if (record.task.desiredStatus === "STOPPED") {
    return { arn, reason: "TASK_NOT_VALID", detail: "The task is stopping or stopped." };
  }
  return undefined;
}

const missing = (ctx: ActionContext, cluster: string, ref: string): Failure => ({
  arn: ref.startsWith("arn:") ? ref : taskArn(ctx.partition, cluster, ref),
  reason: "MISSING",
});
