/**
 * The container instance's first boot (cloud-init user-data, a shell script): Docker from the
 * distribution, Node from nodejs.org (Amazon Linux's own packages lag the version Berth needs),
 * the agent from its npm package, its settings and bootstrap token from SSM, and a systemd unit
 * that keeps `berth agent` running. Pure: the launch template fills in the values, and the synth
 * test reads the script. Environment set in the unit wins over /etc/ecs/ecs.config
 * (agent/config.ts), so ECS_CLUSTER and BERTH_ENDPOINT are those of this deployment even if
 * the settings parameter is edited by hand. The bootstrap token goes in an environment file
 * readable by root only, not in ecs.config, which is world-readable by custom.
 */
export interface UserDataValues {
  nodeVersion: string;
  /** What `npm install -g` installs: `berth@<version>`, or a tarball URL. */
  agentPackage: string;
  cluster: string;
  endpoint: string;
  region: string;
  settingsParameter: string;
  tokenParameter: string;
}

/** Where the agent's entry point lands under the global npm prefix; it must exist in the package. */
export const AGENT_ENTRY = "bin/berth.mjs";
export const AGENT_COMMAND = "agent";

export function agentUserData(v: UserDataValues): string {
  return `#!/bin/bash
set -euo pipefail
dnf install -y docker
systemctl enable --now docker

arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
mkdir -p /opt/node
curl -fsSL "https://nodejs.org/dist/v${v.nodeVersion}/node-v${v.nodeVersion}-linux-$arch.tar.xz" | tar -xJ -C /opt/node --strip-components=1
/opt/node/bin/npm install -g --prefix /opt/node '${v.agentPackage}'

mkdir -p /etc/ecs /etc/berth /var/lib/ecs/data
aws ssm get-parameter --region ${v.region} --name '${v.settingsParameter}' --query Parameter.Value --output text > /etc/ecs/ecs.config
umask 077
echo "BERTH_BOOTSTRAP_TOKEN=$(aws ssm get-parameter --region ${v.region} --name '${v.tokenParameter}' --with-decryption --query Parameter.Value --output text)" > /etc/berth/agent.env
umask 022

cat > /etc/systemd/system/berth-agent.service <<'UNIT'
[Unit]
Description=Berth container-instance agent
After=docker.service network-online.target
Requires=docker.service

[Service]
Environment=ECS_CLUSTER=${v.cluster}
Environment=BERTH_ENDPOINT=${v.endpoint}
Environment=BERTH_REGION=${v.region}
EnvironmentFile=/etc/berth/agent.env
ExecStart=/opt/node/bin/node /opt/node/lib/node_modules/berth/${AGENT_ENTRY} ${AGENT_COMMAND}
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now berth-agent
`;
}
