/**
 * Wakes a container instance's agent. Every instance has its own queue, created at registration
 * and named to the agent by DiscoverPollEndpoint; the agent long-polls it. Messages are nudges,
 * never the only copy of intent: on any message (and, without one, when a heartbeat's digest of its
 * tasks shows a change) the agent re-reads its desired tasks, so a lost or duplicated nudge costs
 * latency, never correctness.
 */
export interface InstanceNotifier {
  /**
   * The instance's queue URL, creating the queue when it does not exist (idempotent), readable
   * only by the agent of that EC2 instance where the notifier has a queue policy (on AWS).
   */
  queueFor(cluster: string, instanceId: string, reader?: QueueReader): Promise<string>;
  /** Sends a Nudge to the instance's queue; a queue that does not exist means nobody listens: nothing is sent. */
  nudge(cluster: string, instanceId: string): Promise<void>;
  /** Deletes the instance's queue, if it exists. */
  remove(cluster: string, instanceId: string): Promise<void>;
}

/** Who reads an instance's queue: its agent, on this EC2 instance (absent without an identity document). */
export interface QueueReader {
  ec2InstanceId?: string;
}

/** The body of a nudge (JSON). Agents need not read it: any message means "re-sync now". */
export interface Nudge {
  type: "tasks-changed";
  cluster: string;
  /** The container instance's id. */
  containerInstance: string;
}

export const nudgeBody = (cluster: string, instanceId: string): string =>
  JSON.stringify({ type: "tasks-changed", cluster, containerInstance: instanceId } satisfies Nudge);
