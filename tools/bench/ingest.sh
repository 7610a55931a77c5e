#!/usr/bin/env bash
# Ingest benchmark, samples acknowledged per server CPU-second, one run with
# every peer on the same samples (5,000-sample batches by default, every
# sample new: see tools/ingest_load.cpp) and the same durability class: an
# acknowledged batch survives the server process being killed and loses at
# most about a second to a power cut.
#   ioc-gateway      protobuf over WebSocket; acked once Redis answered its XADD
#                    (Redis AOF, appendfsync everysec: written before the reply)
#                    server CPU = gateway + redis-server
#   Redis XADD       the same batches XADDed by the load itself: what Redis alone
#                    costs for the same bytes (the floor under our figure)
#   VictoriaMetrics  line protocol on /write, its defaults (acks once in memory,
#                    flushed to disk every second: it may lose that second to a
#                    kill -9 too, a weaker class than ours)
#   InfluxDB 1.6     line protocol on /write, its defaults: the WAL is fsynced
#                    before each answer, a stronger class (with wal-fsync-delay
#                    each request waits for the delayed fsync: a few requests a second)
# Servers on core 0, the load on core 1. Then how one gateway scales from 1 to
# 2 threads (both cores for the servers, the load sharing core 1).
#   tools/bench/ingest.sh            (SECONDS_PER_RUN=10 BATCH=5000 by default)
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/ingest_peers.sh"
secs="${SECONDS_PER_RUN:-10}"
batch="${BATCH:-5000}"
load="$build/tools/ioc-ingest-load"
install_peers influxdb victoria-metrics
config="$(ingest_config)"
areas="$(commune_codes "$config")"
rows=()

report() {  # report NAME SAMPLES_PER_S SERVER_CPU_S WALL_S LOAD_CPU_S
  local per_cpu; per_cpu=$(awk -v s="$2" -v w="$4" -v c="$3" 'BEGIN { printf "%.0f", (c > 0 ? s * w / c : 0) }')
  rows+=("$1|$2|$3|$per_cpu|$5")
}

run_load() {  # run_load CORES ARGS... → sets RESULT (samples/s) and LOAD_CPU
  local cores=$1; shift
  local out; out=$( { /usr/bin/time -f "loadcpu=%U+%S" taskset -c "$cores" "$load" "$@" --seconds "$secs" --batch "$batch" --areas "$areas"; } 2>&1 )
  echo "  $out" | tr '\n' ' '; echo
  RESULT=$(echo "$out" | sed -n 's/.*samples_per_s=\([0-9]*\).*/\1/p')
  LOAD_CPU=$(echo "$out" | sed -n 's/.*loadcpu=\([0-9.]*\)+\([0-9.]*\).*/\1 \2/p' | awk '{printf "%.2f", $1 + $2}')
}

start_gateway() {  # start_gateway CORES THREADS REDIS_PORT HTTP_PORT → GW_PID
  taskset -c "$1" "$build/gateway/ioc-gateway" --config "$config" --port "$4" --web-root "$root/web" \
    --redis "127.0.0.1:$3" --threads "$2" --log-level warn > "$work/gw-$4.out" 2> "$work/gw-$4.err" &
  pids+=($!); GW_PID=$!
  wait_for curl -sf "http://127.0.0.1:$4/readyz"
}

sum_cpu() {  # sum_cpu BEFORE1 AFTER1 [BEFORE2 AFTER2]
  awk -v a="$1" -v b="$2" -v c="${3:-0}" -v d="${4:-0}" 'BEGIN { printf "%.2f", b - a + d - c }'
}

deb_version() { dpkg-query -W -f='${Version}' "$1"; }
echo "peers: $(redis-server --version | awk '{print $1, $2, $3}'), victoria-metrics $(deb_version victoria-metrics), influxdb $(deb_version influxdb) (Debian packages)"
echo "configuration: deploy/config/quang-tri.json (limits raised), $(echo "$areas" | tr ',' '\n' | wc -l) communes, indicator einvoice_issued"

# 1. ioc-gateway + Redis, one gateway thread
echo "== ioc-gateway, 1 thread (WebSocket, protobuf, Redis AOF everysec)"
start_redis 16400 0
redis_pid=$REDIS_PID
start_gateway 0 1 16400 18400
gw_pid=$GW_PID
c0=$(cpu_seconds $gw_pid); r0=$(cpu_seconds $redis_pid)
run_load 1 --target gateway --port 18400 --token demo-tax-token --connections 2 --window 8
c1=$(cpu_seconds $gw_pid); r1=$(cpu_seconds $redis_pid)
report "ioc-gateway + Redis" "$RESULT" "$(sum_cpu $c0 $c1 $r0 $r1)" "$secs" "$LOAD_CPU"
gw_rate=$RESULT
echo "  gateway $(sum_cpu $c0 $c1) CPU-s, redis-server $(sum_cpu $r0 $r1) CPU-s"
kill $gw_pid; redis-cli -p 16400 flushall >/dev/null

# 2. bare Redis XADD of the same batches
echo "== Redis XADD of the same batches (what Redis alone costs)"
r0=$(cpu_seconds $redis_pid)
run_load 1 --target redis --port 16400 --connections 2 --window 8
r1=$(cpu_seconds $redis_pid)
report "Redis XADD (floor)" "$RESULT" "$(sum_cpu $r0 $r1)" "$secs" "$LOAD_CPU"
kill $redis_pid

# 3. VictoriaMetrics
echo "== VictoriaMetrics $(deb_version victoria-metrics) (line protocol on /write)"
taskset -c 0 victoria-metrics -httpListenAddr 127.0.0.1:18428 -storageDataPath "$work/vm" \
  -loggerLevel ERROR > "$work/vm.log" 2>&1 &
pids+=($!); vm_pid=$!
wait_for curl -sf http://127.0.0.1:18428/health
v0=$(cpu_seconds $vm_pid)
run_load 1 --target victoria --port 18428 --connections 2
v1=$(cpu_seconds $vm_pid)
report "VictoriaMetrics" "$RESULT" "$(sum_cpu $v0 $v1)" "$secs" "$LOAD_CPU"
# Every sample of the run is a distinct point: count what it stored.
curl -sf http://127.0.0.1:18428/internal/force_flush >/dev/null || true
vm_points=$(curl -sf 'http://127.0.0.1:18428/api/v1/export' -d 'match[]={__name__="einvoice_issued_value"}' |
  python3 -c 'import json, sys; print(sum(len(json.loads(l)["values"]) for l in sys.stdin if l.strip()))' || echo "?")
echo "  VictoriaMetrics holds $vm_points points"
kill $vm_pid

# 4. InfluxDB 1.6
echo "== InfluxDB $(deb_version influxdb) (line protocol on /write, WAL fsynced before each answer)"
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
run_load 1 --target influx --port 18486 --connections 2
i1=$(cpu_seconds $influx_pid)
report "InfluxDB 1.6" "$RESULT" "$(sum_cpu $i0 $i1)" "$secs" "$LOAD_CPU"
kill $influx_pid

echo
echo "Ingest, batches of $batch samples, ${secs} s per run, servers on core 0, load on core 1, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "| %-22s | %12s | %12s | %22s | %10s |\n" "server" "samples/s" "server CPU-s" "samples per CPU-second" "load CPU-s"
printf "|%s|%s|%s|%s|%s|\n" "------------------------" "--------------" "--------------" "------------------------" "------------"
for r in "${rows[@]}"; do
  IFS='|' read -r n s c p l <<< "$r"
  printf "| %-22s | %12s | %12s | %22s | %10s |\n" "$n" "$s" "$c" "$p" "$l"
done
per() { echo "${rows[$1]}" | cut -d'|' -f4; }
awk -v g="$(per 0)" -v x="$(per 1)" -v v="$(per 2)" -v i="$(per 3)" 'BEGIN {
  printf "ioc-gateway per server CPU-second: %.2fx VictoriaMetrics (bar: 2x), %.2fx InfluxDB; XADD of the batches as received alone costs %.0f%% of our CPU per sample\n",
    (v > 0 ? g / v : 0), (i > 0 ? g / i : 0), (x > 0 ? 100 * g / x : 0) }'

# 5. One gateway from 1 to 2 threads: gateway and Redis may use both cores
# (the load shares core 1). Where it stops scaling, the busiest thread (the
# hub's strand: admission, apply, the Redis connections) is near 1 CPU-s a second.
echo
echo "== Scaling: one gateway, 1 and 2 threads (gateway and Redis on cores 0-1, load on core 1)"
printf "| %-8s | %12s | %12s | %12s | %22s | %20s |\n" "threads" "samples/s" "gateway CPU-s" "redis CPU-s" "samples per CPU-second" "busiest thread CPU-s"
printf "|%s|%s|%s|%s|%s|%s|\n" "----------" "--------------" "--------------" "--------------" "------------------------" "----------------------"
for threads in 1 2; do
  port=$((16410 + threads))
  start_redis $port 0-1
  redis_pid=$REDIS_PID
  start_gateway 0-1 $threads $port $((18410 + threads))
  gw_pid=$GW_PID
  thread_ticks $gw_pid > "$work/t0"
  c0=$(cpu_seconds $gw_pid); r0=$(cpu_seconds $redis_pid)
  run_load 1 --target gateway --port $((18410 + threads)) --token demo-tax-token --connections 4 --window 8 > "$work/scale.out"
  c1=$(cpu_seconds $gw_pid); r1=$(cpu_seconds $redis_pid)
  thread_ticks $gw_pid > "$work/t1"
  per_cpu=$(awk -v s="$RESULT" -v w="$secs" -v c="$(sum_cpu $c0 $c1 $r0 $r1)" 'BEGIN { printf "%.0f", (c > 0 ? s * w / c : 0) }')
  printf "| %-8s | %12s | %12s | %12s | %22s | %20s |\n" "$threads" "$RESULT" "$(sum_cpu $c0 $c1)" "$(sum_cpu $r0 $r1)" "$per_cpu" \
    "$(busiest_thread_delta "$work/t0" "$work/t1") of $secs"
  kill $gw_pid $redis_pid
done
