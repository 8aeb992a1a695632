#!/usr/bin/env bash
# Installs the Debian packages suanli needs, only when something is missing.
#   scripts/setup.sh [EXTRA_PACKAGE...]   (e.g. etcd-server for the benchmark)
set -euo pipefail

packages=(g++ cmake ninja-build ccache pkg-config libgtest-dev librocksdb-dev libsodium-dev
          nlohmann-json3-dev libspdlog-dev libboost-dev libboost-system-dev
          libboost-program-options-dev libjemalloc-dev
          chromium fonts-wqy-zenhei)  # the explorer's browser test (tests/web), CJK glyphs
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi
