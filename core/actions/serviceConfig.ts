import type {
  DeploymentConfiguration,
  PlacementConstraint,
  PlacementStrategy,
  SchedulingStrategy,
} from "@aws-sdk/client-ecs";
import type { TaskDefinitionRecord } from "../model/records.ts";
import { validatePlacement } from "../placement/plan.ts";
import { invalidParameter } from "../protocol/errors.ts";

/**
 * What CreateService and UpdateService check and default alike: the scheduling strategy's
 * rules, the deployment configuration, placement, and the features Berth does not have.
 */

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function validateServiceName(name: string | undefined): string {
  if (!name || !SERVICE_NAME.test(name)) {
    throw invalidParameter(
      "Service name can have up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.",
    );
  }
  return name;
}

/** ECS's own words when a DAEMON service is given a desired count. */
export const daemonDesiredCount = () =>
  invalidParameter(
    "The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again",
  );

export function validateDesiredCount(strategy: SchedulingStrategy, desiredCount: number | undefined) {
  if (strategy === "DAEMON" && desiredCount !== undefined) throw daemonDesiredCount();
  if (desiredCount !== undefined && desiredCount < 0) throw invalidParameter("desiredCount must be at least 0.");
}

/**
 * ECS's defaults: a REPLICA service keeps 100 % healthy and may run 200 % during a deployment; a
 * DAEMON has one task per instance at most, so it stops the old one before starting the new
 * (0 % / 100 %). A partial update keeps what it does not name.
 */
export function deploymentConfiguration(
  strategy: SchedulingStrategy,
  given: DeploymentConfiguration | undefined,
  current?: DeploymentConfiguration,
): DeploymentConfiguration {
  const daemon = strategy === "DAEMON";
  const merged: DeploymentConfiguration = {
    ...current,
    ...given,
    deploymentCircuitBreaker: given?.deploymentCircuitBreaker ??
      current?.deploymentCircuitBreaker ?? { enable: false, rollback: false },
    minimumHealthyPercent: given?.minimumHealthyPercent ?? current?.minimumHealthyPercent ?? (daemon ? 0 : 100),
    maximumPercent: given?.maximumPercent ?? current?.maximumPercent ?? (daemon ? 100 : 200),
  };
  const min = merged.minimumHealthyPercent as number;
  const max = merged.maximumPercent as number;
  if (min < 0 || min > 100) throw invalidParameter("minimumHealthyPercent must be between 0 and 100.");
  if (daemon && max !== 100) {
    throw invalidParameter("The maximumPercent of a service using the DAEMON scheduling strategy must be 100.");
  }
  if (max < 100 || max <= min) {
    throw invalidParameter("maximumPercent must be at least 100 and greater than minimumHealthyPercent.");
  }
  if (merged.alarms?.enable) throw invalidParameter("Deployment alarms are not supported by Berth.");
  if (merged.strategy && merged.strategy !== "ROLLING") {
    throw invalidParameter(`Deployment strategy ${merged.strategy} is not supported by Berth; use ROLLING.`);
  }
  return merged;
}

export function validateServicePlacement(
  strategy: SchedulingStrategy,
  constraints: PlacementConstraint[] | undefined,
  strategies: PlacementStrategy[] | undefined,
  taskDefinition?: TaskDefinitionRecord,
) {
  if (strategy === "DAEMON" && strategies?.length) {
    throw invalidParameter("Placement strategies are not supported for services with the DAEMON scheduling strategy.");
  }
  const fromDefinition = (taskDefinition?.taskDefinition.placementConstraints ?? []) as PlacementConstraint[];
  validatePlacement([...(constraints ?? []), ...fromDefinition], strategies ?? []);
}

/** Features of the ECS API that a service may ask for and Berth does not have. */
export function refuseUnsupported(input: {
  launchType?: string;
  serviceRegistries?: unknown[];
  serviceConnectConfiguration?: unknown;
  volumeConfigurations?: unknown[];
  vpcLatticeConfigurations?: unknown[];
  deploymentController?: { type?: string };
}) {
  if (input.launchType && input.launchType !== "EC2") {
    throw invalidParameter(
      `Launch type ${input.launchType} is not supported: Berth runs tasks on the EC2 launch type.`,
    );
  }
  if (input.deploymentController?.type === "CODE_DEPLOY") {
    throw invalidParameter(
      "The CODE_DEPLOY deployment controller is not supported: Berth has no CodeDeploy. Use the ECS deployment controller, or EXTERNAL with task sets (CreateTaskSet).",
    );
  }
  const unsupported: [string, boolean][] = [
    ["serviceRegistries", !!input.serviceRegistries?.length],
    ["serviceConnectConfiguration", !!input.serviceConnectConfiguration],
    ["volumeConfigurations", !!input.volumeConfigurations?.length],
    ["vpcLatticeConfigurations", !!input.vpcLatticeConfigurations?.length],
  ];
  for (const [parameter, asked] of unsupported) {
    if (asked) throw invalidParameter(`${parameter} is not supported by Berth.`);
  }
}
