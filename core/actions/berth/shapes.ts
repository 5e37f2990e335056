import type { AccessPolicy } from "../../auth/records.ts";
import type { InstanceUtilization, TaskUtilization } from "../../model/records.ts";
import type { ContainerHealthReport } from "../../model/taskHealth.ts";

/**
 * The request and response shapes of Berth's own actions (X-Amz-Target `Berth_20261124.<Action>`,
 * same endpoint, protocol and signing as the ECS actions). The agent's client imports these types.
 */
export const BERTH_TARGET_PREFIX = "Berth_20261124";

export type { AccessPolicy, InstanceUtilization, TaskUtilization };

export interface HeartbeatRequest {
  /** Short name or ARN; `default` when absent. */
  cluster?: string;
  /** The container instance's id or ARN, as RegisterContainerInstance answered it. */
  containerInstance: string;
  /** What the agent measured; `tasks` may be left out (none). */
  utilization?: Omit<InstanceUtilization, "tasks"> & { tasks?: TaskUtilization[] };
}

export interface HeartbeatResponse {
  /** How many seconds until the next heartbeat is due; three missed ones disconnect the agent. */
  heartbeatIntervalSeconds: number;
  /** The digest of the tasks placed on the instance that are not STOPPED, with their desired status (core/model/desiredDigest.ts). */
  desiredTasksDigest: string;
}

export interface DescribeUtilizationRequest {
  cluster?: string;
  /** Ids or ARNs (1 to 100); every instance of the cluster that is not INACTIVE when absent. */
  containerInstances?: string[];
}

export interface ContainerInstanceUtilization {
  containerInstanceArn: string;
  /** Whether the instance's last heartbeat is younger than three heartbeat intervals. */
  agentConnected: boolean;
  /** When the last heartbeat arrived (registration counts); epoch seconds on the wire. */
  lastHeartbeatAt?: Date;
  /** Host CPU use in percent of all its cores (0 to 100); this and the others below are from the
   * last heartbeat, and absent when it reported no utilization. */
  cpuPercent?: number;
  memoryUsedMiB?: number;
  memoryTotalMiB?: number;
  /** Each task's CPU (percent as `docker stats` shows it: 100 per busy core) and memory use. */
  tasks: TaskUtilization[];
}

export interface DescribeUtilizationResponse {
  utilization: ContainerInstanceUtilization[];
  failures: { arn: string; reason: "MISSING" }[];
}

export interface GetUtilizationHistoryRequest {
  cluster?: string;
  /** The container instance's id or ARN. */
  containerInstance: string;
}

export interface UtilizationHistorySample {
  /** When the heartbeat arrived; epoch seconds on the wire. */
  at: Date;
  cpuPercent: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
}

export interface GetUtilizationHistoryResponse {
  containerInstanceArn: string;
  /** One sample per period (the first heartbeat of each that reported utilization), oldest first. */
  samples: UtilizationHistorySample[];
  /** The period between samples: six heartbeat intervals (a minute by default). */
  samplePeriodSeconds: number;
  /** How far back the history reaches: sixty periods (an hour by default). */
  windowSeconds: number;
}

export interface SubmitTaskHealthChangeRequest {
  cluster?: string;
  /** The task's id or ARN. */
  task: string;
  /** The latest health of the task's containers that have a health check (others are ignored). */
  containers: ContainerHealthReport[];
}

export interface SubmitTaskHealthChangeResponse {
  acknowledgment: "ACK";
}

export interface CreateAccessKeyRequest {
  policy: Exclude<AccessPolicy, { kind: "instance" }>;
  description?: string;
}

export interface AccessKeySummary {
  accessKeyId: string;
  policy: AccessPolicy;
  description?: string;
  /** Epoch seconds. */
  createdAt: number;
}

export interface CreateAccessKeyResponse {
  /** The only time the secret is shown. */
  accessKey: AccessKeySummary & { secretAccessKey: string };
}

export interface ListAccessKeysResponse {
  accessKeys: AccessKeySummary[];
  nextToken?: string;
}

export interface GetAgentCredentialsRequest {
  cluster?: string;
  containerInstance: string;
}

export interface GetAgentCredentialsResponse {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AuditEvent {
  /** Epoch seconds. */
  eventTime: number;
  accessKeyId: string;
  principal: string;
  action: string;
  resources: string[];
  /** `Success` or the error's type. */
  outcome: string;
}

export interface ListAuditEventsResponse {
  auditEvents: AuditEvent[];
  nextToken?: string;
}

export interface GetCallerIdentityResponse {
  /** The key that signed the call. */
  accessKeyId: string;
  /** What it may do: `admin`, `read-only`, `scoped` (with its patterns), … */
  policy: AccessPolicy;
}

/** The ECS events Berth published lately (kept a day: EventBridge keeps none to list). */
export interface ListEventsRequest {
  /** Short name or ARN; every cluster's events when absent. */
  cluster?: string;
  /** `ECS Task State Change`, `ECS Container Instance State Change`, `ECS Service Action` or `ECS Deployment State Change`. */
  detailType?: string;
  /** 1 to 1000; 100 when absent. */
  maxResults?: number;
  /** From the previous page: where its reading stopped. */
  nextToken?: string;
}

export interface ListedEvent {
  /** Epoch seconds on the wire. */
  time: Date;
  source: string;
  detailType: string;
  resources: string[];
  /** The event's detail, as EventBridge carries it: a JSON string of ECS's detail shape. */
  detail: string;
}

export interface ListEventsResponse {
  /** Newest first. */
  events: ListedEvent[];
  /**
   * Present when older events may remain: each call reads a bounded number of stored events, so
   * a page of a filter that matched little of them can be short, even empty, with a nextToken.
   */
  nextToken?: string;
}
