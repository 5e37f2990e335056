import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AgentConfig, loadAgentConfig } from "../../../agent/config.ts";

const dir = mkdtempSync(join(tmpdir(), "berth-agent-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = { BERTH_ENDPOINT: "http://127.0.0.1:7400" };
/** Config from `env` alone (no file). */
const fromEnv = (env: Record<string, string>) => loadAgentConfig({ env: { ...BASE, ...env }, configFile: false });
let files = 0;
/** Config from an ecs.config file with `content`, and `env`. */
const fromFile = (content: string, env: Record<string, string> = BASE) => {
  const path = join(dir, `ecs-${files++}.config`);
  writeFileSync(path, content);
  return loadAgentConfig({ env, configFile: path });
};

describe("agent configuration", () => {
  it("defaults are the ECS agent's", () => {
    expect(fromEnv({})).toEqual({
      cluster: "default",
      stopTimeoutSeconds: 30,
      cleanupWaitMs: 3 * 3600 * 1000,
      reservedMemoryMiB: 0,
      reservedPorts: [22, 2375, 2376, 51678, 51679],
      reservedPortsUdp: [],
      instanceAttributes: {},
      dataDir: "/var/lib/ecs/data",
      imagePullBehavior: "default",
      logLevel: "info",
      endpoint: "http://127.0.0.1:7400",
      credentials: undefined,
      region: "us-east-1",
      heartbeatSeconds: 10,
      syncSeconds: 30,
      enableImds: false,
    } satisfies AgentConfig);
  });

  it.each<[Record<string, string>, Partial<AgentConfig>]>([
    [{ ECS_CLUSTER: "web" }, { cluster: "web" }],
    [{ ECS_CONTAINER_STOP_TIMEOUT: "2m" }, { stopTimeoutSeconds: 120 }],
    [{ ECS_CONTAINER_STOP_TIMEOUT: "1m30s" }, { stopTimeoutSeconds: 90 }],
    [{ ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "1h30m" }, { cleanupWaitMs: 5_400_000 }],
    [{ ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "500ms" }, { cleanupWaitMs: 500 }],
    [{ ECS_RESERVED_MEMORY: "256" }, { reservedMemoryMiB: 256 }],
    [{ ECS_RESERVED_PORTS: "[22, 8080]" }, { reservedPorts: [22, 8080] }],
    [{ ECS_RESERVED_PORTS_UDP: "[53]" }, { reservedPortsUdp: [53] }],
    [{ ECS_INSTANCE_ATTRIBUTES: '{"stack":"prod","zone":"a"}' }, { instanceAttributes: { stack: "prod", zone: "a" } }],
    [{ ECS_DATADIR: "/data" }, { dataDir: "/data" }],
    [{ ECS_IMAGE_PULL_BEHAVIOR: "prefer-cached" }, { imagePullBehavior: "prefer-cached" }],
    [{ ECS_LOGLEVEL: "DEBUG" }, { logLevel: "debug" }],
    [{ ECS_ENABLE_IMDS: "true" }, { enableImds: true }],
    [{ BERTH_REGION: "eu-west-3" }, { region: "eu-west-3" }],
    [{ BERTH_HEARTBEAT_SECONDS: "2.5" }, { heartbeatSeconds: 2.5 }],
    [{ BERTH_SYNC_SECONDS: "5" }, { syncSeconds: 5 }],
    [
      { AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s1", AWS_SESSION_TOKEN: "t" },
      { credentials: { accessKeyId: "AKIA1", secretAccessKey: "s1", sessionToken: "t" } },
    ],
    [
      {
        BERTH_ACCESS_KEY_ID: "AKIA2",
        BERTH_SECRET_ACCESS_KEY: "s2",
        AWS_ACCESS_KEY_ID: "x",
        AWS_SECRET_ACCESS_KEY: "y",
      },
      { credentials: { accessKeyId: "AKIA2", secretAccessKey: "s2" } },
    ],
  ])("%j", (env, expected) => {
    expect(fromEnv(env)).toMatchObject(expected);
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ ECS_CONTAINER_STOP_TIMEOUT: "30" }, /ECS_CONTAINER_STOP_TIMEOUT must be a duration.*not '30'/],
    [{ ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "3 hours" }, /ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION .*'3 hours'/],
    [{ ECS_RESERVED_MEMORY: "-1" }, /ECS_RESERVED_MEMORY must be a whole number of MiB, not '-1'/],
    [{ ECS_RESERVED_PORTS: "22,80" }, /ECS_RESERVED_PORTS must be a JSON list .*'22,80'/],
    [{ ECS_RESERVED_PORTS: "[70000]" }, /ECS_RESERVED_PORTS .*'\[70000\]'/],
    [{ ECS_INSTANCE_ATTRIBUTES: '{"n": 1}' }, /ECS_INSTANCE_ATTRIBUTES must be a JSON object of strings/],
    [
      { ECS_IMAGE_PULL_BEHAVIOR: "never" },
      /ECS_IMAGE_PULL_BEHAVIOR must be default, always, once or prefer-cached, not 'never'/,
    ],
    [{ ECS_LOGLEVEL: "trace" }, /ECS_LOGLEVEL .*'trace'/],
    [{ BERTH_ENDPOINT: "not a url" }, /BERTH_ENDPOINT must be a URL, not 'not a url'/],
    [{ BERTH_HEARTBEAT_SECONDS: "0" }, /BERTH_HEARTBEAT_SECONDS .*'0'/],
    [{ BERTH_REGION: "mars" }, /BERTH_REGION .*'mars'/],
    [{ ECS_ENABLE_IMDS: "yes" }, /ECS_ENABLE_IMDS must be true or false, not 'yes'/],
    [{ AWS_ACCESS_KEY_ID: "AKIA1" }, /Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
  ])("rejects %j", (env, message) => {
    expect(() => fromEnv(env)).toThrow(message);
  });

  it("BERTH_ENDPOINT is required", () => {
    expect(() => loadAgentConfig({ env: {}, configFile: false })).toThrow(/BERTH_ENDPOINT is not set/);
  });

  it("reads an ecs.config file; the environment wins over it", () => {
    const config = fromFile(
      `# written by user data
ECS_CLUSTER=web

ECS_RESERVED_MEMORY=128
ECS_INSTANCE_ATTRIBUTES={"team": "edge"}
BERTH_ENDPOINT="http://berth.internal:7400"
`,
      { ECS_CLUSTER: "from-env" },
    );
    expect(config).toMatchObject({
      cluster: "from-env",
      reservedMemoryMiB: 128,
      instanceAttributes: { team: "edge" },
      endpoint: "http://berth.internal:7400",
    });
  });

  it("ECS_CONFIG_FILE names the file", () => {
    const path = join(dir, "named.config");
    writeFileSync(path, "ECS_CLUSTER=named\n");
    expect(loadAgentConfig({ env: { ...BASE, ECS_CONFIG_FILE: path } }).cluster).toBe("named");
  });

  it.each<[string, RegExp]>([
    ["ECS_CLUSTR=web\n", /line 1: ECS_CLUSTR is not a setting Berth's agent knows \(value 'web'\)/],
    ["# ok\nBERTH_ENDPIONT=x\n", /line 2: BERTH_ENDPIONT is not a setting/],
    ["just words\n", /line 1: expected KEY=value, not 'just words'/],
    ["ECS_RESERVED_PORTS=[22,\n", /ECS_RESERVED_PORTS must be a JSON list .*'\[22,'/],
  ])("rejects the file %j", (content, message) => {
    expect(() => fromFile(content)).toThrow(message);
  });

  it("a named config file that does not exist is an error; the default one may be missing", () => {
    expect(() => loadAgentConfig({ env: BASE, configFile: join(dir, "nope") })).toThrow(/does not exist/);
  });

  it("overrides win (local mode)", () => {
    const config = loadAgentConfig({
      env: { ECS_CLUSTER: "web" },
      configFile: false,
      overrides: { endpoint: "http://127.0.0.1:1", cluster: "default", dataDir: "/tmp/x" },
    });
    expect(config).toMatchObject({ endpoint: "http://127.0.0.1:1", cluster: "default", dataDir: "/tmp/x" });
  });
});

describe("the agent's bootstrap token setting", () => {
  const load = (token: string) =>
    loadAgentConfig({ env: { BERTH_ENDPOINT: "http://cp", BERTH_BOOTSTRAP_TOKEN: token }, configFile: false });

  it("reads <access key id>:<secret>", () => {
    expect(load("AKIAX:s3cret+x").bootstrapToken).toEqual({ accessKeyId: "AKIAX", secretAccessKey: "s3cret+x" });
  });

  it("refuses a malformed token without echoing it", () => {
    expect(() => load("s3cretwithoutcolon")).toThrow(/BERTH_BOOTSTRAP_TOKEN must be .*value hidden/);
    expect(() => load("s3cretwithoutcolon")).not.toThrow(/s3cretwithoutcolon/);
  });
});
