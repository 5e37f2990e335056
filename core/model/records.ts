import type {
  CapacityProvider,
  Cluster,
  ContainerInstance,
  LoadBalancer,
  PlacementConstraint,
  PlacementStrategy,
  Service,
  Setting,
  Tag,
  Task,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { GroupTarget } from "../operations/targetGroups.ts";
import type { ServiceAutoScaling } from "./autoScaling.ts";
import type { Datapoint, MetricAlarm } from "./metricAlarm.ts";
import type { Reservation } from "./reservation.ts";

/**
 * What the store keeps. Each record wraps the ECS shape a client sees (so actions return it as
 * is) plus the few fields the control plane needs to find and guard it.
 *
 * `version` is the optimistic-concurrency counter: the store sets it on every write, and a write
 * names the version it read (see Write in port.ts). `expiresAt` (epoch ms) makes a record vanish
 * like ECS's stopped tasks and inactive resources do.
 */
export interface Stored {
  version: number;
  expiresAt?: number;
}

export interface ClusterRecord extends Stored {
  name: string;
  cluster: Cluster;
}

/** A capacity provider (CreateCapacityProvider): account-wide, named uniquely; INACTIVE for an hour once deleted. */
export interface CapacityProviderRecord extends Stored {
  name: string;
  capacityProvider: CapacityProvider;
  /**
   * The cluster that has this Auto Scaling group provider (one at most), written in the commit
   * that writes that cluster's provider list: the association is read from here, not by scanning
   * clusters through an eventually consistent index.
   */
  cluster?: string;
  /** When managed scaling first saw each in-service instance of the group not registered (epoch ms, by EC2 id). */
  unregisteredSince?: Record<string, number>;
}

/**
 * A CloudWatch metric alarm on an ECS service's metric (PutMetricAlarm), keyed by name, with the
 * service its dimensions name (its round evaluates it) and its latest datapoints. Deleted: expired.
 */
export interface AlarmRecord extends Stored {
  name: string;
  cluster: string;
  service: string;
  alarm: MetricAlarm;
  datapoints: Datapoint[];
  tags?: Record<string, string>;
  /** Its state was set by SetAlarmState: the next round acts on it before evaluating the alarm again. */
  stateSet?: boolean;
}

/** The account settings a principal set (PutAccountSetting), or the account's defaults under the root ARN. */
export interface AccountSettingsRecord extends Stored {
  principalArn: string;
  settings: Setting[];
}

export interface TaskDefinitionRecord extends Stored {
  family: string;
  revision: number;
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

export interface ContainerInstanceRecord extends Stored {
  cluster: string;
  id: string;
  /** Includes registeredResources, remainingResources (as the store keeps them, apart from the
   * rest: see ResourceWrite in port.ts), attributes and tags. Task counts are derived when described. */
  instance: ContainerInstance;
  /** Moves on with every change of the remaining resources, as `version` does with the rest. */
  resourcesVersion?: number;
  /**
   * How many tasks of each group hold a reservation on the instance (placed and not yet
   * STOPPED), as the store keeps them beside the remaining resources (kept by the same
   * ResourceWrites): what placement's spread, distinctInstance and task:group need, without a
   * read of the tasks. Filled in on read (groups with none are left out); never written back.
   */
  residentGroups?: Record<string, number>;
}

export interface TaskRecord extends Stored {
  cluster: string;
  id: string;
  task: Task;
  containerInstanceId?: string;
  /** Released back to the instance when the task reaches STOPPED. */
  reservation: Reservation;
  /** Resources still held on the instance: true until the release is committed. */
  holdsReservation: boolean;
  /** Containers whose exit stops the task (from the task definition's `essential`). */
  essentialContainers: string[];
  /** An agent has reported on this task: from then on only the agent moves it to STOPPED. */
  acknowledged: boolean;
  /** Scale-in protection (UpdateTaskProtection), while enabled: the service scheduler leaves the task running until then. */
  protection?: { expirationDate: Date };
  /** Waiting in PROVISIONING, on no instance, for its capacity provider's group to have room (see waitingTasks.ts). */
  waiting?: WaitingPlacement;
}

/** How a task waiting for capacity is placed once there is room, and why it could not be yet. */
export interface WaitingPlacement {
  /** The launch's placement constraints, its provider's group among them, and its strategies. */
  constraints: PlacementConstraint[];
  strategies: PlacementStrategy[];
  /** The group's name (its instances carry it as an attribute). */
  autoScalingGroup: string;
  /** What the last try found (RESOURCE:MEMORY, ...; EMPTY CAPACITY PROVIDER without instances): its stoppedReason if it never places. */
  reason: string;
}

/** The remembered outcome of a request that carried a clientToken. */
export interface IdempotencyRecord extends Stored {
  key: string;
  /** Fingerprint of the request, to tell a retry from a different request reusing a token. */
  request: string;
  response: unknown;
}

/**
 * A container instance's latest heartbeat from its agent (registration counts as the first).
 * Not a versioned record: it is written unconditionally, last writer wins, and never in a commit,
 * so that heartbeats can never make a placement lose its race for the instance record.
 */
export interface HeartbeatRecord {
  cluster: string;
  /** The container instance's id. */
  id: string;
  /** When the control plane received the beat (epoch ms): agentConnected is derived from it. */
  at: number;
  /** What the agent measured, when it sent it (registration sends none). */
  utilization?: InstanceUtilization;
  expiresAt?: number;
}

/** Host CPU and memory use, and each task's, as the agent measured them. */
export interface InstanceUtilization {
  cpuPercent: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
  tasks: TaskUtilization[];
}

/**
 * An ECS event Berth published, kept a while so that a person (the web console, ListEvents) can
 * read what EventBridge rules saw: EventBridge itself keeps nothing to list.
 */
export interface StoredEventRecord {
  /** The cluster it is about (core/events/stored.ts); events about none are not kept. */
  cluster: string;
  /** Sorts by time, and is the same for the same event: writing it twice keeps one. */
  id: string;
  /** Epoch ms. */
  time: number;
  source: string;
  detailType: string;
  resources: string[];
  /** The event's detail as EventBridge carries it: a JSON string. */
  detail: string;
  expiresAt: number;
}

/** A container instance's utilization at one heartbeat, as kept in its history (utilizationHistory.ts). */
export interface UtilizationSample {
  /** When the heartbeat arrived (epoch ms). */
  at: number;
  cpuPercent: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
}

export interface TaskUtilization {
  taskArn: string;
  cpuPercent: number;
  memoryMiB: number;
}

/**
 * A service: the ECS shape clients see (deployments[] PRIMARY first, events[] newest first, at
 * most 100; running and pending counts are derived from the tasks when described, never stored),
 * and what the service scheduler keeps between its rounds.
 */
export interface ServiceRecord extends Stored {
  cluster: string;
  /** The service name, unique in its cluster. */
  name: string;
  service: Service;
  /** CreateService's parameters as a fingerprint: a second create of the name must match it. */
  request: string;
  scheduler: ServiceSchedulerState;
  /** Its Application Auto Scaling target, policies and activities, once a target is registered. */
  autoScaling?: ServiceAutoScaling;
}

/** The scheduler's memory between rounds (epoch ms; kept out of the ECS shape). */
export interface ServiceSchedulerState {
  /** The last round found the service steady. */
  steady?: boolean;
  /** When "has reached a steady state" was last said: ECS repeats it at most every 6 hours. */
  steadyEventMs?: number;
  /** Load-balanced tasks deregistered from their target groups, by ARN: when each may be stopped. */
  draining?: Record<string, number>;
  /**
   * The load balancers of each older deployment whose load balancers an UpdateService changed
   * since, by deployment id: its tasks stay in (and drain from) these, not the service's. Kept
   * while the deployment is.
   */
  deploymentLoadBalancers?: Record<string, LoadBalancer[]>;
  /**
   * The targets the scheduler has taken on for each task: remembered before they are registered,
   * forgotten once they have left ELBv2. Only these are ever deregistered. Stored compactly
   * (core/services/storedClaims.ts); records written before have them by task ARN, written out.
   */
  targets?: StoredClaims | Record<string, GroupTarget[]>;
  /**
   * Tasks the last round that tried to start some could not place on a capacity provider's group
   * for lack of room, by provider name (core/services/noRoom.ts): what managed scaling adds an
   * instance for.
   */
  noRoom?: Record<string, NoRoom>;
}

/** A service's tasks that found no room on a capacity provider's group, and when (epoch ms). */
export interface NoRoom {
  tasks: number;
  atMs: number;
  /** The latest registration among the instances the round saw: one since makes the record stale. */
  registeredMs: number;
}

/**
 * Targets taken on, with the ARNs' shared parts written once (a service reaches DynamoDB's 400 KB
 * item much later): tasks keyed by what follows `taskArnPrefix` in their ARN (a key that is a
 * whole ARN does not), each target [index in targetGroups, index in instances, port].
 */
export interface StoredClaims {
  taskArnPrefix: string;
  targetGroups: string[];
  instances: string[];
  tasks: Record<string, [number, number, number][]>;
}
