import type { Partition } from "../model/config.ts";
import type { InstanceNotifier } from "../notify/port.ts";
import type { Store } from "../store/port.ts";

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
  /** Told after a commit changes what should run on a container instance (besides the agent's nudge). */
  onInstanceChanged?: (cluster: string, containerInstanceId: string) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: each action narrows its own input and output types.
export type Action = (input: any, ctx: ActionContext) => Promise<unknown>;

export type ActionTable = Record<string, Action>;
