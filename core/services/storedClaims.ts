import type { StoredClaims } from "../model/records.ts";
import type { GroupTarget } from "../operations/targetGroups.ts";
import type { Claims } from "./targets.ts";

/**
 * The targets a service's scheduler has taken on (Claims) as its record stores them
 * (StoredClaims). Written out, each claim would repeat a task ARN and a target group ARN (about
 * 250 bytes a task and target group), bounding a load-balanced service to about 1,400 tasks in
 * DynamoDB's 400 KB item; stored, tasks are keyed by task id, and target groups and instances
 * are indexes into tables of the record.
 */

/** Records written before StoredClaims have the claims written out, by task ARN. */
type WrittenOutClaims = Claims;

/** Claims as a record stores them: nothing when there are none. */
export function storeClaims(claims: Claims): StoredClaims | undefined {
  const arns = Object.keys(claims);
  if (arns.length === 0) return undefined;
  const taskArnPrefix = arns[0].slice(0, arns[0].lastIndexOf("/") + 1);
  const targetGroups = new Table();
  const instances = new Table();
  const tasks: StoredClaims["tasks"] = {};
  for (const [arn, targets] of Object.entries(claims)) {
    const rest = arn.slice(taskArnPrefix.length);
    const key = arn.startsWith(taskArnPrefix) && !isArn(rest) ? rest : arn;
    tasks[key] = targets.map((g) => [targetGroups.indexOf(g.targetGroupArn), instances.indexOf(g.id), g.port]);
  }
  return { taskArnPrefix, targetGroups: targetGroups.values, instances: instances.values, tasks };
}

/** The claims a record stores, in either shape: records written before StoredClaims are read as they are. */
export function claimsOf(stored: StoredClaims | WrittenOutClaims | undefined): Claims {
  if (!stored) return {};
  if (!isStored(stored)) return stored;
  const { taskArnPrefix, targetGroups, instances, tasks } = stored;
  return Object.fromEntries(
    Object.entries(tasks).map(([key, targets]) => [
      isArn(key) ? key : taskArnPrefix + key,
      targets.map(
        ([group, instance, port]): GroupTarget => ({
          targetGroupArn: targetGroups[group],
          id: instances[instance],
          port,
        }),
      ),
    ]),
  );
}

// Written out, claims are keyed by task ARNs: none is `taskArnPrefix`, and none has a string.
const isStored = (stored: StoredClaims | WrittenOutClaims): stored is StoredClaims =>
  typeof stored.taskArnPrefix === "string";

const isArn = (key: string) => key.startsWith("arn:");

/** Distinct strings in the order first seen, each with its index. */
class Table {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  indexOf(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.push(value) - 1;
      this.index.set(value, i);
    }
    return i;
  }
}
