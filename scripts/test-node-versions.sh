#!/usr/bin/env bash
# Runs the test suite under the other Node.js versions users run (22 and 24 LTS), besides the
# machine's own, with binaries from scripts/fetch-node.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
for major in ${@:-22 24}; do
  node_bin=$(bash scripts/fetch-node.sh "$major")
  if [ -z "$node_bin" ]; then
    echo "test-node-versions: no Node $major for this machine; skipped"
    continue
  fi
  echo "test-node-versions: node $("$node_bin" --version)"
  PATH="$(dirname "$node_bin"):$PATH" npx vitest run
done
