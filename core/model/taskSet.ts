import type { Service, TaskSet } from "@aws-sdk/client-ecs";
import type { Partition } from "./config.ts";

/**
 * Task sets: the groups of tasks an EXTERNAL deployment controller manages itself
 * (CreateTaskSet ...). They live in their service's record, `service.taskSets` as ECS shows them
 * (ECS allows 5 a service), so that the scheduler's round commits their stability with the
 * service's own state, and UpdateServicePrimaryTaskSet swaps two of them in one write.
 */

/** ECS's limit: "5 deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit." */
export const MAX_TASK_SETS = 5;

export const isExternal = (service: Service) => service.deploymentController?.type === "EXTERNAL";

/** `arn:aws:ecs:REGION:ACCOUNT:task-set/CLUSTER/SERVICE/ecs-svc/1234...`, as ECS names them. */
export const taskSetArn = (p: Partition, cluster: string, service: string, id: string) =>
  `arn:aws:ecs:${p.region}:${p.accountId}:task-set/${cluster}/${service}/${id}`;

/**
 * The service's desiredCount times the task set's scale, always rounded up, as ECS computes it
 * (a DRAINING task set keeps none). The epsilon keeps 10 × 70 % at 7 whatever the floating point.
 */
export function computedDesiredCount(service: Service, taskSet: TaskSet): number {
  if (taskSet.status === "DRAINING" || service.status !== "ACTIVE") return 0;
  const exact = ((service.desiredCount ?? 0) * (taskSet.scale?.value ?? 0)) / 100;
  return Math.max(0, Math.ceil(exact - 1e-9));
}

/** The fields of the primary task set that the service shows as its own, as ECS propagates them. */
export function fromPrimary(taskSet: TaskSet): Partial<Service> {
  return {
    taskDefinition: taskSet.taskDefinition,
    launchType: taskSet.launchType,
    capacityProviderStrategy: taskSet.capacityProviderStrategy,
    loadBalancers: taskSet.loadBalancers,
    serviceRegistries: taskSet.serviceRegistries,
    networkConfiguration: taskSet.networkConfiguration,
    platformVersion: taskSet.platformVersion,
  };
}

/** A task set with a new stability status, moving stabilityStatusAt only when it changes. */
export function withStability(taskSet: TaskSet, steady: boolean, now: Date): TaskSet {
  const status = steady ? "STEADY_STATE" : "STABILIZING";
  return taskSet.stabilityStatus === status ? taskSet : { ...taskSet, stabilityStatus: status, stabilityStatusAt: now };
}
