#!/usr/bin/env bash
# Ingest benchmark: samples/s acknowledged by ioc-gateway (protobuf over
# WebSocket, Redis durability on, AOF everysec), InfluxDB 1.6 (line protocol
# over HTTP, same samples and batch sizes) and bare Redis XADD of the same
# batches (the ceiling of our log). Servers on core 0, the load on core 1.
#   tools/bench/ingest.sh            (SECONDS_PER_RUN=10 BATCH=5000 by default)
source "$(dirname "$0")/common.sh"
secs="${SECONDS_PER_RUN:-10}"
batch="${BATCH:-5000}"
load="$build/tools/ioc-ingest-load"
rows=()

report() {  # report NAME SAMPLES_PER_S SERVER_CPU_S WALL_S LOAD_CPU_S
  local per_cpu; per_cpu=$(awk -v s="$2" -v w="$4" -v c="$3" 'BEGIN { printf "%.0f", (c > 0 ? s * w / c : 0) }')
  rows+=("$1|$2|$3|$per_cpu|$5")
}

run_load() {  # run_load ARGS... → sets RESULT (samples/s) and LOAD_CPU
  local out; out=$( { /usr/bin/time -f "loadcpu=%U+%S" taskset -c 1 "$load" "$@" --seconds "$secs" --batch "$batch"; } 2>&1 )
  echo "  $out" | tr '\n' ' '; echo
  RESULT=$(echo "$out" | sed -n 's/.*samples_per_s=\([0-9]*\).*/\1/p')
  LOAD_CPU=$(echo "$out" | sed -n 's/.*loadcpu=\([0-9.]*\)+\([0-9.]*\).*/\1 \2/p' | awk '{printf "%.2f", $1 + $2}')
}

# 1. ioc-gateway + Redis
echo "== ioc-gateway (WebSocket, protobuf, Redis AOF everysec)"
start_redis 16400 0
redis_pid=$REDIS_PID
taskset -c 0 "$build/gateway/ioc-gateway" --config "$(bench_config)" --port 18400 --web-root "$root/web" \
  --redis 127.0.0.1:16400 --log-level warn > "$work/gw.out" 2> "$work/gw.err" &
pids+=($!); gw_pid=$!
wait_for curl -sf http://127.0.0.1:18400/readyz
c0=$(cpu_seconds $gw_pid); r0=$(cpu_seconds $redis_pid)
run_load --target gateway --port 18400 --token demo-tax-token --connections 2 --window 8
c1=$(cpu_seconds $gw_pid); r1=$(cpu_seconds $redis_pid)
report "ioc-gateway + Redis" "$RESULT" "$(awk -v a=$c0 -v b=$c1 -v c=$r0 -v d=$r1 'BEGIN{printf "%.2f", b-a+d-c}')" "$secs" "$LOAD_CPU"
gw_rate=$RESULT
kill $gw_pid; redis-cli -p 16400 flushall >/dev/null

# 2. bare Redis XADD of the same batches
echo "== Redis XADD of the same batches (the log's ceiling)"
r0=$(cpu_seconds $redis_pid)
run_load --target redis --port 16400 --connections 2 --window 8
r1=$(cpu_seconds $redis_pid)
report "Redis XADD (ceiling)" "$RESULT" "$(awk -v a=$r0 -v b=$r1 'BEGIN{printf "%.2f", b-a}')" "$secs" "$LOAD_CPU"
kill $redis_pid

# 3. InfluxDB 1.6
echo "== InfluxDB $(influxd version 2>/dev/null | awk '{print $2}') (line protocol over HTTP)"
mkdir -p "$work/influx"
cat > "$work/influx.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:18488"
[meta]
  dir = "$work/influx/meta"
[data]
  dir = "$work/influx/data"
  wal-dir = "$work/influx/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:18486"
  log-enabled = false
[monitor]
  store-enabled = false
CONF
taskset -c 0 influxd -config "$work/influx.conf" > "$work/influx.log" 2>&1 &
pids+=($!); influx_pid=$!
wait_for curl -sf http://127.0.0.1:18486/ping
curl -sf -X POST "http://127.0.0.1:18486/query" --data-urlencode "q=CREATE DATABASE bench" > /dev/null
i0=$(cpu_seconds $influx_pid)
run_load --target influx --port 18486 --connections 2
i1=$(cpu_seconds $influx_pid)
report "InfluxDB 1.6" "$RESULT" "$(awk -v a=$i0 -v b=$i1 'BEGIN{printf "%.2f", b-a}')" "$secs" "$LOAD_CPU"
influx_rate=$RESULT
kill $influx_pid

echo
echo "Ingest, batches of $batch samples, ${secs} s per run, $(nproc) cores, $(date -u +%Y-%m-%d)"
printf "| %-22s | %14s | %14s | %22s | %14s |\n" "server" "samples/s" "server CPU-s" "samples per CPU-second" "load CPU-s"
printf "|%s|%s|%s|%s|%s|\n" "------------------------" "----------------" "----------------" "------------------------" "----------------"
for r in "${rows[@]}"; do
  IFS='|' read -r n s c p l <<< "$r"
  printf "| %-22s | %14s | %14s | %22s | %14s |\n" "$n" "$s" "$c" "$p" "$l"
done
gw_per=$(echo "${rows[0]}" | cut -d'|' -f4); in_per=$(echo "${rows[2]}" | cut -d'|' -f4)
awk -v g="$gw_rate" -v i="$influx_rate" -v gp="$gw_per" -v ip="$in_per" 'BEGIN {
  printf "ioc-gateway / InfluxDB: %.1fx the samples/s, %.1fx the samples per CPU-second\n", (i>0?g/i:0), (ip>0?gp/ip:0) }'
