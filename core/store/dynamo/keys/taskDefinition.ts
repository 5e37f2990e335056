import type { TaskDefinitionRecord } from "../../../model/records.ts";

/**
 * Task definitions: a family's revisions share a partition, sorted by zero-padded revision so
 * that the last one is the first of a descending Query. Listed across families through the
 * `ordered` index (all statuses) and the `byStatus` index (one status), both sorted by
 * `family#revision`: '#' sorts before every character a family name may hold, so "app" and
 * its revisions come before "app-worker", as family names compare.
 */
const pad = (revision: number) => String(revision).padStart(10, "0");

export const familyPartition = (family: string) => `TASKDEF#${family}`;

export const taskDefinitionKey = (family: string, revision: number) => ({
  pk: familyPartition(family),
  sk: `REV#${pad(revision)}`,
});

/** The `ordered` partition of every task definition, and the `byStatus` one of a status. */
export const ALL_TASK_DEFINITIONS = "TASKDEFS";
export const taskDefinitionsWithStatus = (status: string) => `TASKDEFS#${status}`;

export const revisionSortKey = (family: string, revision: number) => `${family}#${pad(revision)}`;

/** Sort values around a family's revisions ('~' sorts after every digit). */
export const familyStart = (family: string) => `${family}#`;
export const familyEnd = (family: string) => `${family}#~`;

/** The sort values just after and just before a revision's: list cursors are exclusive. */
export function nextSortKey(cursor: string, step: 1 | -1): string {
  const at = cursor.lastIndexOf("#");
  const revision = Number(cursor.slice(at + 1));
  // Not a cursor this store made: compare it as it is (a page past it, or nothing).
  if (at < 0 || !Number.isInteger(revision)) return cursor;
  return revisionSortKey(cursor.slice(0, at), revision + step);
}

export const familyOfSortKey = (value: string) => value.slice(0, value.lastIndexOf("#"));

export const taskDefinitionAttributes = (r: Omit<TaskDefinitionRecord, "version">) => {
  const status = r.taskDefinition.status ?? "ACTIVE";
  const sortKey = revisionSortKey(r.family, r.revision);
  return {
    ...taskDefinitionKey(r.family, r.revision),
    gsi1pk: ALL_TASK_DEFINITIONS,
    gsi1sk: sortKey,
    gsi2pk: taskDefinitionsWithStatus(status),
    gsi2sk: sortKey,
    status,
  };
};
