#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, integration,
# redis, e2e (headless Chromium) and faults; then the ingest fuzzer and the
# WebSocket frame-reader fuzzer, each for a bounded time. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"

deploy/install-deps.sh --tests
deploy/build.sh
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/contract && npm ci --no-audit --no-fund --loglevel=error)

status=0
(cd "$build_dir" && ctest --output-on-failure --timeout 600 -j "${TEST_JOBS:-2}") || status=$?

# The fuzzer needs clang; it gets its own small build directory.
fuzz_dir="${build_dir}-fuzz"
if [[ ! -f "$fuzz_dir/build.ninja" ]]; then
  cmake -S . -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DIOC_FUZZ=ON -DIOC_BUILD_TESTS=OFF -DIOC_SANITIZE_UNIT_TESTS=OFF >/dev/null
fi
cmake --build "$fuzz_dir" --target ingest_fuzzer ws_wire_fuzzer --parallel "${BUILD_JOBS:-2}"
if [[ -x "$fuzz_dir/tests/fuzz/ingest_fuzzer" ]]; then
  echo "== fuzzing the ingest decoder and validator for ${FUZZ_SECONDS:-60} s"
  mkdir -p "$fuzz_dir/corpus"
  fuzz_status=0
  "$fuzz_dir/tests/fuzz/ingest_fuzzer" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 -rss_limit_mb=4096 \
    -artifact_prefix="$fuzz_dir/crash-" "$fuzz_dir/corpus" tests/fuzz/corpus > "$fuzz_dir/fuzz.log" 2>&1 || fuzz_status=$?
  tail -n 15 "$fuzz_dir/fuzz.log"
  if (( fuzz_status != 0 )); then
    echo "fuzzer found a crash (exit $fuzz_status): see $fuzz_dir/fuzz.log"
    status=$fuzz_status
  fi
fi
if [[ -x "$fuzz_dir/tests/fuzz/ws_wire_fuzzer" ]]; then
  echo "== fuzzing the WebSocket client-frame reader for ${WS_FUZZ_SECONDS:-20} s"
  mkdir -p "$fuzz_dir/ws-corpus"
  fuzz_status=0
  "$fuzz_dir/tests/fuzz/ws_wire_fuzzer" -max_total_time="${WS_FUZZ_SECONDS:-20}" -print_final_stats=1 -rss_limit_mb=4096 \
    -artifact_prefix="$fuzz_dir/ws-crash-" "$fuzz_dir/ws-corpus" tests/fuzz/ws_corpus > "$fuzz_dir/ws-fuzz.log" 2>&1 || fuzz_status=$?
  tail -n 6 "$fuzz_dir/ws-fuzz.log"
  if (( fuzz_status != 0 )); then
    echo "ws_wire fuzzer found a crash (exit $fuzz_status): see $fuzz_dir/ws-fuzz.log"
    status=$fuzz_status
  fi
fi
exit $status
