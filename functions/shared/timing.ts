import type { ActionContext } from "../../core/operations/context.ts";

/**
 * The timing a deploy set (infra/functions.ts), under local mode's names; the defaults otherwise.
 * The deploy checks it with this same function, so that a bad value fails `sst deploy`, not every
 * invocation afterwards.
 */
export function timingFromEnv(
  env = process.env,
): Pick<ActionContext, "agentHeartbeatIntervalMs" | "lostInstanceGraceMs"> {
  const ms = (name: string) => {
    const text = env[name];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
      throw new Error(`${name} must be a positive number of seconds, not '${text}'.`);
    }
    return value * 1000;
  };
  const heartbeat = ms("BERTH_AGENT_HEARTBEAT_SECONDS");
  const grace = ms("BERTH_LOST_INSTANCE_GRACE_SECONDS");
  return {
    ...(heartbeat !== undefined && { agentHeartbeatIntervalMs: heartbeat }),
    ...(grace !== undefined && { lostInstanceGraceMs: grace }),
  };
}
