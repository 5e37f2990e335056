import type {
  CreateServiceRequest,
  SchedulingStrategy,
  Service,
  TaskSet,
  UpdateServiceRequest,
} from "@aws-sdk/client-ecs";
import { computedDesiredCount, isExternal, withStability } from "../model/taskSet.ts";
import { invalidParameter } from "../protocol/errors.ts";

/**
 * What CreateService and UpdateService take from a service with the EXTERNAL deployment
 * controller, as ECS's external deployment guide lists it: the service holds the desired count,
 * the deployment configuration, placement, the health check grace period and tags; everything a
 * task runs with (task definition, load balancers, network configuration, platform version)
 * belongs to its task sets (core/actions/taskSets.ts).
 */

export function refuseForExternal(input: CreateServiceRequest, strategy: SchedulingStrategy) {
  if (strategy === "DAEMON") {
    throw invalidParameter("The EXTERNAL deployment controller does not support the DAEMON scheduling strategy.");
  }
  // ECS's own words, as CloudFormation and Terraform users report them.
  if (input.taskDefinition) throw invalidParameter("TaskDefinition must be blank.");
  const theTaskSets: [string, boolean][] = [
    ["loadBalancers", !!input.loadBalancers?.length],
    ["networkConfiguration", input.networkConfiguration !== undefined],
    ["platformVersion", input.platformVersion !== undefined],
  ];
  for (const [parameter, given] of theTaskSets) {
    if (given) {
      throw invalidParameter(
        `${parameter} cannot be given to a service with the EXTERNAL deployment controller: give it to each task set (CreateTaskSet).`,
      );
    }
  }
}

/** ECS's UpdateService can move a service to another controller; Berth keeps the one it was created with. */
export function refuseControllerChange(input: UpdateServiceRequest, service: Service) {
  const asked = input.deploymentController?.type;
  if (asked && asked !== (service.deploymentController?.type ?? "ECS")) {
    throw invalidParameter(
      `Berth cannot change a service's deployment controller (${service.deploymentController?.type ?? "ECS"} to ${asked}): create a new service.`,
    );
  }
}

/**
 * UpdateService on an EXTERNAL service: "you can update only the desired count, task placement
 * constraints and strategies, health check grace period, enable ECS managed tags option, and
 * propagate tags option" (and its deployment configuration); the rest takes a new task set.
 */
export function refuseExternalUpdate(input: UpdateServiceRequest) {
  const taskSetOnly: [string, boolean][] = [
    ["taskDefinition", input.taskDefinition !== undefined],
    ["loadBalancers", input.loadBalancers !== undefined],
    ["networkConfiguration", input.networkConfiguration !== undefined],
    ["capacityProviderStrategy", input.capacityProviderStrategy !== undefined],
    ["platformVersion", input.platformVersion !== undefined],
    ["serviceRegistries", input.serviceRegistries !== undefined],
    ["forceNewDeployment", input.forceNewDeployment === true],
  ];
  for (const [parameter, given] of taskSetOnly) {
    if (given) {
      throw invalidParameter(
        `Unable to update ${parameter} on services with an EXTERNAL deployment controller: create a new task set (CreateTaskSet) instead.`,
      );
    }
  }
}

/** The task sets after a new desired count: those whose computed count moves are STABILIZING again. */
export function rescaledTaskSets(service: Service, desiredCount: number, now: Date): TaskSet[] | undefined {
  if (!isExternal(service) || desiredCount === service.desiredCount) return service.taskSets;
  const after = { ...service, desiredCount };
  return service.taskSets?.map((ts) =>
    computedDesiredCount(after, ts) === computedDesiredCount(service, ts) ? ts : withStability(ts, false, now),
  );
}
