import { EcsError } from "../protocol/errors.ts";
import { isReadOnly } from "./policy.ts";

/** ECS's throttling families: reads, changes, and what agents call. */
export type ActionFamily = "read" | "mutate" | "agent";

export interface Bucket {
  /** Calls that may come at once. */
  burst: number;
  /** Calls per second refilled. */
  rate: number;
}

export type ThrottleLimits = Record<ActionFamily, Bucket>;

/**
 * Generous defaults: one key may read 1000 times at once and 500 per second; change 500 times
 * at once and 200 per second; an agent call 1000 at once and 500 per second. ECS's own are far
 * lower (tens per second); Berth's suites and benchmarks run every call with one key.
 */
export const DEFAULT_THROTTLE: ThrottleLimits = {
  read: { burst: 1000, rate: 500 },
  mutate: { burst: 500, rate: 200 },
  agent: { burst: 1000, rate: 500 },
};

const AGENT_ACTIONS = new Set([
  "RegisterContainerInstance",
  "DiscoverPollEndpoint",
  "SubmitTaskStateChange",
  "SubmitContainerStateChange",
  "SubmitAttachmentStateChanges",
  "Heartbeat",
  "SubmitTaskHealthChange",
  "GetAgentCredentials",
]);

export const familyOf = (operation: string): ActionFamily =>
  AGENT_ACTIONS.has(operation) ? "agent" : isReadOnly(operation) ? "read" : "mutate";

/**
 * What the AWS SDKs retry with backoff. `startsEpisode` marks the first refusal since the key's
 * bucket last let a call through: the one refusal the audit trail records (core/protocol/handle.ts),
 * so that a key hammering past its limit costs no write per refused call.
 */
export class ThrottlingError extends EcsError {
  constructor(readonly startsEpisode: boolean) {
    super("ThrottlingException", "Rate exceeded", 400);
  }
}

/**
 * Token buckets per access key and family, in this process's memory: on AWS each Lambda
 * instance keeps its own, so the limit applies per instance, as a smoothing rather than a quota.
 * Buckets are dropped once full again, so idle keys cost nothing.
 */
export class Throttle {
  private readonly buckets = new Map<string, { tokens: number; at: number; refusing?: boolean }>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token for the call, or throws ThrottlingError. */
  take(accessKeyId: string, operation: string): void {
    const family = familyOf(operation);
    const { burst, rate } = this.limits[family];
    const key = `${accessKeyId}/${family}`;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    const tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now, refusing: true });
      throw new ThrottlingError(!bucket.refusing);
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.dropFull(now);
  }

  private dropFull(now: number) {
    for (const [key, bucket] of this.buckets) {
      const { burst, rate } = this.limits[key.slice(key.lastIndexOf("/") + 1) as ActionFamily];
      if (bucket.tokens + ((now - bucket.at) / 1000) * rate >= burst) this.buckets.delete(key);
    }
  }
}

/**
 * Limits from text: `read=100/50,mutate=20/10,agent=100/50` (burst/rate per family; families
 * left out keep their defaults), as BERTH_THROTTLE takes it.
 */
export function parseThrottle(text: string | undefined): ThrottleLimits {
  const limits = { ...DEFAULT_THROTTLE };
  if (!text?.trim()) return limits;
  for (const part of text.split(",")) {
    const m = /^\s*(read|mutate|agent)\s*=\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m)
      throw new Error(`BERTH_THROTTLE must look like read=1000/500,mutate=500/200,agent=1000/500, not '${text}'.`);
    limits[m[1] as ActionFamily] = { burst: Number(m[2]), rate: Number(m[3]) };
  }
  return limits;
}
