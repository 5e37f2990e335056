import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsCli } from "../../support/awsCli.ts";
import { type AgentProcess, spawnNodeScript } from "../../support/cli.ts";
import type { CloudDeployment } from "../deployment/deployment.ts";
import { one, TYPES } from "../deployment/graphParts.ts";

/**
 * A container instance joining the deployment, by the steps of the launch template's user-data
 * (infra/userData.ts), against the stand-ins: the agent's bundle downloaded from the bucket the
 * deploy uploaded it to and checked against the SHA-256 its key names, ecs.config from the
 * settings parameter, the bootstrap token from its SecureString parameter, then the agent
 * started with the unit's environment. NOT the user-data itself: that script installs Docker
 * and Node with dnf and curl and runs the agent under systemd, which needs an EC2-like machine;
 * here the agent bundle runs as a process of this machine, on its Docker engine. It is not an
 * EC2 instance either, so it sends no identity document (ECS_ENABLE_IMDS=false; the deployment
 * is evaluated with BERTH_EC2_IDENTITY_CHECK=0).
 */
export async function joinHost(cloud: CloudDeployment, name: string): Promise<AgentProcess> {
  const { region } = cloud.partition;
  const home = mkdtempSync(join(tmpdir(), `berth-host-${name}-`));
  // The AWS CLI, as the user-data calls it, with the host role's (dummy) credentials.
  const aws = (service: string, args: string[]) =>
    awsCli({ url: cloud.motoEndpoint, region, accessKeyId: "host", secretAccessKey: "host" }, service, args);

  const agent = one(cloud.graph, TYPES.object, (o) => String(o.key).startsWith("agent/"));
  const expected = /([0-9a-f]{64})\.mjs$/.exec(agent.key)?.[1];
  const script = join(home, "berth-agent.mjs");
  await aws("s3", ["cp", `s3://${agent.bucket}/${agent.key}`, script]);
  const actual = createHash("sha256").update(readFileSync(script)).digest("hex");
  if (actual !== expected) throw new Error(`agent bundle: SHA-256 ${actual}, its key says ${expected}`);

  const read = async (parameter: string) =>
    (
      await aws("ssm", [
        "get-parameter",
        "--name",
        parameter,
        "--with-decryption",
        "--query",
        "Parameter.Value",
        "--output",
        "text",
      ])
    ).replace(/\n$/, "");
  const settingsName = one(cloud.graph, TYPES.parameter, (p) => String(p.name).endsWith("/agent/settings")).name;
  const tokenName = one(cloud.graph, TYPES.parameter, (p) => String(p.name).endsWith("/agent/bootstrap-token")).name;
  const settings = await read(settingsName);
  writeFileSync(join(home, "ecs.config"), settings);
  mkdirSync(join(home, "data"));

  const fromSettings = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(settings)?.[1] as string;
  return spawnAgentBundle(script, {
    ECS_CONFIG_FILE: join(home, "ecs.config"),
    ECS_DATADIR: join(home, "data"),
    // The unit's Environment= lines: this deployment's cluster, endpoint and region.
    ECS_CLUSTER: fromSettings("ECS_CLUSTER"),
    BERTH_ENDPOINT: fromSettings("BERTH_ENDPOINT"),
    BERTH_REGION: fromSettings("BERTH_REGION"),
    BERTH_BOOTSTRAP_TOKEN: await read(tokenName),
    ECS_ENABLE_IMDS: "false",
    // As often as the control plane expects (what the deploy gave the API function; 10 s unset).
    BERTH_HEARTBEAT_SECONDS:
      cloud.graph.functions.find((f) => f.entry === "api")?.environment.BERTH_AGENT_HEARTBEAT_SECONDS ?? "10",
    ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "1s",
    // The instance role's credentials, with which the agent reads its wake-up queue.
    AWS_ACCESS_KEY_ID: "ASIAOFFLINEHOSTROLE0",
    AWS_SECRET_ACCESS_KEY: "offline-host-role-secret",
    AWS_SESSION_TOKEN: "offline-host-role-session",
    ...cloud.network,
  });
}

async function spawnAgentBundle(script: string, env: Record<string, string>): Promise<AgentProcess> {
  const { match, ...cli } = await spawnNodeScript([script], env, /registered as (\S+)/, "the agent bundle");
  return { ...cli, containerInstanceArn: match[1] };
}
