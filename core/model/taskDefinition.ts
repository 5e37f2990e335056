import type {
  Attribute,
  Compatibility,
  ContainerDefinition,
  RegisterTaskDefinitionRequest,
  TaskDefinition,
  Volume,
} from "@aws-sdk/client-ecs";

/** What registration decides beyond the request: identity, normalised size, launch types. */
export interface Registration {
  taskDefinitionArn: string;
  revision: number;
  /** Task size in CPU units and MiB (ECS turns "1 vCPU" and "2 GB" into these). */
  cpu?: number;
  memory?: number;
  compatibilities: Compatibility[];
  registeredAt: Date;
  registeredBy: string;
}

/**
 * A registered task definition as ECS returns it: the request's members, ECS's defaults filled
 * in where ECS shows them (`cpu: 0`, `essential: true`, empty `environment`, `mountPoints`,
 * `volumesFrom`, `portMappings`; tcp and fixed host ports on port mappings; health check
 * timings; an EFS volume's `rootDirectory`), plus what ECS derives. `networkMode` stays absent when the request has none, as on
 * ECS (Docker's default, bridge, applies).
 */
export function newTaskDefinition(td: RegisterTaskDefinitionRequest, r: Registration): TaskDefinition {
  const mode = td.networkMode ?? "bridge";
  const requiresAttributes = requiredAttributes(td);
  return {
    taskDefinitionArn: r.taskDefinitionArn,
    containerDefinitions: (td.containerDefinitions ?? []).map((c) => withDefaults(c, mode)),
    family: td.family,
    taskRoleArn: td.taskRoleArn,
    executionRoleArn: td.executionRoleArn,
    networkMode: td.networkMode,
    revision: r.revision,
    volumes: (td.volumes ?? []).map(withVolumeDefaults),
    status: "ACTIVE",
    requiresAttributes: requiresAttributes.length ? requiresAttributes : undefined,
    placementConstraints: td.placementConstraints ?? [],
    compatibilities: r.compatibilities,
    runtimePlatform: td.runtimePlatform,
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: r.cpu === undefined ? undefined : String(r.cpu),
    memory: r.memory === undefined ? undefined : String(r.memory),
    inferenceAccelerators: td.inferenceAccelerators,
    pidMode: td.pidMode,
    ipcMode: td.ipcMode,
    proxyConfiguration: td.proxyConfiguration,
    ephemeralStorage: td.ephemeralStorage,
    enableFaultInjection: td.enableFaultInjection,
    registeredAt: r.registeredAt,
    registeredBy: r.registeredBy,
  };
}

/** An EFS volume without a root directory mounts the file system's root, which AWS shows as "/". */
function withVolumeDefaults(volume: Volume): Volume {
  const efs = volume.efsVolumeConfiguration;
  if (!efs || efs.rootDirectory !== undefined) return volume;
  return { ...volume, efsVolumeConfiguration: { ...efs, rootDirectory: "/" } };
}

function withDefaults(c: ContainerDefinition, mode: string): ContainerDefinition {
  // In host and awsvpc mode a container port is bound on the host (or ENI) as is.
  const fixedHostPort = mode === "host" || mode === "awsvpc";
  return {
    ...c,
    cpu: c.cpu ?? 0,
    portMappings: (c.portMappings ?? []).map((p) => ({
      ...p,
      ...(fixedHostPort && p.containerPort !== undefined && { hostPort: p.containerPort }),
      protocol: p.protocol ?? "tcp",
    })),
    essential: c.essential ?? true,
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    ...(c.healthCheck && { healthCheck: { interval: 30, timeout: 5, retries: 3, ...c.healthCheck } }),
  };
}

const CAPABILITY = "com.amazonaws.ecs.capability.";
const ATTRIBUTE = "ecs.capability.";

/**
 * The container instance attributes a task of this definition needs, named as the ECS agent
 * advertises them (placement rejects instances lacking one). A subset of what ECS derives: the
 * features whose attribute the agent reports by name.
 */
function requiredAttributes(td: RegisterTaskDefinitionRequest): Attribute[] {
  const names = new Set<string>();
  if (td.taskRoleArn) names.add(`${CAPABILITY}task-iam-role`);
  if (td.networkMode === "awsvpc") names.add(`${ATTRIBUTE}task-eni`);
  for (const c of td.containerDefinitions ?? []) {
    const driver = c.logConfiguration?.logDriver;
    if (driver) names.add(`${CAPABILITY}logging-driver.${driver}`);
    // Log configuration, labels and ulimits came with Docker Remote API 1.18, memory reservations with 1.21.
    if (driver || c.dockerLabels || c.ulimits?.length) names.add(`${CAPABILITY}docker-remote-api.1.18`);
    if (driver === "awslogs") names.add(`${CAPABILITY}docker-remote-api.1.19`);
    if (driver === "awslogs" && td.executionRoleArn) names.add(`${ATTRIBUTE}execution-role-awslogs`);
    if (c.memoryReservation !== undefined) names.add(`${CAPABILITY}docker-remote-api.1.21`);
    if (c.privileged) names.add(`${CAPABILITY}privileged-container`);
    if (c.healthCheck) names.add(`${ATTRIBUTE}container-health-check`);
    if (c.dependsOn?.length) names.add(`${ATTRIBUTE}container-ordering`);
    for (const secret of c.secrets ?? []) {
      const store = secret.valueFrom?.includes(":secretsmanager:") ? "asm" : "ssm";
      names.add(`${ATTRIBUTE}secrets.${store}.environment-variables`);
    }
  }
  return [...names].map((name) => ({ name }));
}
