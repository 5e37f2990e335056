import type { Compatibility, ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { clientException } from "../protocol/errors.ts";

/**
 * The checks ECS makes on RegisterTaskDefinition beyond the model's types, required members,
 * enums and lengths (core/protocol/validate.ts has done those by now). Each failure is the
 * ClientException ECS answers with, using ECS's own message where it is known.
 */

/** Families, container and volume names: up to 255 letters, numbers, hyphens and underscores. */
const NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_CONTAINERS = 10;
const MAX_PLACEMENT_CONSTRAINTS = 10;
/** ECS's limit on a task definition: 64 KiB of JSON. */
const MAX_BYTES = 65536;

/** Task-level size, normalised: CPU units and MiB. */
export interface TaskSize {
  cpu?: number;
  memory?: number;
}

/** Checks a registration; returns the task size in CPU units and MiB, as ECS stores it. */
export function validateTaskDefinition(td: RegisterTaskDefinitionRequest): TaskSize {
  const { tags: _tags, ...definition } = td;
  const bytes = Buffer.byteLength(JSON.stringify(definition));
  if (bytes > MAX_BYTES) {
    throw clientException(`Actual length: '${bytes}'. Max allowed length is '${MAX_BYTES}' bytes.`);
  }
  if (!NAME.test(td.family ?? "")) {
    throw clientException(
      "Family can have up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.",
    );
  }
  const containers = td.containerDefinitions ?? [];
  if (containers.length === 0) throw clientException("Container list cannot be empty.");
  if (containers.length > MAX_CONTAINERS) throw clientException("Too many containers.");
  if (!containers.some((c) => c.essential ?? true)) {
    throw clientException("At least one essential container is required.");
  }

  const size = taskSize(td);
  const task: Task = {
    mode: td.networkMode ?? "bridge",
    containers: new Map(containers.map((c) => [c.name as string, c])),
    volumes: volumeNames(td),
    size,
  };
  uniqueContainerNames(containers);
  for (const container of containers) checkContainer(container, task);
  checkHostPorts(containers, task.mode);
  checkDependencyCycles(containers);
  checkResources(containers, size);
  checkPlacementConstraints(td);
  const problems = incompatibilities(td, size);
  for (const launchType of td.requiresCompatibilities ?? []) {
    const problem = problems[launchType];
    if (problem) throw clientException(problem);
  }
  return size;
}

interface Task {
  mode: string;
  containers: Map<string, ContainerDefinition>;
  volumes: Set<string>;
  size: TaskSize;
}

/**
 * Why a task definition cannot run on a launch type, for those it cannot run on. ECS lists the
 * others in `compatibilities`; registering with one of these in `requiresCompatibilities` fails
 * with the reason. EC2 takes every valid task definition; MANAGED_INSTANCES is not checked.
 */
export function incompatibilities(
  td: RegisterTaskDefinitionRequest,
  size: TaskSize,
): Partial<Record<Compatibility, string>> {
  const mode = td.networkMode ?? "bridge";
  const fargate = () => {
    if (mode !== "awsvpc") return "Fargate only supports network mode ‘awsvpc’.";
    if (size.cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
    if (size.memory === undefined) return "Fargate requires that 'memory' be defined at the task level.";
    if (!fargateSizes(size.cpu).includes(size.memory)) {
      return `No Fargate configuration exists for given values: ${size.cpu} CPU, ${size.memory} memory. See the Amazon ECS documentation for the valid values.`;
    }
    if (td.volumes?.some((v) => v.host?.sourcePath)) {
      return "Fargate compatible task definitions do not support sourcePath";
    }
    if (td.ipcMode) return "Tasks using the Fargate launch type do not support ipcMode.";
    if (td.pidMode === "host") {
      return "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.";
    }
    return undefined;
  };
  const problems: Partial<Record<Compatibility, string>> = { FARGATE: fargate() };
  // External instances run the ECS agent without task ENIs.
  if (mode === "awsvpc") {
    problems.EXTERNAL = "Tasks using the External launch type do not support network mode 'awsvpc'.";
  }
  return problems;
}

/** The task memory sizes (MiB) Fargate offers with a task cpu, from ECS's task size table. */
function fargateSizes(cpu: number): number[] {
  const gb = (from: number, to: number, step = 1) =>
    Array.from({ length: (to - from) / step + 1 }, (_, i) => (from + i * step) * 1024);
  const table: Record<number, number[]> = {
    256: [512, 1024, 2048],
    512: gb(1, 4),
    1024: gb(2, 8),
    2048: gb(4, 16),
    4096: gb(8, 30),
    8192: gb(16, 60, 4),
    16384: gb(32, 120, 8),
  };
  return table[cpu] ?? [];
}

/** `"1024"` or `"1 vCPU"` → 1024 CPU units; undefined when it is neither. */
export function parseTaskCpu(value: string): number | undefined {
  if (/^\d+$/.test(value.trim())) return Number(value);
  const vcpu = /^(\d+(?:\.\d+)?)\s*vcpu$/i.exec(value.trim());
  return vcpu ? Math.round(Number(vcpu[1]) * 1024) : undefined;
}

/** `"2048"` (MiB) or `"2 GB"` → 2048 MiB; undefined when it is neither. */
export function parseTaskMemory(value: string): number | undefined {
  if (/^\d+$/.test(value.trim())) return Number(value);
  const gb = /^(\d+(?:\.\d+)?)\s*gb$/i.exec(value.trim());
  return gb ? Math.round(Number(gb[1]) * 1024) : undefined;
}

/** The task-level cpu and memory of a registration (or of RunTask's overrides), checked and parsed. */
export function taskSize(td: Pick<RegisterTaskDefinitionRequest, "cpu" | "memory">): TaskSize {
  const invalid = (what: string) =>
    clientException(
      `Invalid '${what}' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
    );
  const cpu = td.cpu === undefined ? undefined : parseTaskCpu(td.cpu);
  // ECS: "Supported values are between 128 CPU units (0.125 vCPUs) and 196608 CPU units (192 vCPUs)."
  if (td.cpu !== undefined && (cpu === undefined || cpu < 128 || cpu > 196608)) throw invalid("cpu");
  const memory = td.memory === undefined ? undefined : parseTaskMemory(td.memory);
  if (td.memory !== undefined && (memory === undefined || memory < 1)) throw invalid("memory");
  return { cpu, memory };
}

function volumeNames(td: RegisterTaskDefinitionRequest): Set<string> {
  const names = new Set<string>();
  for (const volume of td.volumes ?? []) {
    if (!NAME.test(volume.name ?? "")) {
      throw clientException(
        "Volume name can have up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.",
      );
    }
    if (names.has(volume.name as string)) throw clientException(`Duplicate volume name '${volume.name}'.`);
    names.add(volume.name as string);
  }
  return names;
}

function uniqueContainerNames(containers: ContainerDefinition[]) {
  const seen = new Set<string>();
  for (const { name } of containers) {
    if (name !== undefined && seen.has(name)) throw clientException(`Duplicate container name '${name}'.`);
    seen.add(name as string);
  }
}

function checkContainer(c: ContainerDefinition, task: Task) {
  if (!c.name) throw clientException("Container.name should not be null or empty.");
  if (!NAME.test(c.name)) {
    throw clientException(
      `Invalid container name '${c.name}'. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`,
    );
  }
  if (!c.image?.trim()) throw clientException("Container.image should not be null or empty.");
  const invalid = (setting: string, why = "") =>
    clientException(`Invalid '${setting}' setting for container '${c.name}'.${why && ` ${why}`}`);
  const inTask = (name: string) => `Container '${name}' is not a container of this task definition.`;

  if (c.cpu !== undefined && c.cpu < 0) throw invalid("cpu");
  if (c.memory !== undefined && c.memory < 1) throw invalid("memory");
  if (c.memoryReservation !== undefined && c.memoryReservation < 1) throw invalid("memoryReservation");
  if (c.memory === undefined && c.memoryReservation === undefined && task.size.memory === undefined) {
    throw clientException(
      `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
    );
  }
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    throw invalid("memoryReservation", "'memoryReservation' must be less than or equal to 'memory'.");
  }

  if (c.links?.length && task.mode !== "bridge") {
    throw clientException(`Links are not supported when networkMode=${task.mode}.`);
  }
  for (const link of c.links ?? []) {
    const target = link.split(":")[0];
    if (target === c.name || !task.containers.has(target)) throw invalid("links", inTask(target));
  }
  if (c.hostname && task.mode === "awsvpc") {
    throw clientException("hostname is not supported on container when networkMode=awsvpc.");
  }
  if (c.portMappings?.length && task.mode === "none") {
    throw clientException("Port mappings are not supported when networkMode=none.");
  }
  for (const p of c.portMappings ?? []) checkPortMapping(p, c.name, task.mode);

  for (const variable of c.environment ?? []) {
    if (!variable.name) throw invalid("environment", "Environment variable names must not be empty.");
  }
  for (const secret of c.secrets ?? []) {
    if (!secret.name || !secret.valueFrom) throw invalid("secrets", "Each secret needs a 'name' and a 'valueFrom'.");
  }
  for (const mount of c.mountPoints ?? []) {
    if (!mount.sourceVolume || !task.volumes.has(mount.sourceVolume)) {
      throw clientException(`Unknown volume '${mount.sourceVolume}'.`);
    }
    if (!mount.containerPath) throw invalid("mountPoints", "'containerPath' must be specified.");
  }
  for (const from of c.volumesFrom ?? []) {
    const source = from.sourceContainer ?? "";
    if (source === c.name || !task.containers.has(source)) throw invalid("volumesFrom", inTask(source));
  }
  if (c.healthCheck) checkHealthCheck(c.healthCheck, invalid);

  for (const dependency of c.dependsOn ?? []) {
    const target = task.containers.get(dependency.containerName ?? "");
    if (!target || target === c) throw invalid("dependsOn", inTask(dependency.containerName ?? ""));
    if ((dependency.condition === "COMPLETE" || dependency.condition === "SUCCESS") && (target.essential ?? true)) {
      throw clientException(
        "A dependency container with SUCCESS or COMPLETE condition cannot be an essential container",
      );
    }
    if (dependency.condition === "HEALTHY" && !target.healthCheck) {
      throw invalid("dependsOn", `Container '${target.name}' has no healthCheck, which the HEALTHY condition needs.`);
    }
  }
}

type PortMapping = NonNullable<ContainerDefinition["portMappings"]>[number];

function checkPortMapping(p: PortMapping, container: string, mode: string) {
  const invalid = (setting: string) => clientException(`Invalid '${setting}' setting for container '${container}'.`);
  const isPort = (n: number | undefined) => n !== undefined && Number.isInteger(n) && n >= 1 && n <= 65535;
  if (p.containerPortRange !== undefined) {
    const range = /^(\d+)-(\d+)$/.exec(p.containerPortRange);
    const [first, last] = range ? [Number(range[1]), Number(range[2])] : [0, 0];
    if (!isPort(first) || !isPort(last) || first >= last) throw invalid("containerPortRange");
    if (p.containerPort !== undefined || p.hostPort !== undefined) throw invalid("containerPortRange");
    if (mode !== "bridge" && mode !== "awsvpc") throw invalid("containerPortRange");
    return;
  }
  if (!isPort(p.containerPort)) throw invalid("containerPort");
  if (p.hostPort !== undefined && p.hostPort !== 0 && !isPort(p.hostPort)) throw invalid("hostPort");
  if ((mode === "awsvpc" || mode === "host") && p.hostPort !== undefined && p.hostPort !== p.containerPort) {
    throw clientException(`When networkMode=${mode}, the host ports and container ports in port mappings must match.`);
  }
}

/** Two mappings of one task may not claim the same host port and protocol. */
function checkHostPorts(containers: ContainerDefinition[], mode: string) {
  const claimed = new Map<string, string>();
  for (const c of containers) {
    for (const p of c.portMappings ?? []) {
      // In host and awsvpc mode the container port is the host port; in bridge mode only a fixed one claims it.
      const port = mode === "bridge" ? p.hostPort : p.containerPort;
      if (!port) continue;
      const key = `${port}/${p.protocol ?? "tcp"}`;
      const owner = claimed.get(key);
      if (owner !== undefined) {
        throw clientException(
          `Invalid 'hostPort' setting for container '${c.name}'. Host port ${key} is already used by container '${owner}'.`,
        );
      }
      claimed.set(key, c.name as string);
    }
  }
}

function checkHealthCheck(
  check: NonNullable<ContainerDefinition["healthCheck"]>,
  invalid: (setting: string, why: string) => Error,
) {
  const [kind] = check.command ?? [];
  if ((kind !== "CMD" && kind !== "CMD-SHELL") || (check.command?.length ?? 0) < 2) {
    throw invalid("healthCheck", "The command must start with CMD or CMD-SHELL and name what to run.");
  }
  // ECS's documented bounds, in seconds (retries: a count).
  const bounds = { interval: [5, 300], timeout: [2, 60], retries: [1, 10], startPeriod: [0, 300] } as const;
  for (const [field, [min, max]] of Object.entries(bounds)) {
    const value = check[field as keyof typeof bounds];
    if (value !== undefined && (value < min || value > max)) {
      throw invalid("healthCheck", `'${field}' must be between ${min} and ${max}.`);
    }
  }
}

/** dependsOn must not loop: a container would wait for itself. */
function checkDependencyCycles(containers: ContainerDefinition[]) {
  const edges = new Map(containers.map((c) => [c.name, (c.dependsOn ?? []).map((d) => d.containerName)]));
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    if (path.includes(name)) {
      throw clientException(
        `Circular container dependency: ${[...path.slice(path.indexOf(name)), name].join(" -> ")}.`,
      );
    }
    if (done.has(name)) return;
    for (const next of edges.get(name) ?? []) if (next) visit(next, [...path, name]);
    done.add(name);
  };
  for (const c of containers) visit(c.name as string, []);
}

/** Container reservations must fit in the task's size when the task has one. */
function checkResources(containers: ContainerDefinition[], size: TaskSize) {
  const sum = (f: (c: ContainerDefinition) => number | undefined) =>
    containers.reduce((total, c) => total + (f(c) ?? 0), 0);
  if (size.cpu !== undefined && sum((c) => c.cpu) > size.cpu) {
    throw clientException("The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.");
  }
  if (size.memory === undefined) return;
  const over = containers.find((c) => (c.memory ?? 0) > (size.memory as number));
  if (over) throw clientException(`The 'memory' setting for container '${over.name}' is greater than for the task.`);
  if (sum((c) => c.memoryReservation ?? c.memory) > size.memory) {
    const field = containers.some((c) => c.memoryReservation !== undefined) ? "memoryReservation" : "memory";
    throw clientException(
      `The sum of all container '${field}' values cannot be greater than the value of the task 'memory'.`,
    );
  }
}

function checkPlacementConstraints(td: RegisterTaskDefinitionRequest) {
  const constraints = td.placementConstraints ?? [];
  if (constraints.length > MAX_PLACEMENT_CONSTRAINTS) {
    throw clientException(`A task definition can have at most ${MAX_PLACEMENT_CONSTRAINTS} placement constraints.`);
  }
  for (const constraint of constraints) {
    // memberOf, the only type the model allows, needs an expression.
    if (constraint.type !== "memberOf" || !constraint.expression?.trim()) {
      throw clientException("Placement constraints of type memberOf must have an expression.");
    }
  }
}
