import type { Partition } from "../model/config.ts";
import type { Store } from "../store/port.ts";

/** Everything an action may use: the store, where ARNs point, and the clock. */
export interface ActionContext {
  store: Store;
  partition: Partition;
  now: () => Date;
  /** The URL agents reach this control plane at (DiscoverPollEndpoint's answer). */
  endpoint?: string;
  /** Told after a commit changes what should run on a container instance (the agent's nudge). */
  onInstanceChanged?: (cluster: string, containerInstanceId: string) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: each action narrows its own input and output types.
export type Action = (input: any, ctx: ActionContext) => Promise<unknown>;

export type ActionTable = Record<string, Action>;
