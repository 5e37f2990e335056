import type { AccessKeyRecord, AuditEventRecord } from "../auth/records.ts";
import type {
  AccountSettingsRecord,
  AlarmRecord,
  CapacityProviderRecord,
  ClusterRecord,
  ContainerInstanceRecord,
  HeartbeatRecord,
  IdempotencyRecord,
  ServiceRecord,
  StoredEventRecord,
  TaskDefinitionRecord,
  TaskRecord,
  UtilizationSample,
} from "../model/records.ts";
import type { ResourceWrite } from "../model/reservation.ts";
import type { Kind, RecordKinds } from "./kinds.ts";

/**
 * The Store port. Reads are shaped after access patterns (each maps to a SQLite index here and a
 * DynamoDB key or GSI later); all writes go through `commit`, which applies a set of writes
 * atomically or not at all.
 */
export interface Store {
  getCluster(name: string): Promise<ClusterRecord | undefined>;
  listClusters(page: PageRequest): Promise<Page<ClusterRecord>>;

  getTaskDefinition(family: string, revision: number): Promise<TaskDefinitionRecord | undefined>;
  /** The highest revision of a family, whatever its status (revisions are never reused). */
  lastTaskDefinition(family: string, status?: string): Promise<TaskDefinitionRecord | undefined>;
  listTaskDefinitions(query: TaskDefinitionQuery, page: PageRequest): Promise<Page<TaskDefinitionRecord>>;
  /** Distinct family names; ACTIVE: families with an ACTIVE revision, INACTIVE: families with none. */
  listTaskDefinitionFamilies(query: FamilyQuery, page: PageRequest): Promise<Page<string>>;

  getContainerInstance(cluster: string, id: string): Promise<ContainerInstanceRecord | undefined>;
  findContainerInstanceByEc2Id(cluster: string, ec2InstanceId: string): Promise<ContainerInstanceRecord | undefined>;
  /** Every container instance of a cluster (placement reads them all), optionally by status. */
  listContainerInstances(cluster: string, status?: string): Promise<ContainerInstanceRecord[]>;

  getTask(cluster: string, id: string): Promise<TaskRecord | undefined>;
  /** Several tasks of a cluster at once (DescribeTasks): those that exist, in any order. */
  getTasks(cluster: string, ids: string[]): Promise<TaskRecord[]>;
  listTasks(query: TaskQuery, page: PageRequest): Promise<Page<TaskRecord>>;
  /**
   * The cluster's live (not STOPPED) tasks counted per container instance, group and lastStatus,
   * optionally for one group: for the query language's runningTasksCount (placement and
   * ListContainerInstances' filter; groups alone come with the instances, as residentGroups).
   */
  countResidentTasks(cluster: string, group?: string): Promise<ResidentCount[]>;
  /** Tasks of a cluster by lastStatus, for the cluster's counters. */
  countTasks(cluster: string): Promise<{ pending: number; running: number }>;

  getIdempotency(key: string): Promise<IdempotencyRecord | undefined>;

  getService(cluster: string, name: string): Promise<ServiceRecord | undefined>;
  /** A cluster's services by name, optionally only the live ones (ACTIVE or DRAINING). */
  listServices(query: ServiceQuery, page: PageRequest): Promise<Page<ServiceRecord>>;
  /** A cluster's services by status, for DeleteCluster and the cluster's counters. */
  countServices(cluster: string): Promise<{ active: number; draining: number }>;
  /** Every live (ACTIVE or DRAINING) service of every cluster: the scheduler's periodic sweep. */
  listLiveServices(): Promise<ServiceRecord[]>;

  /** An access key by id (expired, i.e. deleted, keys are absent). */
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Every live access key by id. */
  listAccessKeys(page: PageRequest): Promise<Page<AccessKeyRecord>>;
  /** The account settings a principal (or, under the root ARN, the account) set. */
  getAccountSettings(principalArn: string): Promise<AccountSettingsRecord | undefined>;

  getCapacityProvider(name: string): Promise<CapacityProviderRecord | undefined>;
  /** Every capacity provider of the account (INACTIVE ones until they expire), by name. */
  listCapacityProviders(page: PageRequest): Promise<Page<CapacityProviderRecord>>;

  getAlarm(name: string): Promise<AlarmRecord | undefined>;
  /** Every metric alarm of the account, by name. */
  listAlarms(page: PageRequest): Promise<Page<AlarmRecord>>;
  /** The alarms on one service's metrics (its scheduler round evaluates them), by name. */
  listServiceAlarms(cluster: string, service: string): Promise<AlarmRecord[]>;

  /** The audit trail, newest first. */
  listAuditEvents(page: PageRequest): Promise<Page<AuditEventRecord>>;

  /**
   * Heartbeats sit outside `commit`: one unconditional write per beat (no transaction, no
   * version), replacing the instance's previous one, so that they stay cheap and never conflict.
   */
  /** Returns the beat it replaced (live or not), as DynamoDB's PutItem gives it back for free. */
  putHeartbeat(record: HeartbeatRecord): Promise<HeartbeatRecord | undefined>;
  getHeartbeat(cluster: string, id: string): Promise<HeartbeatRecord | undefined>;
  /** The latest heartbeat of every instance of a cluster that has one (placement reads them all). */
  listHeartbeats(cluster: string): Promise<HeartbeatRecord[]>;

  /**
   * An instance's utilization history is a ring of `slot`s (core/operations/utilizationHistory.ts):
   * a sample replaces the slot's previous one in one unconditional write, outside `commit` as
   * heartbeats are; `expiresAt` applies to the instance's whole history.
   */
  putUtilizationSample(
    cluster: string,
    id: string,
    slot: number,
    sample: UtilizationSample,
    expiresAt: number,
  ): Promise<void>;
  /** Every sample of an instance's ring, oldest first (stale ones too: the caller keeps its window). */
  getUtilizationHistory(cluster: string, id: string): Promise<UtilizationSample[]>;

  /**
   * The ECS events published lately, outside `commit`: unconditional writes, an event written
   * twice (a retried batch) replacing itself.
   */
  putEvents(events: StoredEventRecord[]): Promise<void>;
  /**
   * Live events newest first, of one cluster or of all, optionally of one detail-type: at most
   * `limit` of them, read from at most `reads` stored events (every cluster's read at least once
   * besides). `next` resumes where the reading stopped, so a page can come back short, even
   * empty, with a `next` when the filter matched little of what was read.
   */
  listEvents(query: EventQuery): Promise<Page<StoredEventRecord>>;

  /**
   * Apply all writes or none. Each record write names the version it read (`null`: the record
   * must not exist yet); if any record has moved on, or a reservation no longer fits, nothing is
   * written and ConflictError is thrown. A record write and a resource write may name the same
   * instance (re-registration changes both).
   */
  commit(writes: Write[]): Promise<void>;

  close(): Promise<void>;
}

export type Write = RecordWrite | ResourceWrite;

/** A record replaced whole, on the condition that it is still at the version read. */
export type RecordWrite = {
  [K in Kind]: { kind: K; record: Omit<RecordKinds[K], "version">; expectedVersion: number | null };
}[Kind];

/** Shorthand for a write that replaces `record` as read (or creates it when it has no version). */
export const put = <K extends Kind>(kind: K, record: RecordKinds[K] | Omit<RecordKinds[K], "version">): RecordWrite =>
  ({
    kind,
    record,
    expectedVersion: "version" in record && typeof record.version === "number" ? record.version : null,
  }) as RecordWrite;

export class ConflictError extends Error {
  constructor(message = "a record changed since it was read") {
    super(message);
    this.name = "ConflictError";
  }
}

export interface EventQuery {
  cluster?: string;
  detailType?: string;
  limit: number;
  /** How many stored events one call may read (filtered out ones count): at least `limit`. */
  reads: number;
  /** Opaque cursor from a previous page's `next`. */
  after?: string;
}

export interface PageRequest {
  limit: number;
  /** Opaque cursor from a previous page's `next`. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

export interface TaskDefinitionQuery {
  /** ListTaskDefinitions' familyPrefix is, despite its name, an exact family. */
  family?: string;
  status?: string;
  sort?: "ASC" | "DESC";
}

export interface FamilyQuery {
  familyPrefix?: string;
  /** ACTIVE: families with an ACTIVE revision; INACTIVE: families without one (ECS's meaning); ALL. */
  status?: "ACTIVE" | "INACTIVE" | "ALL";
}

export interface ResidentCount {
  containerInstanceId: string;
  group?: string;
  lastStatus?: string;
  count: number;
}

export interface ServiceQuery {
  cluster: string;
  /** Only ACTIVE and DRAINING services (not INACTIVE ones, which linger for an hour). */
  live?: boolean;
}

export interface TaskQuery {
  cluster: string;
  desiredStatus?: string;
  /** Only tasks whose lastStatus is not STOPPED. */
  notStopped?: boolean;
  family?: string;
  startedBy?: string;
  group?: string;
  containerInstanceId?: string;
}
