#!/usr/bin/env bash
# Installs AWS's Lambda Runtime Interface Client for `npm run test:cloud` into test/cloud/ric/, once.
# Its install scripts build curl and aws-lambda-cpp with cmake, then a Node addon with node-gyp
# (a few CPU-minutes): kept out of the project's own `npm ci`, which needs no compiler. node-gyp
# would download Node's headers from nodejs.org (unreachable here): it is pointed at the headers
# that npm's `node` package ships beside its binary (node-<os>-<arch>/include/node), or those of a
# Node installed otherwise (<prefix>/include/node), of the Node that runs the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../test/cloud/ric"

if [ -f node_modules/aws-lambda-ric/package.json ] && [ -n "$(find node_modules/aws-lambda-ric -name '*.node' -print -quit)" ]; then
  exit 0
fi

missing=()
for tool in cmake make g++ python3 xz; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test:cloud needs ${missing[*]} to build aws-lambda-ric (Debian: apt-get install cmake build-essential python3 xz-utils)" >&2
  exit 1
fi

node_headers() {
  local bin prefix
  bin="$(readlink -f "$(command -v node)")"
  prefix="$(dirname "$(dirname "$bin")")"
  for dir in "$prefix"/node_modules/node-*-* "$prefix"; do
    if [ -f "$dir/include/node/node_version.h" ] && [ -f "$dir/include/node/common.gypi" ]; then
      echo "$dir"
      return
    fi
  done
}
headers="$(node_headers)"
if [ -z "$headers" ]; then
  echo "no headers of node $(node -v) beside $(readlink -f "$(command -v node)"): node-gyp cannot build aws-lambda-ric" >&2
  exit 1
fi

echo "building aws-lambda-ric for test:cloud in test/cloud/ric (once; a few minutes), headers from $headers"
npm_config_nodedir="$headers" npm ci --no-audit --no-fund --loglevel=error
