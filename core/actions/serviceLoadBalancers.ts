import type { LoadBalancer } from "@aws-sdk/client-ecs";
import type { ServiceSchedulerState, TaskDefinitionRecord } from "../model/records.ts";
import type { ActionContext } from "../operations/context.ts";
import { invalidParameter } from "../protocol/errors.ts";

/** ECS's quota: target groups per service. */
const MAX_TARGET_GROUPS = 5;

/**
 * A service's `loadBalancers`, checked as ECS checks them on CreateService and UpdateService:
 * ELBv2 target groups only (no Classic Load Balancer), each naming a container of the task
 * definition and one of its container ports, each target group existing (asked of ELBv2), behind
 * a load balancer, with the instance target type that bridge and host network modes register.
 * Returns them as stored.
 */
export async function validateLoadBalancers(
  ctx: ActionContext,
  loadBalancers: LoadBalancer[],
  taskDefinition: TaskDefinitionRecord,
): Promise<LoadBalancer[]> {
  if (loadBalancers.length === 0) return [];
  if (!ctx.targetGroups) {
    throw invalidParameter(
      "loadBalancers need an ELBv2 endpoint: Berth in local mode reaches one at BERTH_ELBV2_ENDPOINT (any ELBv2-compatible API, e.g. moto's server), which is not set.",
    );
  }
  if (loadBalancers.length > MAX_TARGET_GROUPS) {
    throw invalidParameter(`A service can have at most ${MAX_TARGET_GROUPS} target groups.`);
  }
  const definition = taskDefinition.taskDefinition;
  if (definition.networkMode === "awsvpc") {
    throw invalidParameter(
      "loadBalancers are not supported by Berth for the awsvpc network mode yet: use bridge or host.",
    );
  }
  const seen = new Set<string>();
  for (const lb of loadBalancers) {
    if (lb.loadBalancerName) {
      throw invalidParameter("Classic Load Balancers are not supported by Berth: give a targetGroupArn instead.");
    }
    if (!lb.targetGroupArn) throw invalidParameter("targetGroupArn is required for each load balancer.");
    if (!lb.containerName || lb.containerPort === undefined) {
      throw invalidParameter("containerName and containerPort are required for each load balancer.");
    }
    const container = definition.containerDefinitions?.find((c) => c.name === lb.containerName);
    if (!container) throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`);
    if (!container.portMappings?.some((p) => p.containerPort === lb.containerPort)) {
      throw invalidParameter(
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
      );
    }
    const key = entryKey(lb);
    if (seen.has(key)) throw invalidParameter("The same target group, container and port may be given only once.");
    seen.add(key);
  }
  const arns = [...new Set(loadBalancers.map((lb) => lb.targetGroupArn as string))];
  const found = await ctx.targetGroups.describe(arns);
  for (const arn of arns) {
    const group = found.find((g) => g.arn === arn);
    if (!group) throw invalidParameter(`Unable to find the target group ${arn}.`);
    if (group.loadBalancerArns.length === 0) {
      throw invalidParameter(`The target group with targetGroupArn ${arn} does not have an associated load balancer.`);
    }
    if (group.targetType !== "instance") {
      throw invalidParameter(
        `The provided target group ${arn} has target type ${group.targetType}, which is incompatible with the ${definition.networkMode ?? "bridge"} network mode specified in the task definition.`,
      );
    }
  }
  return loadBalancers.map((lb) => ({
    targetGroupArn: lb.targetGroupArn,
    containerName: lb.containerName,
    containerPort: lb.containerPort,
    ...(lb.advancedConfiguration && { advancedConfiguration: lb.advancedConfiguration }),
  }));
}

const entryKey = (lb: LoadBalancer) => `${lb.targetGroupArn} ${lb.containerName} ${lb.containerPort}`;

/**
 * Each older deployment's own load balancers after an UpdateService from `before` to `after`,
 * with `deployments` then (unchanged when the load balancers are the same): those that used the
 * service's until now keep `before`, the others what they had. Load balancers added to a service
 * that had none are remembered too, as none: its older tasks are not registered in the new target
 * groups (ECS registers only the new deployment's tasks).
 */
export function deploymentLoadBalancers(
  kept: ServiceSchedulerState["deploymentLoadBalancers"],
  before: LoadBalancer[],
  after: LoadBalancer[],
  deployments: string[],
): ServiceSchedulerState["deploymentLoadBalancers"] {
  const same = before.length === after.length && before.every((lb, i) => entryKey(lb) === entryKey(after[i]));
  if (same) return kept;
  return { ...Object.fromEntries(deployments.map((id) => [id, before])), ...kept };
}
