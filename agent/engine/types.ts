import type { NetworkBinding, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import type { HealthStatus } from "../runtime/types.ts";

/**
 * The boundary between the agent's shell (config, control-plane client, SQS wake-ups, heartbeats,
 * submission queue) and its task engine (what runs on Docker). The shell tells the engine the
 * whole desired state; the engine reports known states back. Neither knows how the other works.
 */

/** A task the control plane placed on this instance, as DescribeTasks shows it, with its definition. */
export interface DesiredTask {
  task: Task;
  taskDefinition: TaskDefinition;
}

export interface ContainerStateReport {
  containerName: string;
  /** PENDING | RUNNING | STOPPED */
  status: string;
  runtimeId?: string;
  exitCode?: number;
  reason?: string;
  networkBindings?: NetworkBinding[];
  /** Only for containers with a health check; sent through Berth's SubmitTaskHealthChange. */
  healthStatus?: HealthStatus;
  imageDigest?: string;
}

/** A change of a task's known status (or of one of its containers), to be sent to the control plane. */
export interface TaskStateReport {
  taskArn: string;
  /** The task's known status: PENDING | RUNNING | STOPPED. */
  status: string;
  reason?: string;
  containers: ContainerStateReport[];
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  executionStoppedAt?: Date;
}

export interface TaskUtilization {
  taskArn: string;
  cpuPercent: number;
  memoryMiB: number;
}

export interface EngineConfig {
  cluster: string;
  /** ECS_CONTAINER_STOP_TIMEOUT: grace between SIGTERM (or STOPSIGNAL) and SIGKILL, unless the container sets stopTimeout. */
  stopTimeoutSeconds: number;
  /** ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: how long a stopped task's containers are kept before removal. */
  cleanupWaitMs: number;
  /** ECS_IMAGE_PULL_BEHAVIOR */
  imagePullBehavior: "default" | "always" | "once" | "prefer-cached";
  /** Where the engine keeps its own state file (ECS_DATADIR). */
  dataDir: string;
}

export interface TaskEngine {
  /** Rebuild the engine's view from its state file and Docker's labels; adopt what runs; start watching Docker events. */
  start(): Promise<void>;
  /**
   * Level-triggered: make the host match the full desired state (every task placed on this
   * instance that is not yet known STOPPED, with desiredStatus RUNNING or STOPPED). Safe to call
   * at any time, as often as wanted, concurrently with itself (calls are serialised).
   */
  reconcile(desired: DesiredTask[]): Promise<void>;
  /** Per-task CPU and memory from Docker stats, for the heartbeat. */
  utilization(): Promise<TaskUtilization[]>;
  /** Stop watching Docker; containers keep running (an agent restart must not stop tasks). */
  close(): Promise<void>;
}

/** Called by the engine whenever a task's or a container's known status changes. Must not throw. */
export type ReportSink = (report: TaskStateReport) => void;

/** Resolves a secret's valueFrom (an SSM parameter name or ARN) to its value; throws with a clear message. */
export type SecretResolver = (valueFrom: string) => Promise<string>;
