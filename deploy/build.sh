#!/usr/bin/env bash
# Configures and builds ioc-dti with Ninja and ccache into ./build (or $BUILD_DIR).
# A second run rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
# Two cores and ~1.5 GB per Beast translation unit: two jobs fit.
cmake --build "$build_dir" --parallel "${BUILD_JOBS:-2}"
