/**
 * Heartbeats: one item per container instance, replaced by every beat; a cluster's share a
 * partition, since the sweeper and placement read them all.
 */
export const heartbeatsOf = (cluster: string) => `HEARTBEATS#${cluster}`;

export const heartbeatKey = (cluster: string, id: string) => ({ pk: heartbeatsOf(cluster), sk: id });
