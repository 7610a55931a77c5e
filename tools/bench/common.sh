# Shared by the benchmark scripts: private servers on loopback, CPU accounting.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-$root/build}"
work="$(mktemp -d -t ioc-bench-XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# CPU seconds (user + system) a process has used so far.
cpu_seconds() {
  local ticks; ticks=$(awk '{print $14 + $15}' "/proc/$1/stat")
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }'
}

wait_for() {  # wait_for CMD... : retry for up to 10 s
  for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for: $*" >&2; return 1
}

# The pre-2025 configuration (its ten district codes are what the load drivers
# send) with ingest limits raised for benchmarking.
bench_config() {
  sed -e 's/"batches_per_second": 200/"batches_per_second": 1000000/' \
      -e 's/"burst_batches": 400/"burst_batches": 1000000/' \
      -e 's/"max_message_bytes": 1048576/"max_message_bytes": 16777216/' \
      -e 's/"max_samples_per_batch": 10000/"max_samples_per_batch": 20000/' \
      "$root/deploy/config/history/quang-tri-2024.json" > "$work/bench.json"
  echo "$work/bench.json"
}

start_redis() {  # start_redis PORT CORE  (each its own directory: no AOF from another run)
  mkdir -p "$work/redis-$1"
  taskset -c "$2" redis-server "$root/deploy/redis.conf" --port "$1" --bind 127.0.0.1 --dir "$work/redis-$1" \
    --daemonize no --logfile "$work/redis-$1.log" &
  pids+=($!); REDIS_PID=$!
  wait_for redis-cli -p "$1" ping
}
