import type { NetworkBinding, TransportProtocol } from "@aws-sdk/client-ecs";
import type { ContainerInspectInfo, ContainerStats } from "dockerode";
import { type HealthStatus, type ObservedContainer, RuntimeError, type RuntimeErrorCode } from "./types.ts";

/** Pure translations from Docker's answers to the runtime's terms; kept apart so they can be read (and tested) alone. */

const HEALTH: Record<string, HealthStatus> = { healthy: "HEALTHY", unhealthy: "UNHEALTHY", starting: "UNKNOWN" };

/** Docker reports "0001-01-01T00:00:00Z" for a container that never started. */
const everStarted = (startedAt: string | undefined) => !!startedAt && !startedAt.startsWith("0001-");

export function observe(info: ContainerInspectInfo): ObservedContainer {
  const state = info.State;
  const status = state.Running || state.Restarting ? "running" : state.Status === "created" ? "created" : "exited";
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    labels: info.Config?.Labels ?? {},
    state: status,
    exitCode: status === "exited" ? state.ExitCode : undefined,
    started: everStarted(state.StartedAt),
    oomKilled: state.OOMKilled,
    health: state.Health ? (HEALTH[state.Health.Status] ?? "UNKNOWN") : undefined,
    networkBindings: bindings(info),
    error: state.Error || undefined,
  };
}

/**
 * The host ports Docker bound, as ECS reports them. In host network mode there are no bindings in
 * NetworkSettings: every exposed port is the host's own port, so it is reported as containerPort = hostPort.
 */
function bindings(info: ContainerInspectInfo): NetworkBinding[] {
  const out: NetworkBinding[] = [];
  const hostMode = info.HostConfig?.NetworkMode === "host";
  const ports = hostMode ? (info.Config?.ExposedPorts ?? {}) : (info.NetworkSettings?.Ports ?? {});
  for (const [key, bound] of Object.entries(ports)) {
    const [port, protocol = "tcp"] = key.split("/");
    const containerPort = Number(port);
    if (hostMode) {
      out.push({ bindIP: "0.0.0.0", containerPort, hostPort: containerPort, protocol: protocol as TransportProtocol });
      continue;
    }
    for (const b of (bound as { HostIp: string; HostPort: string }[] | null) ?? []) {
      out.push({
        bindIP: b.HostIp || "0.0.0.0",
        containerPort,
        hostPort: Number(b.HostPort),
        protocol: protocol as TransportProtocol,
      });
    }
  }
  return out;
}

/** CPU % as `docker stats` computes it (share of one CPU × online CPUs), memory without the page cache. */
export function usage(stats: ContainerStats): { cpuPercent: number; memoryMiB: number } {
  const cpuDelta = stats.cpu_stats.cpu_usage.total_usage - (stats.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (stats.cpu_stats.system_cpu_usage ?? 0) - (stats.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = stats.cpu_stats.online_cpus || stats.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  const cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const memStats = (stats.memory_stats?.stats ?? {}) as Record<string, number | undefined>;
  const cache = memStats.inactive_file ?? memStats.total_inactive_file ?? memStats.cache ?? 0;
  const used = Math.max(0, (stats.memory_stats?.usage ?? 0) - cache);
  return { cpuPercent: Math.round(cpuPercent * 100) / 100, memoryMiB: Math.round((used / 1048576) * 100) / 100 };
}

interface DockerodeError {
  statusCode?: number;
  json?: { message?: string } | null;
  message?: string;
}

/** Docker's message without dockerode's "(HTTP code 404) no such container - " prefix. */
export const dockerMessage = (error: unknown) => {
  const e = error as DockerodeError;
  return e?.json?.message ?? e?.message ?? String(error);
};

const PULL_NOT_FOUND = /not found|manifest unknown|pull access denied|repository does not exist|invalid reference/i;
const UNREACHABLE =
  /no such host|dial tcp|connection refused|timeout|i\/o timeout|network is unreachable|TLS handshake/i;

/** A pull error's kind: the image does not exist (or is not ours to read), the registry is unreachable, or other. */
export function classifyPull(message: string): RuntimeErrorCode {
  if (PULL_NOT_FOUND.test(message)) return "image-not-found";
  if (UNREACHABLE.test(message)) return "unreachable";
  return "failed";
}

/** Dockerode's HTTP errors as RuntimeErrors: 404 not-found, 409 conflict. */
export function classify(error: unknown): RuntimeError {
  if (error instanceof RuntimeError) return error;
  const status = (error as DockerodeError)?.statusCode;
  const code: RuntimeErrorCode = status === 404 ? "not-found" : status === 409 ? "conflict" : "failed";
  return new RuntimeError(code, dockerMessage(error));
}
