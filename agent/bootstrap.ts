import type { ControlPlane } from "./controlPlane.ts";

export interface AgentKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export { parseBootstrapToken } from "../core/auth/bootstrapToken.ts";

/** The instance's own credentials, fetched with the bootstrap key right after registering (Berth GetAgentCredentials). */
export const fetchAgentCredentials = (bootstrap: ControlPlane, cluster: string, containerInstanceArn: string) =>
  bootstrap.berth<AgentKey>("GetAgentCredentials", { cluster, containerInstance: containerInstanceArn });
