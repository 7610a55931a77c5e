#!/usr/bin/env bash
# Installs the Debian 12 packages ioc-dti needs to build, test and run.
# Safe to run twice: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git time
  libboost1.81-dev libboost-json1.81-dev
  libhiredis-dev libprotobuf-dev protobuf-compiler libssl-dev openssl ca-certificates
  libxlsxwriter-dev
  libgtest-dev libbenchmark-dev clang libclang-rt-14-dev
  redis-server redis-sentinel
  chromium
  # the example clients of tools/examples/, run by the integration tests
  python3 openjdk-17-jdk-headless
  # reads the XLSX exports back in the integration tests
  python3-openpyxl
)
# --tests: also what only the tests use. nginx (the shipped reverse-proxy
# configuration is tested with the real server) is installed without starting
# Debian's own nginx service on port 80; prometheus brings promtool, which
# checks /metrics and unit-tests deploy/prometheus/ (its server is not started).
with_tests=false
[[ "${1:-}" == "--tests" ]] && with_tests=true
$with_tests && packages+=(nginx-light prometheus)
# The package test (tests/integration/package_install_test.cpp) runs the
# maintainer scripts: systemd-sysusers and systemd-tmpfiles come with systemd
# (absent from minimal containers); cpack's dpkg-shlibdeps with dpkg-dev.
$with_tests && packages+=(systemd dpkg-dev)
# pdfinfo and pdftotext read the monthly report's PDF back in the tests.
$with_tests && packages+=(poppler-utils)
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
  # policy-rc.d 101: packages installed now do not start their services
  # (nginx would take port 80; redis-server and redis-sentinel are started by
  # the demo and the tests themselves).
  policy=/usr/sbin/policy-rc.d
  made_policy=false
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee $policy >/dev/null && $sudo_cmd chmod +x $policy && made_policy=true
  fi
  status=0
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
  $made_policy && $sudo_cmd rm -f $policy
  exit $status
else
  echo "install-deps: all packages present"
fi
