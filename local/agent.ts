import { join } from "node:path";
import { CreateClusterCommand } from "@aws-sdk/client-ecs";
import { loadAgentConfig } from "../agent/config.ts";
import { createControlPlane } from "../agent/controlPlane.ts";
import { describeError } from "../agent/log.ts";
import { type AgentDeps, type RunningAgent, startAgent } from "../agent/main.ts";
import { createDockerRuntime } from "../agent/runtime/docker.ts";
import { parseBootstrapToken } from "../core/auth/bootstrapToken.ts";
import { LOCAL_CLUSTER, type LocalOptions } from "./config.ts";
import type { RunningLocal } from "./server.ts";

export interface LocalAgent {
  agent?: RunningAgent;
  /** One line for `berth local`'s banner: what the agent registered as, or why there is none. */
  status: string;
}

/**
 * Local mode's agent: the real agent, in this process, registered in cluster `default` (created
 * if missing) against this control plane with its bootstrap token, its state under the data dir's
 * `agent/`. ECS_* settings from the environment apply (ECS_LOGLEVEL, ECS_RESERVED_MEMORY, …);
 * ecs.config files do not, as they describe a host's agent. Without a reachable Docker engine
 * the control plane runs alone, and says why. `deps` replace the agent's parts (benchmarks trace them).
 */
export async function startLocalAgent(
  local: RunningLocal,
  options: LocalOptions,
  env = process.env,
  deps: AgentDeps = {},
): Promise<LocalAgent> {
  let config: ReturnType<typeof loadAgentConfig>;
  try {
    config = loadAgentConfig({
      env,
      configFile: false,
      overrides: {
        cluster: LOCAL_CLUSTER,
        endpoint: local.url,
        // The agent joins as any host would, with the cluster's bootstrap token, and then works
        // with credentials of its own instance (agent/join.ts).
        bootstrapToken: parseBootstrapToken(local.bootstrapToken.token),
        region: options.partition.region,
        dataDir: join(options.dataDir, "agent"),
        enableImds: false,
      },
    });
  } catch (error) {
    return { status: `off: ${describeError(error)}` };
  }
  const runtime = deps.runtime ?? createDockerRuntime();
  try {
    await runtime.info();
  } catch (error) {
    return {
      status: `off: Docker is not reachable (${describeError(error)}), so tasks stay PENDING. Start dockerd and restart Berth.`,
    };
  }
  // Creating the cluster is the admin's business: the bootstrap token may only join it.
  const admin = createControlPlane({ ...config, credentials: local.credentials });
  try {
    await admin.ecs.send(new CreateClusterCommand({ clusterName: LOCAL_CLUSTER }));
    admin.destroy();
    const agent = await startAgent(config, { ...deps, runtime });
    return {
      agent,
      status: `registered as ${agent.containerInstanceArn} (cluster ${LOCAL_CLUSTER}, Docker on this machine)`,
    };
  } catch (error) {
    admin.destroy();
    return { status: `off: the agent could not start (${describeError(error)}).` };
  }
}
