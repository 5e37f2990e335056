import type { NetworkBinding, TransportProtocol } from "@aws-sdk/client-ecs";
import {
  type ContainerRuntime,
  type CreateSpec,
  type HealthStatus,
  type ObservedContainer,
  RuntimeError,
  type RuntimeErrorCode,
  type RuntimeEvent,
} from "./types.ts";

/** One container as the fake keeps it: its create spec plus what a test made happen to it. */
export interface FakeContainer {
  id: string;
  name: string;
  spec: CreateSpec;
  state: ObservedContainer["state"];
  exitCode?: number;
  started: boolean;
  oomKilled: boolean;
  health?: HealthStatus;
  networkBindings: NetworkBinding[];
  /** The timeout of every stop call, in seconds. */
  stopTimeouts: number[];
}

export interface FakeCall {
  op: "pull" | "create" | "start" | "stop" | "remove" | "removeVolume";
  target: string;
}

/**
 * An in-memory ContainerRuntime for the engine's unit tests: deterministic ids and host ports,
 * events delivered on the microtask queue (as asynchronously as Docker's, but without timing),
 * and levers for a test to make a container exit, turn unhealthy, fail a pull or a create.
 */
export class FakeRuntime implements ContainerRuntime {
  readonly images = new Set<string>();
  readonly containers = new Map<string, FakeContainer>();
  readonly calls: FakeCall[] = [];
  /** image → the registry's error; images not listed here pull successfully. */
  readonly pullErrors = new Map<string, { code: RuntimeErrorCode; message: string }>();
  /** Volumes Docker refuses to remove (in use by a container it knows of). */
  readonly volumesInUse = new Set<string>();
  /** The exit code a stopped container reports (143: killed by SIGTERM). */
  stopExitCode = 143;
  private readonly failures = new Map<FakeCall["op"], string>();
  private readonly watchers = new Set<(event: RuntimeEvent) => void>();
  private nextId = 1;
  private nextPort = 32768;

  constructor(images: string[] = []) {
    for (const image of images) this.images.add(image);
  }

  // ---- levers for tests ----

  /** The next call of `op` fails with `message`. */
  failNext(op: FakeCall["op"], message: string) {
    this.failures.set(op, message);
  }

  /** The container's process exits with `code` (as if it ended on its own). */
  exit(nameOrId: string, code: number, options: { oomKilled?: boolean } = {}) {
    const c = this.find(nameOrId);
    if (c.state === "exited") return;
    Object.assign(c, { state: "exited", exitCode: code, oomKilled: !!options.oomKilled });
    this.emit({ type: "die", containerId: c.id, labels: c.spec.Labels ?? {} });
  }

  setHealth(nameOrId: string, health: HealthStatus) {
    const c = this.find(nameOrId);
    c.health = health;
    this.emit({ type: "health", containerId: c.id, labels: c.spec.Labels ?? {} });
  }

  /** As when dockerd goes away: watchers are told their event stream broke. */
  interrupt(message: string) {
    this.emit({ type: "interrupted", error: new RuntimeError("unreachable", message) });
  }

  /** As after a dockerd restart: watchers are told to re-read everything. */
  resync() {
    this.emit({ type: "resync" });
  }

  /** A container created behind the engine's back (e.g. by an earlier agent), already in `state`. */
  seed(spec: CreateSpec, state: ObservedContainer["state"] = "running", exitCode?: number): FakeContainer {
    const c = this.make(spec);
    Object.assign(c, { state, started: state !== "created", exitCode });
    return c;
  }

  byName(name: string): FakeContainer | undefined {
    return [...this.containers.values()].find((c) => c.name === name);
  }

  count(op: FakeCall["op"]) {
    return this.calls.filter((c) => c.op === op).length;
  }

  // ---- ContainerRuntime ----

  async imagePresent(image: string) {
    return this.images.has(image);
  }

  async pullImage(image: string) {
    this.record("pull", image);
    const error = this.pullErrors.get(image);
    if (error) throw new RuntimeError(error.code, error.message);
    this.images.add(image);
  }

  async createContainer(spec: CreateSpec) {
    this.record("create", spec.name);
    if (!this.images.has(spec.Image)) throw new RuntimeError("image-not-found", `No such image: ${spec.Image}`);
    if (this.byName(spec.name)) {
      throw new RuntimeError("conflict", `Conflict. The container name "/${spec.name}" is already in use`);
    }
    return this.make(spec).id;
  }

  async startContainer(id: string) {
    this.record("start", id);
    const c = this.find(id);
    if (c.state === "running") return;
    Object.assign(c, { state: "running", started: true, exitCode: undefined });
    if (c.spec.Healthcheck) c.health = "UNKNOWN";
    c.networkBindings = this.bind(c.spec);
    this.emit({ type: "start", containerId: c.id, labels: c.spec.Labels ?? {} });
  }

  async stopContainer(id: string, timeoutSeconds: number) {
    this.record("stop", id);
    const c = this.containers.get(id);
    if (!c) return;
    c.stopTimeouts.push(timeoutSeconds);
    if (c.state === "running") this.exit(id, this.stopExitCode);
  }

  async removeContainer(id: string) {
    this.record("remove", id);
    this.containers.delete(id);
  }

  async removeVolume(name: string) {
    this.record("removeVolume", name);
    if (this.volumesInUse.has(name)) throw new RuntimeError("conflict", `remove ${name}: volume is in use`);
  }

  async inspectContainer(idOrName: string) {
    const c = this.containers.get(idOrName) ?? this.byName(idOrName);
    return c && this.observe(c);
  }

  async listContainers(label: { key: string; value?: string }) {
    return [...this.containers.values()]
      .filter((c) => {
        const value = c.spec.Labels?.[label.key];
        return value !== undefined && (label.value === undefined || value === label.value);
      })
      .map((c) => this.observe(c));
  }

  watch(onEvent: (event: RuntimeEvent) => void) {
    this.watchers.add(onEvent);
    return { close: () => void this.watchers.delete(onEvent) };
  }

  async stats(id: string) {
    this.find(id);
    return { cpuPercent: 1.5, memoryMiB: 10 };
  }

  async info() {
    return { cpus: 2, memoryMiB: 4096, dockerVersion: "fake" };
  }

  // ---- internals ----

  private record(op: FakeCall["op"], target: string) {
    this.calls.push({ op, target });
    const failure = this.failures.get(op);
    if (failure === undefined) return;
    this.failures.delete(op);
    throw new RuntimeError("failed", failure);
  }

  private make(spec: CreateSpec): FakeContainer {
    const id = `fake${String(this.nextId++).padStart(8, "0")}`;
    const c: FakeContainer = {
      id,
      name: spec.name,
      spec,
      state: "created",
      started: false,
      oomKilled: false,
      networkBindings: [],
      stopTimeouts: [],
    };
    this.containers.set(id, c);
    return c;
  }

  private find(nameOrId: string): FakeContainer {
    const c = this.containers.get(nameOrId) ?? this.byName(nameOrId);
    if (!c) throw new RuntimeError("not-found", `No such container: ${nameOrId}`);
    return c;
  }

  /** Docker's port publishing: an empty HostPort gets the next free ephemeral port. */
  private bind(spec: CreateSpec): NetworkBinding[] {
    return Object.entries(spec.HostConfig?.PortBindings ?? {}).flatMap(([key, list]) => {
      const [port, protocol] = key.split("/");
      return (list as { HostPort?: string }[]).map((b) => ({
        bindIP: "0.0.0.0",
        containerPort: Number(port),
        hostPort: b.HostPort ? Number(b.HostPort) : this.nextPort++,
        protocol: protocol as TransportProtocol,
      }));
    });
  }

  private observe(c: FakeContainer): ObservedContainer {
    return {
      id: c.id,
      name: c.name,
      labels: c.spec.Labels ?? {},
      state: c.state,
      exitCode: c.exitCode,
      started: c.started,
      oomKilled: c.oomKilled,
      health: c.health,
      networkBindings: c.networkBindings,
    };
  }

  private emit(event: RuntimeEvent) {
    for (const watcher of this.watchers) queueMicrotask(() => watcher(event));
  }
}
