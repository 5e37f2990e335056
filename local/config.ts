import { resolve } from "node:path";
import type { Partition } from "../core/model/config.ts";
import { type StoreChoice, storeChoice } from "./store.ts";

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
  const heartbeatText = env.BERTH_AGENT_HEARTBEAT_SECONDS ?? "10";
  const agentHeartbeatSeconds = Number(heartbeatText);
  if (heartbeatText.trim() === "" || !Number.isFinite(agentHeartbeatSeconds) || agentHeartbeatSeconds <= 0) {
    throw new Error(`BERTH_AGENT_HEARTBEAT_SECONDS must be a positive number of seconds, not '${heartbeatText}'.`);
  }
  return {
    host: env.BERTH_HOST ?? "127.0.0.1",
    port,
    dataDir: resolve(flags["data-dir"] ?? env.BERTH_DATA_DIR ?? ".berth"),
    agent: !flags["no-agent"] && env.BERTH_LOCAL_AGENT !== "0",
    partition: { region, accountId },
    store: storeChoice(flags, env),
    agentHeartbeatSeconds,
  };
}
