#!/usr/bin/env bash
# Installs the Debian tools the tests use as reference implementations and fixture makers:
# hive writers/readers (hivex and its hivexregedit, libregf), event log readers (libevt, libevtx, python-evtx),
# file system makers (ntfs-3g, mtools, dosfstools), image makers (ewf-tools, qemu-utils),
# partitioners (fdisk, gdisk) and The Sleuth Kit. Tests that need a tool skip with a message
# when it is absent, so a machine without root still runs the rest.
set -euo pipefail
packages=(libhivex-bin libwin-hivex-perl libregf-utils libevt-utils libevtx-utils python3-evtx sleuthkit ntfs-3g
  mtools dosfstools ewf-tools qemu-utils fdisk gdisk libfsntfs-utils)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-tools: all ${#packages[@]} packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
  echo "install-test-tools: not root; missing ${missing[*]} (tests needing them will skip)" >&2
  exit 0
fi
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "install-test-tools: installing ${missing[*]}"
run apt-get update -qq
DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends "${missing[@]}"
