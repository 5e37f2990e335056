import type { KeyPair } from "../core/auth/bootstrapToken.ts";
import type { AgentStateFile } from "./agentStateFile.ts";
import type { AgentConfig } from "./config.ts";
import { type ControlPlane, createControlPlane } from "./controlPlane.ts";
import { describeError, type Logger } from "./log.ts";
import { registerInstance } from "./register.ts";
import type { RuntimeInfo } from "./runtime/types.ts";

/** A control plane client whose key can change (the agent's own credentials replace the bootstrap token's). */
export interface SwitchableControlPlane extends ControlPlane {
  use(credentials: KeyPair): void;
}

export function switchableControlPlane(config: AgentConfig, initial?: ControlPlane): SwitchableControlPlane {
  let current = initial ?? createControlPlane(config);
  return {
    get ecs() {
      return current.ecs;
    },
    berth: (action, input, signal) => current.berth(action, input, signal),
    autoScaling: (action, input, signal) => current.autoScaling(action, input, signal),
    clockOffsetMs: () => current.clockOffsetMs?.() ?? 0,
    use(credentials) {
      current.destroy();
      current = createControlPlane({ ...config, credentials });
    },
    destroy: () => current.destroy(),
  };
}

/** The instance's own credentials, fetched with the bootstrap key right after registering (Berth GetAgentCredentials). */
const fetchAgentCredentials = (bootstrap: ControlPlane, cluster: string, containerInstanceArn: string) =>
  bootstrap.berth<KeyPair>("GetAgentCredentials", { cluster, containerInstance: containerInstanceArn });

/** The answers that mean the agent's own credentials no longer work: deleted, or the instance deregistered. */
export const isRevoked = (error: unknown) =>
  ["AccessDeniedException", "UnrecognizedClientException"].includes((error as Error).name);

/**
 * Joins the cluster and returns the container instance ARN, leaving `cp` signed with the key the
 * agent works with from then on. Without a bootstrap token: the configured key does everything.
 * With one: the instance's own credentials from the state file renew its registration; when
 * there are none, or they were revoked, the bootstrap key registers a new container instance
 * and fetches its credentials (Berth GetAgentCredentials), which the state file keeps (0600).
 */
export async function joinCluster(
  cp: SwitchableControlPlane,
  config: AgentConfig,
  host: RuntimeInfo,
  state: AgentStateFile,
  log: Logger,
  previousArn: string | undefined,
): Promise<string> {
  if (!config.bootstrapToken) return registerInstance(cp, config, host, previousArn, log);
  const saved = state.get();
  if (saved.credentials && previousArn) {
    cp.use(saved.credentials);
    try {
      return await registerInstance(cp, config, host, previousArn, log);
    } catch (error) {
      if (!isRevoked(error) && (error as Error).name !== "ClientException") throw error;
      log.warn(
        `${previousArn}'s credentials no longer work (${describeError(error)}); joining with the bootstrap token.`,
      );
    }
  }
  cp.use(config.bootstrapToken);
  const arn = await registerInstance(cp, config, host, undefined, log);
  const credentials = await fetchAgentCredentials(cp, config.cluster, arn);
  state.update({ cluster: config.cluster, containerInstanceArn: arn, credentials });
  cp.use(credentials);
  return arn;
}
