#!/usr/bin/env bash
# Type-checks sst.config.ts and infra/ against SST's own component types and the Pulumi AWS
# provider's, offline except for the npm registry. `sst install` writes SST's platform (its
# components' TypeScript sources, embedded in the CLI) to .sst/platform and npm-installs the
# providers there; the flags skip what needs GitHub: downloading Pulumi's engine and Bun (npm is
# used instead), and telemetry. Nothing is deployed and no AWS account is needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SST_SKIP_DEPENDENCY_CHECK=true SST_NO_BUN=true SST_TELEMETRY_DISABLED=true \
  npx sst install --stage "${SST_STAGE:-typecheck}"
npx tsc -p tsconfig.infra.json
echo "infra/ and sst.config.ts type-check against SST $(cat .sst/platform/version)"
