import { type DesiredTaskState, desiredDigest } from "../core/model/desiredDigest.ts";

/**
 * Whether a heartbeat's digest of the tasks placed here (core/model/desiredDigest.ts) shows a
 * change the agent has not seen: compared with the digest of what its last sync read, with the
 * tasks it has since reported STOPPED (and the control plane took) counted as STOPPED. So a task
 * that stops costs no sync of its own; anything else the control plane changed does. A beat sent
 * before the last sync began reading is older news than that sync (its answer may arrive after):
 * it shows no change, and the next beat shows what it might have missed.
 */
export function createDesiredChanges() {
  let synced: DesiredTaskState[] | undefined;
  let readFrom = Number.NEGATIVE_INFINITY;
  const stopped = new Set<string>();
  return {
    /** What a sync read (beginning at `readAt`, performance.now()) and the engine was given. */
    synced(tasks: DesiredTaskState[], readAt: number) {
      readFrom = readAt;
      synced = tasks.map(({ taskArn, desiredStatus, lastStatus }) => ({ taskArn, desiredStatus, lastStatus }));
      stopped.clear();
    },
    /** The control plane took this agent's report of the task as STOPPED. */
    reportedStopped(taskArn: string) {
      stopped.add(taskArn);
    },
    /** `sentAt`: when the beat that answered `digest` was sent (performance.now()). */
    changed(digest: string, sentAt: number): boolean {
      if (!synced) return true;
      if (sentAt < readFrom) return false;
      const expected = synced.map((t) => (stopped.has(t.taskArn ?? "") ? { ...t, lastStatus: "STOPPED" } : t));
      return digest !== desiredDigest(expected);
    },
  };
}
