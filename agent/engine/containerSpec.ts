import type { ContainerDefinition, HealthCheck, Task, TaskDefinition, Volume } from "@aws-sdk/client-ecs";
import type { HostConfig } from "dockerode";
import type { CreateSpec } from "../runtime/types.ts";
import { dockerName, ecsLabels, volumeName } from "./naming.ts";

/**
 * A task definition's container as Docker's create body: a pure function of the task, its
 * definition and the values resolved for it (secrets), so what Docker receives is unit-tested.
 */
export interface SpecOptions {
  cluster: string;
  /** secrets[].name → resolved value. */
  secrets?: Record<string, string>;
}

const MIB = 1024 * 1024;
const SECOND_NS = 1_000_000_000;
/** The ECS agent's Linux floors: Docker reads 0 CPU shares as 1024, and Linux rejects 1 (task_linux.go dockerCPUShares). */
const MIN_CPU_SHARES = 2;
/** api/container/container_linux.go DockerContainerMinimumMemoryInBytes. */
const MIN_MEMORY_BYTES = 4 * MIB;

export class UnsupportedTaskError extends Error {}

export function containerSpec(
  task: Task,
  taskDefinition: TaskDefinition,
  container: ContainerDefinition,
  options: SpecOptions,
): CreateSpec {
  const name = container.name ?? "";
  const override = task.overrides?.containerOverrides?.find((o) => o.name === name);
  const networkMode = taskDefinition.networkMode ?? "bridge";
  if (networkMode === "awsvpc") {
    throw new UnsupportedTaskError("networkMode awsvpc is not supported by Berth's agent (use bridge or host)");
  }
  const bridge = networkMode === "bridge";
  const cpu = override?.cpu ?? container.cpu ?? 0;
  const memory = override?.memory ?? container.memory;
  const memoryReservation = override?.memoryReservation ?? container.memoryReservation;
  const ports = container.portMappings ?? [];
  const portKey = (p: (typeof ports)[number]) => `${p.containerPort}/${p.protocol ?? "tcp"}`;

  const hostConfig: HostConfig = {
    NetworkMode: networkMode,
    CpuShares: cpu <= 1 ? MIN_CPU_SHARES : cpu,
    Memory: memory ? Math.max(memory * MIB, MIN_MEMORY_BYTES) : undefined,
    MemoryReservation: memoryReservation ? memoryReservation * MIB : undefined,
    // Bridge mode publishes each mapping; an empty HostPort lets Docker pick an ephemeral port (dynamic mapping).
    PortBindings: bridge
      ? Object.fromEntries(ports.map((p) => [portKey(p), [{ HostPort: p.hostPort ? String(p.hostPort) : "" }]]))
      : undefined,
    Links: bridge ? container.links?.map((link) => linkTo(task, taskDefinition, link)) : undefined,
    Binds: binds(task, taskDefinition, container),
    VolumesFrom: container.volumesFrom?.map(
      (v) => `${dockerName(task, taskDefinition, v.sourceContainer ?? "")}${v.readOnly ? ":ro" : ""}`,
    ),
    Ulimits: container.ulimits?.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit })),
    LogConfig: container.logConfiguration
      ? { Type: container.logConfiguration.logDriver ?? "json-file", Config: container.logConfiguration.options ?? {} }
      : undefined,
    Privileged: container.privileged,
    ReadonlyRootfs: container.readonlyRootFilesystem,
    ExtraHosts: container.extraHosts?.map((h) => `${h.hostname}:${h.ipAddress}`),
    Dns: container.dnsServers,
    DnsSearch: container.dnsSearchDomains,
    SecurityOpt: container.dockerSecurityOptions,
    Sysctls: container.systemControls
      ? Object.fromEntries(container.systemControls.map((s) => [s.namespace ?? "", s.value ?? ""]))
      : undefined,
    CapAdd: container.linuxParameters?.capabilities?.add,
    CapDrop: container.linuxParameters?.capabilities?.drop,
    Init: container.linuxParameters?.initProcessEnabled,
    ShmSize: container.linuxParameters?.sharedMemorySize ? container.linuxParameters.sharedMemorySize * MIB : undefined,
    PidMode: taskDefinition.pidMode,
    IpcMode: taskDefinition.ipcMode,
  };

  return prune({
    name: dockerName(task, taskDefinition, name),
    Image: container.image ?? "",
    Cmd: override?.command ?? container.command,
    Entrypoint: container.entryPoint,
    Env: environment(container, override?.environment, options.secrets),
    WorkingDir: container.workingDirectory,
    User: container.user,
    Hostname: bridge ? container.hostname : undefined,
    ExposedPorts: ports.length ? Object.fromEntries(ports.map((p) => [portKey(p), {}])) : undefined,
    // ECS's labels last: a dockerLabel may not impersonate another task.
    Labels: { ...container.dockerLabels, ...ecsLabels(task, taskDefinition, name, options.cluster) },
    Healthcheck: container.healthCheck ? healthcheck(container.healthCheck) : undefined,
    StopTimeout: container.stopTimeout,
    NetworkDisabled: container.disableNetworking,
    Tty: container.pseudoTerminal,
    OpenStdin: container.interactive,
    HostConfig: prune(hostConfig),
  });
}

/** `name:alias` — Docker links by container name, so the alias points at the linked container's deterministic name. */
function linkTo(task: Task, taskDefinition: TaskDefinition, link: string) {
  const [target, alias = target] = link.split(":");
  return `${dockerName(task, taskDefinition, target)}:${alias}`;
}

/** Environment, then the task's overrides, then secrets (which win, being the most specific). */
function environment(
  container: ContainerDefinition,
  overrides: { name?: string; value?: string }[] | undefined,
  secrets: Record<string, string> = {},
) {
  const env = new Map<string, string>();
  for (const { name, value } of [...(container.environment ?? []), ...(overrides ?? [])]) {
    if (name) env.set(name, value ?? "");
  }
  for (const [name, value] of Object.entries(secrets)) env.set(name, value);
  return env.size ? [...env].map(([k, v]) => `${k}=${v}`) : undefined;
}

/**
 * mountPoints: a volume with a host sourcePath is a bind mount; one without is a Docker volume,
 * named per task unless it is a shared dockerVolumeConfiguration (then it keeps its own name).
 */
function binds(task: Task, taskDefinition: TaskDefinition, container: ContainerDefinition) {
  return container.mountPoints?.map((m) => {
    const volume = taskDefinition.volumes?.find((v) => v.name === m.sourceVolume);
    if (!volume) throw new UnsupportedTaskError(`mount point ${m.containerPath}: no volume named ${m.sourceVolume}`);
    const source =
      volume.host?.sourcePath ??
      (isTaskScoped(volume) ? volumeName(task, taskDefinition, volume.name ?? "") : (volume.name ?? ""));
    return `${source}:${m.containerPath}${m.readOnly ? ":ro" : ""}`;
  });
}

/** A Docker volume of the task's own (no host path, not a shared dockerVolumeConfiguration). */
const isTaskScoped = (volume: Volume) =>
  !volume.host?.sourcePath && volume.dockerVolumeConfiguration?.scope !== "shared";

/**
 * The Docker volumes that live and die with the task, as on ECS ("task" scope, or a volume with no
 * host path): created by Docker at the first container's create, removed with the containers.
 */
export const taskScopedVolumes = (task: Task, taskDefinition: TaskDefinition): string[] =>
  (taskDefinition.volumes ?? []).filter(isTaskScoped).map((v) => volumeName(task, taskDefinition, v.name ?? ""));

/** ECS's defaults (interval 30 s, timeout 5 s, retries 3), in Docker's nanoseconds. */
function healthcheck(h: HealthCheck) {
  return {
    Test: h.command,
    Interval: (h.interval ?? 30) * SECOND_NS,
    Timeout: (h.timeout ?? 5) * SECOND_NS,
    Retries: h.retries ?? 3,
    StartPeriod: (h.startPeriod ?? 0) * SECOND_NS,
  };
}

/** Drop undefined fields, so the spec says only what the task definition says. */
function prune<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
