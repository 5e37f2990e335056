#!/usr/bin/env bash
# Type-checks sst.config.ts and infra/ against SST's own component types and the Pulumi AWS
# provider's, offline except for the npm registry: SST's platform is installed by
# scripts/sst-install.sh, then tsc checks against it. Nothing is deployed and no AWS account is
# needed. CI runs this before `npm test`, whose graph tests evaluate the same platform.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/sst-install.sh
npx tsc -p tsconfig.infra.json
echo "infra/ and sst.config.ts type-check against SST $(cat .sst/platform/version)"
