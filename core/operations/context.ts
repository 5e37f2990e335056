import type { Caller } from "../auth/authorize.ts";
import type { InstanceIdentityCheck } from "../auth/ec2/identityCheck.ts";
import type { KeyEncryptionKeyProvider } from "../auth/keyEncryptionKey.ts";
import type { Partition } from "../model/config.ts";
import type { InstanceTypeSizes } from "../model/instanceTypes.ts";
import type { ServiceUtilization } from "../model/serviceUtilization.ts";
import type { InstanceNotifier } from "../notify/instanceNotifier.ts";
import type { ServiceNudger } from "../notify/serviceNudger.ts";
import type { Store } from "../store/port.ts";
import type { AutoScalingGroups } from "./autoScalingGroups.ts";
import type { BackgroundWork } from "./backgroundWork.ts";
import type { LaunchQueue } from "./launchQueue.ts";
import type { TargetGroups } from "./targetGroups.ts";

/** Everything an action may use: the store, where ARNs point, and the clock. */
export interface ActionContext {
  store: Store;
  partition: Partition;
  now: () => Date;
  /** The URL agents reach this control plane at (DiscoverPollEndpoint's telemetry endpoint). */
  endpoint?: string;
  /** How often agents should send a heartbeat (10 s when absent); three missed beats disconnect one. */
  agentHeartbeatIntervalMs?: number;
  /** Each container instance's wake-up queue; without one, agents are never nudged and only poll. */
  notifier?: InstanceNotifier;
  /** Told of failures that must not fail the request they happen in (a lost nudge); console.error when absent. */
  onBackgroundError?: (error: unknown, what: string) => void;
  /** Tracks the work actions leave running after their commit (nudges), for a host that must await it before freezing. */
  background?: BackgroundWork;
  /** Told after a commit changes what should run on a container instance (besides the agent's nudge). */
  onInstanceChanged?: (cluster: string, containerInstanceId: string) => void;
  /**
   * This control plane's launches, one at a time per cluster (local mode: one process answers
   * every call); without one, each launch plans at once and the commit settles races (AWS: each
   * Lambda environment answers one call at a time).
   */
  launchQueue?: LaunchQueue;
  /** The service scheduler's queue; without one, services are only reconciled when something calls reconcileService. */
  serviceNudger?: ServiceNudger;
  /** How long an agent may stay disconnected before its service tasks are replaced elsewhere (2 minutes when absent). */
  lostInstanceGraceMs?: number;
  /** The first wait before a service whose tasks fail to start tries again, doubling up to 15 minutes (10 s when absent). */
  serviceStartBackoffMs?: number;
  /** Told of each service's utilization as its scheduler round measures it (on AWS: published as CloudWatch metrics). */
  onServiceUtilization?: (cluster: string, service: string, utilization: ServiceUtilization) => void;
  /** Who signed the request being answered (absent outside a request, or without access control). */
  caller?: Caller;
  /** Seals the secrets of the access keys the Berth key actions create; without one they refuse. */
  keyEncryptionKey?: KeyEncryptionKeyProvider;
  /** Checks each registration's EC2 identity document (signature, EC2's word); without one, documents are taken as sent. */
  instanceIdentityCheck?: InstanceIdentityCheck;
  /** EC2's instance type sizes, for registrations without totalResources; the table shipped with Berth when absent. */
  instanceTypeSizes?: InstanceTypeSizes;
  /** ELBv2's target groups, for services with loadBalancers; without it, CreateService and UpdateService refuse them. */
  targetGroups?: TargetGroups;
  /** EC2 Auto Scaling, for capacity providers' managed scaling; without it the sweep leaves groups alone. */
  autoScalingGroups?: AutoScalingGroups;
  /** Told what an action assumed for what a request left out (ECS's response has no field for it); console.warn when absent. */
  onAssumption?: (message: string) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: each action narrows its own input and output types.
export type Action = (input: any, ctx: ActionContext) => Promise<unknown>;

export type ActionTable = Record<string, Action>;
