import { existsSync, readFileSync } from "node:fs";
import { type KeyPair, parseBootstrapToken } from "../core/auth/bootstrapToken.ts";
import { STANDARD_RESERVED_PORTS } from "../core/model/resourceList.ts";
import { parseGoDuration } from "./duration.ts";
import type { EngineConfig } from "./engine/types.ts";
import type { LogLevel } from "./log.ts";

/**
 * The agent's configuration, under the keys Amazon's ECS agent reads (so an existing
 * `/etc/ecs/ecs.config` carries over), plus BERTH_* keys for what only Berth needs. Values come
 * from the environment, then from the config file, then defaults. Anything malformed is an error
 * naming the key and the value: the agent never starts half-configured.
 */
export interface AgentConfig {
  cluster: string;
  stopTimeoutSeconds: number;
  cleanupWaitMs: number;
  reservedMemoryMiB: number;
  reservedPorts: number[];
  reservedPortsUdp: number[];
  /** Custom attributes sent with the registration. */
  instanceAttributes: Record<string, string>;
  dataDir: string;
  imagePullBehavior: EngineConfig["imagePullBehavior"];
  logLevel: LogLevel;
  /** The control plane's URL; required outside local mode. */
  endpoint: string;
  /** The key requests are signed with; undefined: the AWS SDK's default chain (an instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The cluster's bootstrap token (BERTH_BOOTSTRAP_TOKEN): when set, the agent joins with it and then uses credentials of its own. */
  bootstrapToken?: KeyPair;
  region: string;
  heartbeatSeconds: number;
  /** The full re-sync with the control plane runs at least this often, whatever the wake-ups say. */
  syncSeconds: number;
  /** Read the EC2 instance identity document from IMDSv2 at registration. */
  enableImds: boolean;
}

export const DEFAULT_CONFIG_FILE = "/etc/ecs/ecs.config";

type Source = Record<string, string | undefined>;
type Parse<T> = (value: string) => T | undefined;

/** One setting: its key, how its text is read (undefined: malformed), its default, what it means. */
interface Setting<T> {
  key: string;
  parse: Parse<T>;
  fallback: T | undefined;
  expect: string;
}

const text: Parse<string> = (v) => (v.trim() === "" ? undefined : v.trim());
const seconds: Parse<number> = (v) => {
  const ms = parseGoDuration(v.trim());
  return ms === undefined ? undefined : ms / 1000;
};
const nonNegativeInt: Parse<number> = (v) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : undefined);
const positiveNumber: Parse<number> = (v) => (Number(v) > 0 && Number.isFinite(Number(v)) ? Number(v) : undefined);
const oneOf =
  <T extends string>(...values: T[]): Parse<T> =>
  (v) =>
    values.find((x) => x === v.trim().toLowerCase());
const bool: Parse<boolean> = (v) => ({ true: true, false: false })[v.trim().toLowerCase() as "true"];
const json = <T>(valid: (x: unknown) => x is T): Parse<T> => {
  return (v) => {
    try {
      const parsed: unknown = JSON.parse(v);
      return valid(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
};
const isPortList = (x: unknown): x is number[] =>
  Array.isArray(x) && x.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535);
const isStringMap = (x: unknown): x is Record<string, string> =>
  typeof x === "object" && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === "string");

const setting = <T>(key: string, parse: Parse<T>, fallback: T | undefined, expect: string): Setting<T> => ({
  key,
  parse,
  fallback,
  expect,
});

export const SETTINGS = {
  cluster: setting("ECS_CLUSTER", text, "default", "a cluster name"),
  stopTimeoutSeconds: setting("ECS_CONTAINER_STOP_TIMEOUT", seconds, 30, "a duration such as 30s or 2m"),
  cleanupWaitSeconds: setting(
    "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION",
    seconds,
    3 * 3600,
    "a duration such as 3h or 10m",
  ),
  reservedMemoryMiB: setting("ECS_RESERVED_MEMORY", nonNegativeInt, 0, "a whole number of MiB"),
  reservedPorts: setting(
    "ECS_RESERVED_PORTS",
    json(isPortList),
    [...STANDARD_RESERVED_PORTS],
    "a JSON list of port numbers, e.g. [22, 2375]",
  ),
  reservedPortsUdp: setting("ECS_RESERVED_PORTS_UDP", json(isPortList), [], "a JSON list of port numbers"),
  instanceAttributes: setting(
    "ECS_INSTANCE_ATTRIBUTES",
    json(isStringMap),
    {},
    'a JSON object of strings, e.g. {"stack": "prod"}',
  ),
  dataDir: setting("ECS_DATADIR", text, "/var/lib/ecs/data", "a directory"),
  imagePullBehavior: setting(
    "ECS_IMAGE_PULL_BEHAVIOR",
    oneOf("default", "always", "once", "prefer-cached"),
    "default",
    "default, always, once or prefer-cached",
  ),
  logLevel: setting(
    "ECS_LOGLEVEL",
    oneOf("debug", "info", "warn", "error", "crit"),
    "info",
    "debug, info, warn, error or crit",
  ),
  enableImds: setting("ECS_ENABLE_IMDS", bool, false, "true or false"),
  endpoint: setting("BERTH_ENDPOINT", (v) => (URL.canParse(v.trim()) ? v.trim() : undefined), undefined, "a URL"),
  region: setting(
    "BERTH_REGION",
    (v) => (/^[a-z]{2}(-[a-z]+)+-\d+$/.test(v) ? v : undefined),
    "us-east-1",
    "a region such as us-east-1",
  ),
  heartbeatSeconds: setting("BERTH_HEARTBEAT_SECONDS", positiveNumber, 10, "a number of seconds above 0"),
  syncSeconds: setting("BERTH_SYNC_SECONDS", positiveNumber, 30, "a number of seconds above 0"),
  bootstrapToken: setting(
    "BERTH_BOOTSTRAP_TOKEN",
    (v) => {
      try {
        return parseBootstrapToken(v.trim());
      } catch {
        return undefined;
      }
    },
    undefined,
    "<access key id>:<secret>, as `berth local` prints it",
  ),
};

/** Credential keys, read in pairs (Berth's own first: they name the control plane's key). */
const CREDENTIAL_KEYS = [
  ["BERTH_ACCESS_KEY_ID", "BERTH_SECRET_ACCESS_KEY", undefined],
  ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
] as const;

const KNOWN_KEYS = new Set<string>([
  ...Object.values(SETTINGS).map((s) => s.key),
  ...CREDENTIAL_KEYS.flat().filter((k) => k !== undefined),
]);

export class AgentConfigError extends Error {
  override name = "AgentConfigError";
}

export interface LoadOptions {
  env?: Source;
  /** The config file: `--config`; else ECS_CONFIG_FILE; else /etc/ecs/ecs.config if it exists. `false`: none. */
  configFile?: string | false;
  /** Values that win over both (local mode: its own endpoint, key and data dir). */
  overrides?: Partial<AgentConfig>;
}

export function loadAgentConfig(options: LoadOptions = {}): AgentConfig {
  const env = options.env ?? process.env;
  const file = readConfigFile(options.configFile ?? env.ECS_CONFIG_FILE);
  const source: Source = { ...file, ...definedOnly(env) };
  const read = <T>(s: Setting<T>): T | undefined => {
    const raw = source[s.key];
    if (raw === undefined) return s.fallback;
    const value = s.parse(raw);
    // A malformed token may still be most of a secret: never echo it.
    const shown = s === SETTINGS.bootstrapToken ? "(value hidden)" : `'${raw}'`;
    if (value === undefined) throw new AgentConfigError(`${s.key} must be ${s.expect}, not ${shown}.`);
    return value;
  };
  const o = options.overrides ?? {};
  const config: AgentConfig = {
    cluster: o.cluster ?? (read(SETTINGS.cluster) as string),
    stopTimeoutSeconds: read(SETTINGS.stopTimeoutSeconds) as number,
    cleanupWaitMs: (read(SETTINGS.cleanupWaitSeconds) as number) * 1000,
    reservedMemoryMiB: read(SETTINGS.reservedMemoryMiB) as number,
    reservedPorts: read(SETTINGS.reservedPorts) as number[],
    reservedPortsUdp: read(SETTINGS.reservedPortsUdp) as number[],
    instanceAttributes: read(SETTINGS.instanceAttributes) as Record<string, string>,
    dataDir: o.dataDir ?? (read(SETTINGS.dataDir) as string),
    imagePullBehavior: read(SETTINGS.imagePullBehavior) as AgentConfig["imagePullBehavior"],
    logLevel: read(SETTINGS.logLevel) as LogLevel,
    endpoint: o.endpoint ?? (read(SETTINGS.endpoint) as string),
    credentials: o.credentials ?? readCredentials(source),
    bootstrapToken: o.bootstrapToken ?? read(SETTINGS.bootstrapToken),
    region: o.region ?? (read(SETTINGS.region) as string),
    heartbeatSeconds: read(SETTINGS.heartbeatSeconds) as number,
    syncSeconds: read(SETTINGS.syncSeconds) as number,
    enableImds: o.enableImds ?? (read(SETTINGS.enableImds) as boolean),
  };
  if (!config.endpoint) {
    throw new AgentConfigError(
      "BERTH_ENDPOINT is not set: set it (environment or config file) to the control plane's URL, e.g. https://berth.example.com.",
    );
  }
  return config;
}

function readCredentials(source: Source): AgentConfig["credentials"] {
  for (const [idKey, secretKey, tokenKey] of CREDENTIAL_KEYS) {
    const id = source[idKey];
    const secret = source[secretKey];
    if (!id && !secret) continue;
    if (!id || !secret) throw new AgentConfigError(`Set both ${idKey} and ${secretKey}, or neither.`);
    return {
      accessKeyId: id,
      secretAccessKey: secret,
      ...(tokenKey && source[tokenKey] && { sessionToken: source[tokenKey] }),
    };
  }
  return undefined;
}

const definedOnly = (env: Source): Source =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));

/**
 * An ecs.config file: `KEY=value` lines, `#` comments and blank lines; values may be quoted. A
 * missing default file is no error (a host configured by environment only); a named one is.
 */
export function readConfigFile(path: string | false | undefined): Source {
  if (path === false) return {};
  const file = path ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(file)) {
    if (path === undefined) return {};
    throw new AgentConfigError(`The config file ${file} does not exist.`);
  }
  return parseConfigText(readFileSync(file, "utf8"), file);
}

export function parseConfigText(content: string, name = "the config file"): Source {
  const values: Source = {};
  content.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(trimmed);
    if (!match) throw new AgentConfigError(`${name}, line ${index + 1}: expected KEY=value, not '${trimmed}'.`);
    const [, key, rawValue] = match;
    if (/^(ECS|BERTH)_/.test(key) && !KNOWN_KEYS.has(key)) {
      throw new AgentConfigError(
        `${name}, line ${index + 1}: ${key} is not a setting Berth's agent knows (value '${rawValue.trim()}'). Known: ${[...KNOWN_KEYS].sort().join(", ")}.`,
      );
    }
    values[key] = unquote(rawValue.trim());
  });
  return values;
}

const unquote = (v: string) => (/^(["']).*\1$/.test(v) ? v.slice(1, -1) : v);

/** What the task engine needs from the agent's configuration. */
export const engineConfig = (config: AgentConfig): EngineConfig => ({
  cluster: config.cluster,
  stopTimeoutSeconds: config.stopTimeoutSeconds,
  cleanupWaitMs: config.cleanupWaitMs,
  imagePullBehavior: config.imagePullBehavior,
  dataDir: config.dataDir,
});
