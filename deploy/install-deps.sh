#!/usr/bin/env bash
# Installs the Debian 12 packages ioc-dti needs to build, test and run.
# Safe to run twice: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git time
  libboost1.81-dev libboost-json1.81-dev
  libhiredis-dev libprotobuf-dev protobuf-compiler libssl-dev openssl ca-certificates
  libgtest-dev libbenchmark-dev clang libclang-rt-14-dev
  redis-server redis-sentinel
  chromium
  # the example clients of tools/examples/, run by the integration tests
  python3 openjdk-17-jdk-headless
)
# The machine image may ship its own Node.js; only fall back to Debian's.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  echo "install-deps: installing ${missing[*]}"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
