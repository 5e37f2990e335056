import type { Attribute, PlacementConstraint, PlacementStrategy } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord } from "../model/records.ts";
import type { Reservation } from "../model/reservation.ts";

/** A task already on an instance, as far as constraints care (distinctInstance, task:group). */
export interface ResidentTask {
  group?: string;
  taskDefinitionArn?: string;
  /** The task's last known status; `runningTasksCount` in the query language counts RUNNING ones
   * (a task without a status counts as running). Tasks placed earlier in the same plan are PROVISIONING. */
  lastStatus?: string;
}

/** An instance as placement sees it: its record (with remainingResources) and its live tasks. */
export interface Candidate {
  record: ContainerInstanceRecord;
  tasks: readonly ResidentTask[];
}

export interface PlacementRequest {
  /** What one task needs on an instance. */
  demand: Reservation;
  /** How many copies of the task to place (RunTask count). */
  count: number;
  /** The task group, e.g. `family:web`, for `task:group` expressions and spread. */
  group: string;
  taskDefinitionArn: string;
  /** The request's constraints followed by the task definition's. */
  constraints: PlacementConstraint[];
  /** Applied in order; the first has the most weight. Empty means RunTask's default, `random`. */
  strategies: PlacementStrategy[];
  /** Source of randomness for `random` and tie-breaks; seed it to replay a placement. */
  random: () => number;
  /** The task definition's `requiresAttributes`: an instance lacking one is rejected with `ATTRIBUTE`.
   * An attribute with a value must match it; one without a value only has to be present. */
  requiredAttributes?: Attribute[];
}

/** Why an instance was rejected, with ECS's reason codes. */
export interface PlacementFailure {
  arn: string;
  reason: string;
  detail?: string;
}

export interface PlacementPlan {
  /** One entry per task placed, in order; an instance may appear more than once. Each entry is the
   * candidate's record exactly as it was passed in (the same object, with the `version` read): apply
   * `reserve(record, demand)` once per entry to get what to commit. */
  placements: ContainerInstanceRecord[];
  /** Empty when every task was placed. Otherwise every instance that could not take the next task,
   * once each, with the reason of the first stage that rejected it. */
  failures: PlacementFailure[];
}
