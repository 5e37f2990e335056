import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { awsCliEnv } from "../../support/awsCli.ts";
import { type AgentProcess, spawnUntilReady } from "../../support/cli.ts";
import type { CloudDeployment } from "../deployment/deployment.ts";
import { one, TYPES } from "../deployment/graphParts.ts";
import { nodeTarball } from "./nodeTarball.ts";

/** The boot script and the stand-in commands of a host (machine/). */
const MACHINE = join(import.meta.dirname, "machine");

/**
 * A container instance joining the deployment as an EC2 instance launched from the graph's launch
 * template does: its user-data, decoded from the template, run for real as root by
 * machine/boot.sh in a mount and PID namespace of its own (`unshare`), whatever it writes in
 * /etc, /opt and /var/lib kept on a tmpfs of that namespace. The real AWS CLI downloads the agent's
 * bundle from the bucket and reads the settings and bootstrap token from SSM, all at moto
 * (AWS_ENDPOINT_URL), and the script's own `sha256sum -c` checks the bundle. What only EC2 has is
 * stood in for by machine/bin/ (first on PATH): dnf (Docker is already here), systemctl (starts
 * the unit's ExecStart, the agent then running on this machine's Docker engine), curl (nodejs.org's
 * Node tarball, made from the Node running the tests: nodeTarball.ts).
 *
 * The machine is not an EC2 instance: it has no instance metadata service, so the agent sends no
 * identity document (ECS_ENABLE_IMDS=false; the deployment is evaluated with
 * BERTH_EC2_IDENTITY_CHECK=0) and gets the instance role's credentials from its environment.
 * Killing the returned process's host (stop) kills the machine and everything on it.
 */
export async function joinHost(cloud: CloudDeployment, name: string): Promise<AgentProcess> {
  const { region } = cloud.partition;
  const home = mkdtempSync(join(tmpdir(), `berth-host-${name}-`));
  const userData = join(home, "user-data");
  const encoded = String(one(cloud.graph, TYPES.launchTemplate).userData);
  writeFileSync(userData, Buffer.from(encoded, "base64"), { mode: 0o700 });

  // What this machine gives the agent's unit that EC2 would give it otherwise (systemd's manager
  // environment, under the unit's own; read by machine/bin/systemctl).
  const manager = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    // DNS: AWS's hostnames to the stand-ins.
    ...cloud.network,
    // IMDS: none here, and the instance role's credentials, with which the agent reads its wake-up queue.
    ECS_ENABLE_IMDS: "false",
    AWS_ACCESS_KEY_ID: "ASIAOFFLINEHOSTROLE0",
    AWS_SECRET_ACCESS_KEY: "offline-host-role-secret",
    AWS_SESSION_TOKEN: "offline-host-role-session",
    // As often as the control plane expects (what the deploy gave the API function; 10 s unset).
    BERTH_HEARTBEAT_SECONDS:
      cloud.graph.functions.find((f) => f.entry === "api")?.environment.BERTH_AGENT_HEARTBEAT_SECONDS ?? "10",
    ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "1s",
  };
  writeFileSync(
    join(home, "manager.env"),
    Object.entries(manager)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(""),
  );

  const boot = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", join(MACHINE, "boot.sh")];
  const { match, ...machine } = await spawnUntilReady(
    [...boot, userData],
    {
      PATH: `${join(MACHINE, "bin")}${delimiter}${process.env.PATH}`,
      BERTH_MACHINE_HOME: home,
      BERTH_MACHINE_NODE_TARBALL: await nodeTarball(),
      // The user-data's AWS CLI, with the host role's (dummy) credentials, at moto.
      ...awsCliEnv({ region, accessKeyId: "host", secretAccessKey: "host" }),
      AWS_ENDPOINT_URL: cloud.motoEndpoint,
    },
    /registered as (\S+)/,
    `host ${name}`,
    // The user-data's downloads and CLI calls come first, on a machine busy with the deployment.
    { group: true, readyWithinMs: 90_000 },
  );
  return { ...machine, containerInstanceArn: match[1] };
}
