import { resolve } from "node:path";
import { DEFAULT_AUDIT_RETENTION_DAYS } from "../core/auth/audit.ts";
import { parseThrottle, type ThrottleLimits } from "../core/auth/throttle.ts";
import { type Ec2IdentityOptions, ec2IdentityOptionsFromEnv, type Partition } from "../core/model/config.ts";
import { type StoreChoice, storeChoice } from "./store.ts";

/** The cluster local mode's agent joins, as the ECS agent's default. */
export const LOCAL_CLUSTER = "default";

export interface LocalOptions {
  host: string;
  port: number;
  dataDir: string;
  /** Start the local agent (local/agent.ts): tasks run on this machine's Docker. */
  agent: boolean;
  partition: Partition;
  /** SQLite in the data dir, or a DynamoDB table (local/store.ts). */
  store: StoreChoice;
  /** How often agents send a heartbeat; three missed ones mark an agent disconnected. */
  agentHeartbeatSeconds: number;
  /** The service scheduler's timings. */
  scheduler: SchedulerOptions;
  /** Per-key throttling (BERTH_THROTTLE) and how long audit events are kept (BERTH_AUDIT_RETENTION_DAYS). */
  access: {
    throttle: ThrottleLimits;
    auditRetentionDays: number;
    /** How long a read of the bootstrap token file is trusted (10 s when absent; tests use 0). */
    bootstrapTokenMaxAgeMs?: number;
  };
  /** EC2 identity checks of registrations (BERTH_EC2_*); off in local mode unless configured. */
  ec2Identity?: Ec2IdentityOptions;
  /** The ELBv2 API services' loadBalancers use (BERTH_ELBV2_ENDPOINT); without one they are refused. */
  elbv2?: Elbv2Options;
  /** The EC2 Auto Scaling API capacity providers' managed scaling uses (BERTH_AUTOSCALING_ENDPOINT); without one it does nothing. */
  autoScaling?: Elbv2Options;
  /** An SQS-compatible server of one's own for the agents' and the scheduler's queues (BERTH_SQS_ENDPOINT); the embedded one when absent. */
  sqsEndpoint?: string;
}

/** An AWS API at an endpoint of its own (ELBv2, Auto Scaling): moto's server, or any other. */
export interface Elbv2Options {
  endpoint: string;
  /** The AWS SDK's default credential chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface SchedulerOptions {
  /** How often every live service is reconciled whether or not anything announced a change. */
  sweepSeconds: number;
  /** How long an agent may stay disconnected before its service tasks are replaced elsewhere. */
  lostInstanceGraceSeconds: number;
  /** The first wait before a service whose tasks keep failing to start tries again (doubling, up to 15 min). */
  startBackoffSeconds: number;
}

/** Options from flags, then BERTH_* environment variables, then defaults. */
export function localOptions(
  flags: {
    port?: string;
    "data-dir"?: string;
    "no-agent"?: boolean;
    store?: string;
    "dynamodb-endpoint"?: string;
    table?: string;
  },
  env = process.env,
): LocalOptions {
  const portText = flags.port ?? env.BERTH_PORT ?? "7400";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port / BERTH_PORT must be a port number from 0 to 65535, not '${portText}'.`);
  }
  const accountId = env.BERTH_ACCOUNT_ID ?? "000000000000";
  if (!/^\d{12}$/.test(accountId)) throw new Error(`BERTH_ACCOUNT_ID must be 12 digits, not '${accountId}'.`);
  const region = env.BERTH_REGION ?? "us-east-1";
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new Error(`BERTH_REGION must look like us-east-1, not '${region}'.`);
  const agentHeartbeatSeconds = seconds(env, "BERTH_AGENT_HEARTBEAT_SECONDS", "10");
  return {
    host: env.BERTH_HOST ?? "127.0.0.1",
    port,
    dataDir: resolve(flags["data-dir"] ?? env.BERTH_DATA_DIR ?? ".berth"),
    agent: !flags["no-agent"] && env.BERTH_LOCAL_AGENT !== "0",
    partition: { region, accountId },
    store: storeChoice(flags, env),
    agentHeartbeatSeconds,
    scheduler: {
      sweepSeconds: seconds(env, "BERTH_SERVICE_SWEEP_SECONDS", "15"),
      lostInstanceGraceSeconds: seconds(env, "BERTH_LOST_INSTANCE_GRACE_SECONDS", "120"),
      startBackoffSeconds: seconds(env, "BERTH_SERVICE_START_BACKOFF_SECONDS", "10", true),
    },
    access: {
      throttle: parseThrottle(env.BERTH_THROTTLE),
      auditRetentionDays: seconds(
        env,
        "BERTH_AUDIT_RETENTION_DAYS",
        String(DEFAULT_AUDIT_RETENTION_DAYS),
        false,
        "days",
      ),
    },
    ec2Identity: ec2IdentityOptionsFromEnv(env),
    ...(env.BERTH_ELBV2_ENDPOINT && { elbv2: { endpoint: env.BERTH_ELBV2_ENDPOINT } }),
    ...(env.BERTH_AUTOSCALING_ENDPOINT && { autoScaling: { endpoint: env.BERTH_AUTOSCALING_ENDPOINT } }),
    ...(env.BERTH_SQS_ENDPOINT && { sqsEndpoint: sqsEndpoint(env.BERTH_SQS_ENDPOINT) }),
  };
}

/** BERTH_SQS_ENDPOINT: an http(s) URL, without a trailing slash (queue URLs are built on it). */
function sqsEndpoint(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || !/^https?:$/.test(url.protocol))
    throw new Error(`BERTH_SQS_ENDPOINT must be an http or https URL, not '${text}'.`);
  return text.replace(/\/+$/, "");
}

/** A duration in seconds from the environment: a positive number (fractions allowed; 0 if `zeroOk`). */
function seconds(
  env: Record<string, string | undefined>,
  name: string,
  fallback: string,
  zeroOk = false,
  unit = "seconds",
): number {
  const text = env[name] ?? fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0 || (value === 0 && !zeroOk)) {
    throw new Error(`${name} must be a positive number of ${unit}, not '${text}'.`);
  }
  return value;
}
