/**
 * The container instance's first boot (cloud-init user-data, a shell script): Docker from the
 * distribution, Node from nodejs.org (Amazon Linux's own packages lag the version Berth needs), the
 * agent as the one-file bundle this deploy uploaded (agentBundle.ts, agentArtifact.ts), checked
 * against its SHA-256, its settings and bootstrap token from SSM, and a systemd unit that keeps it
 * running. Pure: the launch template fills in the values; the graph test reads the script, and
 * `npm run test:cloud` runs it as the template carries it (test/cloud/host/). Environment set in the
 * unit wins over /etc/ecs/ecs.config (agent/config.ts), so ECS_CLUSTER and BERTH_ENDPOINT are those
 * of this deployment even if the settings parameter is edited by hand. The bootstrap token goes in
 * an environment file readable by root only, not in ecs.config, which is world-readable by custom.
 */
export interface UserDataValues {
  nodeVersion: string;
  /** The agent's bundle as the deploy uploaded it. */
  agent: { bucket: string; key: string; sha256: string };
  cluster: string;
  endpoint: string;
  region: string;
  settingsParameter: string;
  tokenParameter: string;
}

/** Where the agent lands: one file, which needs nothing beside it but Node. */
export const AGENT_HOME = "/opt/berth";
export const AGENT_SCRIPT = `${AGENT_HOME}/bin/berth-agent.mjs`;
/**
 * How Node runs the agent: --optimize-for-size gives up some of V8's peak speed, which an agent
 * that waits on Docker and the network does not use, for ≈ 4.5 MiB less resident memory idle
 * (79 → 74.5 MiB, bench:task-start runs the bundle with these flags).
 */
export const AGENT_NODE_FLAGS = ["--optimize-for-size"];

export function agentUserData(v: UserDataValues): string {
  return `#!/bin/bash
set -euo pipefail
dnf install -y docker
systemctl enable --now docker

arch=$(uname -m); case "$arch" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; esac
mkdir -p /opt/node
curl -fsSL "https://nodejs.org/dist/v${v.nodeVersion}/node-v${v.nodeVersion}-linux-$arch.tar.xz" | tar -xJ -C /opt/node --strip-components=1

mkdir -p ${AGENT_HOME}/bin
aws s3 cp --region ${v.region} 's3://${v.agent.bucket}/${v.agent.key}' ${AGENT_SCRIPT}
echo '${v.agent.sha256}  ${AGENT_SCRIPT}' | sha256sum -c -

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
ExecStart=/opt/node/bin/node ${AGENT_NODE_FLAGS.join(" ")} ${AGENT_SCRIPT}
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now berth-agent
`;
}
