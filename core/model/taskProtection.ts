import type { ProtectedTask } from "@aws-sdk/client-ecs";
import type { TaskRecord } from "./records.ts";

/**
 * Task scale-in protection, as ECS has it: a service's task can be protected for 1 to 2,880
 * minutes (120 by default); until then neither scale-in nor a deployment stops it. Expired
 * protection is simply no protection: nothing needs to clear it.
 */
export const PROTECTION_DEFAULT_MINUTES = 120;
export const PROTECTION_MAX_MINUTES = 2880;

/** Whether the task is protected at `now`. */
export const isProtected = (record: TaskRecord, now: number) =>
  record.protection !== undefined && record.protection.expirationDate.getTime() > now;

/** The task's protection as GetTaskProtection and UpdateTaskProtection answer it. */
export function protectedTask(record: TaskRecord, now: number): ProtectedTask {
  return isProtected(record, now)
    ? { taskArn: record.task.taskArn, protectionEnabled: true, expirationDate: record.protection?.expirationDate }
    : { taskArn: record.task.taskArn, protectionEnabled: false };
}
