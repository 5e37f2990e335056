/**
 * One process's launches on each cluster, one after another: the plan queue of Nomad's leader,
 * for the same reason. Launches planned at once pick the same instances (binpack sends them all
 * to the fullest) and all but one lose the commit, then read and plan again, each loss a re-read
 * of the whole cluster (on DynamoDB, a Query of its instances). Launches from other processes
 * still race; the conditional commit settles those, as it does without a queue.
 */
export interface LaunchQueue {
  /** Runs `launch` once the launches on `cluster` queued before it have settled. */
  run<T>(cluster: string, launch: () => Promise<T>): Promise<T>;
}

export function launchQueue(): LaunchQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async run(cluster, launch) {
      const mine = (tails.get(cluster) ?? Promise.resolve()).then(launch);
      const settled = mine.then(
        () => undefined,
        () => undefined,
      );
      tails.set(cluster, settled);
      try {
        return await mine;
      } finally {
        if (tails.get(cluster) === settled) tails.delete(cluster);
      }
    },
  };
}
