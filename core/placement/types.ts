import type { PlacementConstraint, PlacementStrategy } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord, Reservation } from "../store/records.ts";

/** A task already on an instance, as far as constraints care (distinctInstance, task:group). */
export interface ResidentTask {
  group?: string;
  taskDefinitionArn?: string;
}

/** An instance as placement sees it: its record (with remainingResources) and its live tasks. */
export interface Candidate {
  record: ContainerInstanceRecord;
  tasks: ResidentTask[];
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
  /** Applied in order; the first has the most weight. */
  strategies: PlacementStrategy[];
  /** Source of randomness for `random` and tie-breaks; seed it to replay a placement. */
  random: () => number;
}

/** Why an instance was rejected, with ECS's reason codes. */
export interface PlacementFailure {
  arn: string;
  reason: string;
  detail?: string;
}

export interface PlacementPlan {
  /** One entry per task placed, in order; an instance may appear more than once. */
  placements: ContainerInstanceRecord[];
  /** Instances that could not take (another) task, with the reason of the first stage that rejected them. */
  failures: PlacementFailure[];
}
