#!/usr/bin/env bash
# Fan-out benchmark: 1,000 displays on one gateway while an agency ingests
# 100,000 samples/s (Redis durability on). Latency from a sample's arrival to
# the first display frame including it, at the default push rate (10/s) and
# with coalescing off (every update to every display). Gateway and Redis on
# core 0, displays and ingest on core 1.
#   tools/bench/fanout.sh     (DISPLAYS=1000 RATE=100000 SECONDS_PER_RUN=15)
source "$(dirname "$0")/common.sh"
displays="${DISPLAYS:-1000}"
rate="${RATE:-100000}"
secs="${SECONDS_PER_RUN:-15}"
ulimit -n 20000 2>/dev/null || true

run() {  # run PUSH_RATE LABEL
  local cfg="$work/fanout-$1.json"
  sed -e "s/\"push_rate_hz\": 10/\"push_rate_hz\": $1/" "$(bench_config)" > "$cfg"
  local rport=$((16410 + $1)) gport=$((18410 + $1))
  start_redis $rport 0
  local redis_pid=$REDIS_PID
  taskset -c 0 "$build/gateway/ioc-gateway" --config "$cfg" --port $gport --web-root "$root/web" \
    --redis 127.0.0.1:$rport --log-level warn > /dev/null 2> "$work/gw-$1.err" &
  pids+=($!); local gw=$!
  wait_for curl -sf http://127.0.0.1:$gport/readyz
  local c0 r0; c0=$(cpu_seconds $gw); r0=$(cpu_seconds $redis_pid)
  local out; out=$(taskset -c 1 "$build/tools/ioc-fanout-load" --port $gport --displays "$displays" --rate "$rate" \
    --seconds "$secs" --gateway-pid "$gw")
  local c1 r1; c1=$(cpu_seconds $gw); r1=$(cpu_seconds $redis_pid)
  echo "$2: $out gateway_cpu_s=$(awk -v a=$c0 -v b=$c1 'BEGIN{printf "%.2f", b-a}') redis_cpu_s=$(awk -v a=$r0 -v b=$r1 'BEGIN{printf "%.2f", b-a}')"
  kill $gw $redis_pid; wait $gw $redis_pid 2>/dev/null || true
}

echo "Fan-out, $displays displays, ingest $rate samples/s, ${secs} s, $(nproc) cores, $(date -u +%Y-%m-%d)"
run 10 "push 10/s (default)"
run 0 "coalescing off"
