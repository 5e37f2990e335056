import { createHash } from "node:crypto";

/** What of a task an agent acts on. */
export interface DesiredTaskState {
  taskArn?: string;
  desiredStatus?: string;
  lastStatus?: string;
}

/**
 * What an agent must act on among the tasks placed on its instance, as one short string: the
 * tasks not yet STOPPED, each with its desired status. The heartbeat answers it from the store
 * and the agent computes it from what its last sync read (the same function on both sides), so
 * a heartbeat that answers another digest is the agent's cue to sync again: a lost wake-up costs
 * one heartbeat interval, and an idle agent no longer polls. A task that is STOPPED leaves the
 * set (one more sync, which the agent needs when the control plane stopped a task it took up).
 */
export function desiredDigest(tasks: DesiredTaskState[]): string {
  const lines = tasks
    .filter((t) => t.lastStatus !== "STOPPED")
    .map((t) => `${t.taskArn} ${t.desiredStatus}`)
    .sort();
  return createHash("sha256").update(lines.join("\n")).digest("base64url").slice(0, 22);
}
