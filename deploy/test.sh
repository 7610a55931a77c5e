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
# run_fuzzer NAME SECONDS SEED_DIR WHAT: its corpus, log and crash files under $fuzz_dir/NAME-*.
run_fuzzer() {
  local name=$1 seconds=$2 seeds=$3 what=$4 fuzz_status=0
  [[ -x "$fuzz_dir/tests/fuzz/$name" ]] || return 0
  echo "== fuzzing $what for $seconds s"
  mkdir -p "$fuzz_dir/$name-corpus"
  "$fuzz_dir/tests/fuzz/$name" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=4096 -timeout=10 \
    -artifact_prefix="$fuzz_dir/$name-crash-" "$fuzz_dir/$name-corpus" "$seeds" > "$fuzz_dir/$name.log" 2>&1 || fuzz_status=$?
  tail -n 15 "$fuzz_dir/$name.log"
  if (( fuzz_status != 0 )); then
    echo "$name found a crash (exit $fuzz_status): see $fuzz_dir/$name.log"
    status=$fuzz_status
  fi
}
run_fuzzer ingest_fuzzer "${FUZZ_SECONDS:-60}" tests/fuzz/corpus "the ingest decoder and validator"
run_fuzzer ws_wire_fuzzer "${WS_FUZZ_SECONDS:-20}" tests/fuzz/ws_corpus "the WebSocket client-frame reader"
exit $status
