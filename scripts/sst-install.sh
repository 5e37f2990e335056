#!/usr/bin/env bash
# Writes SST's platform to .sst/platform (its components' TypeScript sources, embedded in the CLI)
# and npm-installs the providers there, offline except for the npm registry: the flags skip what
# needs GitHub (downloading Pulumi's engine and Bun, npm is used instead) and telemetry. Used by
# scripts/check-infra.sh and by the graph tests (test/infra/graph.ts) when .sst/platform is absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SST_SKIP_DEPENDENCY_CHECK=true SST_NO_BUN=true SST_TELEMETRY_DISABLED=true \
  npx sst install --stage "${SST_STAGE:-typecheck}"
