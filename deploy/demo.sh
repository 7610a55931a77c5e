#!/usr/bin/env bash
# The live demo: installs what is missing, builds, starts a private
# redis-server, the gateway and the province simulator, and prints the wall's
# URL. Ctrl-C stops everything. A second run reuses the build.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
port="${PORT:-8080}"
redis_port="${REDIS_PORT:-6390}"
config="${CONFIG:-deploy/config/quang-tri.json}"

deploy/install-deps.sh
deploy/build.sh

run_dir="$(mktemp -d -t ioc-demo-XXXXXX)"
pids=()
cleanup() {
  echo
  echo "demo: stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT INT TERM

redis-server deploy/redis.conf --port "$redis_port" --bind 127.0.0.1 --dir "$run_dir" \
  --daemonize no --logfile "$run_dir/redis.log" &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

"$build_dir/gateway/ioc-gateway" --config "$config" --port "$port" --web-root web \
  --redis "127.0.0.1:$redis_port" 2> >(tee "$run_dir/gateway.log" >&2) &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# Replay the last 6 hours quickly so the wall has a morning behind it, then go live.
"$build_dir/tools/ioc-sim" --config "$config" --port "$port" --replay-hours "${REPLAY_HOURS:-6}" --speed 600 \
  --scale "${SCALE:-1}" > "$run_dir/sim.log" 2>&1 &
pids+=($!)

cat <<MSG

  ioc-dti demo is running.
    Wall display:   http://127.0.0.1:$port/          (English: http://127.0.0.1:$port/?lang=en)
    Snapshot:       http://127.0.0.1:$port/v1/snapshot
    Metrics:        http://127.0.0.1:$port/metrics
    Logs:           $run_dir (gateway.log, sim.log, redis.log)
  Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}" || true
