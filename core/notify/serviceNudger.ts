/**
 * Wakes the service scheduler for one service. The queue behind it is FIFO with the service as
 * the message group, so two rounds for one service never run at once, while different services
 * proceed in parallel. Like every nudge, a message carries no intent of its own: the round
 * re-reads the service and its tasks, and a periodic sweep nudges every live service anyway, so
 * a lost nudge costs latency, never correctness.
 */
export interface ServiceNudger {
  nudge(cluster: string, service: string): Promise<void>;
}

/** The body of a service nudge (JSON). */
export interface ServiceNudge {
  type: "service-changed";
  cluster: string;
  service: string;
}

export const serviceNudgeBody = (cluster: string, service: string): string =>
  JSON.stringify({ type: "service-changed", cluster, service } satisfies ServiceNudge);

/** The message group of a service's nudges: every round of one service in order, one at a time. */
export const serviceMessageGroup = (cluster: string, service: string) => `${cluster}/${service}`;

export function parseServiceNudge(body: string): ServiceNudge {
  const parsed = JSON.parse(body) as Partial<ServiceNudge>;
  if (parsed.type !== "service-changed" || typeof parsed.cluster !== "string" || typeof parsed.service !== "string") {
    throw new Error(`Not a service nudge: ${body.slice(0, 200)}`);
  }
  return parsed as ServiceNudge;
}
