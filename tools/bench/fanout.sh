#!/usr/bin/env bash
# Fan-out benchmark: 1,000 displays on one gateway while an agency ingests
# 100,000 samples/s (Redis durability on). Latency from a sample's arrival to
# the first display frame including it, at the default push rate (10/s); then
# with coalescing off (every update to every display) at OFF_RATE samples/s in
# batches of 1,000 (= OFF_RATE/1000 updates a second), side by side with
# Mosquitto 2.0 (WebSocket listener, QoS 0, one topic per indicator) carrying
# the same update stream: as many updates a second, of the same size.
# Servers on core 0, displays/subscribers and publishers on core 1.
#   tools/bench/fanout.sh     (DISPLAYS=1000 RATE=100000 OFF_RATE=30000 SECONDS_PER_RUN=15)
source "$(dirname "$0")/common.sh"
displays="${DISPLAYS:-1000}"
rate="${RATE:-100000}"
secs="${SECONDS_PER_RUN:-15}"
off_rate="${OFF_RATE:-30000}"
ulimit -n 20000 2>/dev/null || true

run() {  # run PUSH_RATE LABEL INGEST_RATE
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
  local out; out=$( { /usr/bin/time -f "load_cpu_s=%U+%S" taskset -c 1 "$build/tools/ioc-fanout-load" --port $gport \
    --displays "$displays" --rate "$3" --seconds "$secs" --gateway-pid "$gw"; } 2>&1 | tr '\n' ' ')
  local c1 r1; c1=$(cpu_seconds $gw); r1=$(cpu_seconds $redis_pid)
  LAST_OUT="$out"
  LAST_CPU=$(awk -v a=$c0 -v b=$c1 -v c=$r0 -v d=$r1 'BEGIN{printf "%.2f", b-a+d-c}')
  echo "$2: $out gateway_cpu_s=$(awk -v a=$c0 -v b=$c1 'BEGIN{printf "%.2f", b-a}') redis_cpu_s=$(awk -v a=$r0 -v b=$r1 'BEGIN{printf "%.2f", b-a}')"
  kill $gw $redis_pid; wait $gw $redis_pid 2>/dev/null || true
}

echo "Fan-out, $displays displays, ingest $rate samples/s, ${secs} s, $(nproc) cores, $(date -u +%Y-%m-%d)"
run 10 "push 10/s (default)" "$rate"
run 0 "coalescing off" "$off_rate"
ours_rate=$(echo "$LAST_OUT" | sed -n 's/.*frames_per_s=\([0-9]*\).*/\1/p')
frame_bytes=$(echo "$LAST_OUT" | awk '{for(i=1;i<=NF;i++){split($i,a,"="); v[a[1]]=a[2]}} END {printf "%d", v["mbytes_per_s"]*1e6/v["frames_per_s"]}')
ours_per_cpu=$(awk -v f="$ours_rate" -v s="$secs" -v c="$LAST_CPU" 'BEGIN{printf "%.0f", f*s/c}')

# Mosquitto with the same update stream.
cat > "$work/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence false
log_dest none
listener 11883 127.0.0.1
listener 18883 127.0.0.1
protocol websockets
CONF
taskset -c 0 mosquitto -c "$work/mosquitto.conf" &
pids+=($!); mq=$!
sleep 0.5
m0=$(cpu_seconds $mq)
mout=$( { /usr/bin/time -f "load_cpu_s=%U+%S" taskset -c 1 "$build/tools/ioc-mqtt-fanout-load" --ws-port 18883 \
  --tcp-port 11883 --subscribers "$displays" --rate $((off_rate / 1000)) --payload "$frame_bytes" --seconds "$secs"; } 2>&1 | tr '\n' ' ')
m1=$(cpu_seconds $mq)
mq_cpu=$(awk -v a=$m0 -v b=$m1 'BEGIN{printf "%.2f", b-a}')
echo "mosquitto $(mosquitto -h 2>&1 | head -1 | awk '{print $3}'): $mout mosquitto_cpu_s=$mq_cpu"
mq_rate=$(echo "$mout" | sed -n 's/.*deliveries_per_s=\([0-9]*\).*/\1/p')
mq_per_cpu=$(awk -v f="$mq_rate" -v s="$secs" -v c="$mq_cpu" 'BEGIN{printf "%.0f", f*s/c}')
echo
echo "coalescing off, $((off_rate / 1000)) updates/s of $frame_bytes bytes to $displays displays:"
echo "  ioc-gateway: $ours_rate deliveries/s, $ours_per_cpu per server CPU-second"
echo "  mosquitto:   $mq_rate deliveries/s, $mq_per_cpu per server CPU-second"
awk -v a="$ours_per_cpu" -v b="$mq_per_cpu" 'BEGIN { printf "  ratio: %.1fx Mosquitto'"'"'s deliveries per CPU-second\n", (b > 0 ? a / b : 0) }'
