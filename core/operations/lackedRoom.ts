import type { Failure } from "@aws-sdk/client-ecs";
import { AUTOSCALING_GROUP_ATTRIBUTE } from "../model/capacityProvider.ts";
import type { ContainerInstanceRecord } from "../model/records.ts";
import type { Reservation } from "../model/reservation.ts";
import { readResources } from "../model/resourceList.ts";
import { shortfallIn } from "../placement/capacity.ts";

const groupMembers = (instances: ContainerInstanceRecord[], group: string) =>
  instances.filter(
    (i) =>
      i.instance.status !== "INACTIVE" &&
      i.instance.attributes?.some((a) => a.name === AUTOSCALING_GROUP_ATTRIBUTE && a.value === group),
  );

/**
 * Whether the tasks a launch on the group could not place lacked room there, so that one more
 * instance of the group would take them: an instance of the group rejected them for its CPU,
 * memory or ports (not a constraint, an attribute or its agent), and an empty instance like it
 * would hold one (a task larger than the instance type never fits, however many there are); or
 * the group has no instance registered yet (it scales out from zero, as ECS's does).
 */
export function lackedRoom(
  failures: Failure[],
  instances: ContainerInstanceRecord[],
  group: string,
  demand: Reservation,
): boolean {
  const members = groupMembers(instances, group);
  if (members.length === 0) return true;
  const byArn = new Map(members.map((i) => [i.instance.containerInstanceArn, i]));
  return failures.some((f) => {
    const member = byArn.get(f.arn);
    if (!member || !f.reason?.startsWith("RESOURCE:")) return false;
    return shortfallIn(readResources(member.instance.registeredResources), demand) === undefined;
  });
}

/**
 * Why tasks that lacked room on the group could not be placed, as ECS gives it as a stopped
 * reason: the first resource an instance of the group lacked (RESOURCE:MEMORY, ...), or, with no
 * instance of the group registered, EMPTY CAPACITY PROVIDER.
 */
export function roomReason(failures: Failure[], instances: ContainerInstanceRecord[], group: string): string {
  const members = new Set(groupMembers(instances, group).map((i) => i.instance.containerInstanceArn));
  const reason = failures.find((f) => members.has(f.arn) && f.reason?.startsWith("RESOURCE:"))?.reason;
  return reason ?? "EMPTY CAPACITY PROVIDER";
}
