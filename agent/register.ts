import { arch } from "node:os";
import {
  type Attribute,
  RegisterContainerInstanceCommand,
  type RegisterContainerInstanceRequest,
} from "@aws-sdk/client-ecs";
import pkg from "../package.json" with { type: "json" };
import type { AgentConfig } from "./config.ts";
import type { ControlPlane } from "./controlPlane.ts";
import { fetchInstanceIdentity, type InstanceIdentity } from "./imds.ts";
import { describeError, type Logger } from "./log.ts";
import type { RuntimeInfo } from "./runtime/types.ts";

/** The package's version, imported rather than read from disk so that the one-file bundle carries it. */
export const AGENT_VERSION: string = pkg.version;

const CAPABILITY = "com.amazonaws.ecs.capability.";
/** The attribute that names an instance's Auto Scaling group (the control plane's AUTOSCALING_GROUP_ATTRIBUTE). */
const AUTOSCALING_GROUP_ATTRIBUTE = "berth.autoscaling-group";
const ATTRIBUTE = "ecs.capability.";

/**
 * The capabilities placement matches against task definitions' `requiresAttributes` (see
 * core/model/taskDefinition.ts), limited to what Berth's engine does: json-file and none logs,
 * labels, ulimits and memory reservations (Docker API 1.17–1.21, which every supported Docker
 * speaks), health checks, dependsOn ordering, SSM secrets as environment variables. Task IAM
 * roles, awsvpc, awslogs and Secrets Manager are not advertised, so such tasks are not placed here.
 */
export const CAPABILITY_ATTRIBUTES: string[] = [
  `${CAPABILITY}logging-driver.json-file`,
  `${CAPABILITY}logging-driver.none`,
  ...["17", "18", "19", "20", "21"].map((minor) => `${CAPABILITY}docker-remote-api.1.${minor}`),
  `${ATTRIBUTE}container-health-check`,
  `${ATTRIBUTE}container-ordering`,
  `${ATTRIBUTE}secrets.ssm.environment-variables`,
];

/** The RegisterContainerInstance request for this host (pure, so it is tested as data). */
export function registrationRequest(
  config: AgentConfig,
  host: RuntimeInfo,
  containerInstanceArn?: string,
  identity?: InstanceIdentity,
): RegisterContainerInstanceRequest {
  const ports = (list: number[]) => [...new Set(list)].map(String);
  const attributes: Attribute[] = [
    { name: "ecs.os-type", value: "linux" },
    { name: "ecs.cpu-architecture", value: ecsArchitecture(arch()) },
    ...CAPABILITY_ATTRIBUTES.map((name) => ({ name })),
    // A capacity provider's tasks go to its group's instances (core/model/capacityProvider.ts); configured attributes win.
    ...(identity?.autoScalingGroup && !(AUTOSCALING_GROUP_ATTRIBUTE in config.instanceAttributes)
      ? [{ name: AUTOSCALING_GROUP_ATTRIBUTE, value: identity.autoScalingGroup }]
      : []),
    ...Object.entries(config.instanceAttributes).map(([name, value]) => ({ name, value })),
  ];
  return {
    cluster: config.cluster,
    containerInstanceArn,
    instanceIdentityDocument: identity?.document,
    instanceIdentityDocumentSignature: identity?.signature,
    totalResources: [
      { name: "CPU", type: "INTEGER", integerValue: host.cpus * 1024 },
      { name: "MEMORY", type: "INTEGER", integerValue: Math.max(0, host.memoryMiB - config.reservedMemoryMiB) },
      { name: "PORTS", type: "STRINGSET", stringSetValue: ports(config.reservedPorts) },
      { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: ports(config.reservedPortsUdp) },
    ],
    versionInfo: {
      agentVersion: AGENT_VERSION,
      agentHash: "berth",
      dockerVersion: `DockerVersion: ${host.dockerVersion}`,
    },
    attributes,
  };
}

/** ECS's names for CPU architectures (those of the EC2 identity document). */
const ecsArchitecture = (nodeArch: string) => ({ x64: "x86_64", arm64: "arm64" })[nodeArch] ?? nodeArch;

/**
 * Registers this host, renewing `previousArn` when there is one. An instance deregistered
 * meanwhile cannot be renewed (deregistration is final in ECS): then it registers as a new one,
 * and says so, since the old instance's tasks are no longer this agent's.
 */
export async function registerInstance(
  cp: ControlPlane,
  config: AgentConfig,
  host: RuntimeInfo,
  previousArn: string | undefined,
  log: Logger,
): Promise<string> {
  const identity = config.enableImds ? await instanceIdentity(config.imdsEndpoint, log) : undefined;
  const send = (arn: string | undefined) =>
    cp.ecs.send(new RegisterContainerInstanceCommand(registrationRequest(config, host, arn, identity)));
  let response: Awaited<ReturnType<typeof send>>;
  try {
    response = await send(previousArn);
  } catch (error) {
    if (!previousArn || (error as Error).name !== "ClientException") throw error;
    log.warn(
      `${previousArn} can no longer be renewed (${describeError(error)}); registering as a new container instance.`,
    );
    response = await send(undefined);
  }
  const arn = response.containerInstance?.containerInstanceArn;
  if (!arn) throw new Error("RegisterContainerInstance answered without a containerInstanceArn.");
  return arn;
}

async function instanceIdentity(endpoint: string, log: Logger): Promise<InstanceIdentity | undefined> {
  try {
    return await fetchInstanceIdentity(endpoint);
  } catch (error) {
    log.warn(
      `ECS_ENABLE_IMDS is set but the instance identity document could not be read (${describeError(error)}); registering without one. Unset ECS_ENABLE_IMDS off EC2.`,
    );
    return undefined;
  }
}
