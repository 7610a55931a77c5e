#!/usr/bin/env bash
# Fan-out benchmark. Displays connect to /v1/live?format=json, the format the
# wall (web/wall.js) uses, while an agency ingests (Redis durability on).
#  1. Latency at the default push rate (10/s), ingest RATE samples/s, DISPLAYS
#     and BIG_DISPLAYS displays: per sample, from its batch's send to the first
#     frame each display receives that includes it (sample_latency_ms_*), and
#     per frame from its publication (delivery_ms_*); see tools/fanout_load.cpp.
#  2. Coalescing off (every update to every display): OFF_RATE samples/s in
#     batches of 1,000 (= OFF_RATE/1000 updates a second), one gateway thread,
#     then two (fan-out scaling), side by side with peers carrying the same
#     update stream (as many updates a second, of the same size, to as many
#     clients): Bun's pub/sub (uWebSockets inside, WebSocket text frames),
#     Nchan (nginx module, one worker, WebSocket publisher and subscribers) and
#     Mosquitto 2.0 (QoS 0, subscribers over TCP and over WebSocket).
# Ours, Bun and Nchan are driven by the same ioc-fanout-load (raw sockets,
# only frame headers and the measured fields read); it prints its own CPU
# use (driver_*_cpu_pct) and a MISSING line when frames fall short.
# Servers on core 0, displays/subscribers and publishers on core 1. Installs
# its peers when missing (mosquitto, nginx-light and libnginx-mod-nchan with
# apt-get, bun with npm into tools/bench/bun/node_modules).
#   tools/bench/fanout.sh  (DISPLAYS=1000 BIG_DISPLAYS=10000 RATE=100000 OFF_RATE=30000 SECONDS_PER_RUN=15)
source "$(dirname "$0")/common.sh"
displays="${DISPLAYS:-1000}"
big_displays="${BIG_DISPLAYS:-10000}"
rate="${RATE:-100000}"
secs="${SECONDS_PER_RUN:-15}"
off_rate="${OFF_RATE:-30000}"
updates=$((off_rate / 1000))
ulimit -n 65536 2>/dev/null || ulimit -n 20000 2>/dev/null || true

# ---- peers
if ! command -v mosquitto >/dev/null; then
  apt-get install -y mosquitto >/dev/null || { echo "fanout.sh: cannot install mosquitto (apt-get)" >&2; exit 1; }
fi
for pkg in nginx-light libnginx-mod-nchan; do
  if ! dpkg -s "$pkg" >/dev/null 2>&1; then
    apt-get install -y "$pkg" >/dev/null || { echo "fanout.sh: cannot install $pkg (apt-get)" >&2; exit 1; }
  fi
done
bun_dir="$root/tools/bench/bun"
if [ ! -x "$bun_dir/node_modules/.bin/bun" ]; then
  (cd "$bun_dir" && npm ci --no-audit --no-fund >/dev/null) || { echo "fanout.sh: cannot install bun (npm)" >&2; exit 1; }
fi
bun="$bun_dir/node_modules/.bin/bun"

config="$(bench_config)"
# Room for BIG_DISPLAYS connections.
sed -i -e "s/\"push_rate_hz\": 10,/\"push_rate_hz\": 10, \"max_display_connections\": $((big_displays + 100)),/" "$config"

# The first port from $1 up that nothing listens on (other benchmarks may share the machine).
free_port() { local p=$1; while ss -ltnH "sport = :$p" | grep -q .; do p=$((p + 1)); done; echo "$p"; }

run() {  # run PUSH_RATE LABEL INGEST_RATE DISPLAYS THREADS CORES
  local cfg="$work/fanout-$1-$4-$5.json"
  sed -e "s/\"push_rate_hz\": 10/\"push_rate_hz\": $1/" "$config" > "$cfg"
  local rport gport; rport=$(free_port $((16410 + $1 + $5))); gport=$(free_port $((18410 + $1 + $5)))
  start_redis $rport 0
  local redis_pid=$REDIS_PID
  taskset -c "$6" "$build/gateway/ioc-gateway" --config "$cfg" --port $gport --web-root "$root/web" \
    --redis 127.0.0.1:$rport --threads "$5" --log-level warn > /dev/null 2> "$work/gw-$1.err" &
  pids+=($!); local gw=$!
  wait_for curl -sf http://127.0.0.1:$gport/readyz
  local c0 r0; c0=$(cpu_seconds $gw); r0=$(cpu_seconds $redis_pid)
  local out; out=$( { /usr/bin/time -f "load_cpu_s=%U+%S" taskset -c 1 "$build/tools/ioc-fanout-load" --port $gport \
    --displays "$4" --rate "$3" --push-hz "$1" --seconds "$secs" --gateway-pid "$gw"; } 2>&1 | tr '\n' ' ')
  local c1 r1; c1=$(cpu_seconds $gw); r1=$(cpu_seconds $redis_pid)
  LAST_OUT="$out"
  LAST_GW_CPU=$(awk -v a=$c0 -v b=$c1 'BEGIN{printf "%.2f", b-a}')
  LAST_CPU=$(awk -v a=$c0 -v b=$c1 -v c=$r0 -v d=$r1 'BEGIN{printf "%.2f", b-a+d-c}')
  echo "$2: $out gateway_cpu_s=$LAST_GW_CPU redis_cpu_s=$(awk -v a=$r0 -v b=$r1 'BEGIN{printf "%.2f", b-a}')"
  kill $gw $redis_pid; wait $gw $redis_pid 2>/dev/null || true
}
field() { echo "$1" | sed -n "s/.* $2=\([0-9.]*\).*/\1/p"; }
per_cpu() { awk -v f="$1" -v s="$secs" -v c="$2" 'BEGIN{printf "%.0f", (c > 0 ? f*s/c : 0)}'; }

echo "Fan-out, ingest $rate samples/s, ${secs} s a run, $(nproc) cores, $(date -u +%Y-%m-%d), load average $(cut -d' ' -f1-3 /proc/loadavg)"
nchan_version="$(dpkg-query -W -f='${Version}' libnginx-mod-nchan)"
nginx_version="$(nginx -v 2>&1 | sed 's#.*nginx/##')"
echo "peers: bun $("$bun" --version), nchan $nchan_version (nginx $nginx_version), mosquitto $(mosquitto -h 2>&1 | head -1 | awk '{print $3}')"
run 10 "push 10/s (default), $displays displays" "$rate" "$displays" 1 0
run 10 "push 10/s (default), $big_displays displays" "$rate" "$big_displays" 1 0
run 0 "coalescing off, 1 thread" "$off_rate" "$displays" 1 0
ours_rate=$(field "$LAST_OUT" frames_per_s)
frame_bytes=$(echo "$LAST_OUT" | awk '{for(i=1;i<=NF;i++){split($i,a,"="); v[a[1]]=a[2]}} END {printf "%d", v["mbytes_per_s"]*1e6/v["frames_per_s"]}')
ours_per_cpu=$(per_cpu "$ours_rate" "$LAST_CPU")
ours_per_gw_cpu=$(per_cpu "$ours_rate" "$LAST_GW_CPU")
run 0 "coalescing off, 2 threads (cores 0-1, sharing core 1 with the load)" "$off_rate" "$displays" 2 0,1
two_rate=$(field "$LAST_OUT" frames_per_s)
two_per_cpu=$(per_cpu "$two_rate" "$LAST_CPU")

# ---- Bun: the same updates, as text frames of the same size, to as many clients.
bun_port=$(free_port 19011)
taskset -c 0 "$bun" "$bun_dir/server.js" "$bun_port" > "$work/bun.out" 2>&1 &
pids+=($!); bunpid=$!
wait_for grep -q listening "$work/bun.out"
b0=$(cpu_seconds $bunpid)
bout=$( { /usr/bin/time -f "load_cpu_s=%U+%S" taskset -c 1 "$build/tools/ioc-fanout-load" --peer-port "$bun_port" \
  --displays "$displays" --updates "$updates" --payload "$frame_bytes" --seconds "$secs"; } 2>&1 | tr '\n' ' ')
b1=$(cpu_seconds $bunpid)
kill $bunpid; wait $bunpid 2>/dev/null || true
bun_cpu=$(awk -v a=$b0 -v b=$b1 'BEGIN{printf "%.2f", b-a}')
echo "bun $("$bun" --version): $bout bun_cpu_s=$bun_cpu"
bun_rate=$(field "$bout" frames_per_s)
bun_per_cpu=$(per_cpu "$bun_rate" "$bun_cpu")

# ---- Nchan: the same updates through nginx (master + one worker, both counted).
mkdir -p "$work/nchan"
nchan_port=$(free_port 19021)
sed -e "s#@WORK@#$work/nchan#g" -e "s#@PORT@#$nchan_port#" "$root/tools/bench/nchan/nginx.conf" > "$work/nchan/nginx.conf"
if ! nginx -t -p "$work/nchan" -c "$work/nchan/nginx.conf" > "$work/nchan/test.out" 2>&1; then
  echo "fanout.sh: nginx does not accept the Nchan configuration:" >&2; cat "$work/nchan/test.out" >&2; exit 1
fi
taskset -c 0 nginx -p "$work/nchan" -c "$work/nchan/nginx.conf" 2>> "$work/nchan/stderr" &
pids+=($!); ngx=$!
wait_for curl -sf "http://127.0.0.1:$nchan_port/status"
ngx_worker=$(pgrep -P $ngx | head -1)
nchan_cpu_now() { awk -v a="$(cpu_seconds $ngx)" -v b="$(cpu_seconds $ngx_worker)" 'BEGIN{printf "%.3f", a+b}'; }
n0=$(nchan_cpu_now)
nout=$( { /usr/bin/time -f "load_cpu_s=%U+%S" taskset -c 1 "$build/tools/ioc-fanout-load" --peer-port "$nchan_port" \
  --sub-path /sub --pub-path /publish --displays "$displays" --updates "$updates" --payload "$frame_bytes" \
  --seconds "$secs"; } 2>&1 | tr '\n' ' ')
n1=$(nchan_cpu_now)
kill $ngx; wait $ngx 2>/dev/null || true
nchan_cpu=$(awk -v a=$n0 -v b=$n1 'BEGIN{printf "%.2f", b-a}')
echo "nchan $nchan_version: $nout nginx_cpu_s=$nchan_cpu"
nchan_rate=$(field "$nout" frames_per_s)
nchan_per_cpu=$(per_cpu "$nchan_rate" "$nchan_cpu")

# ---- Mosquitto, subscribers over TCP, then over WebSocket.
mq_tcp=$(free_port 11883); mq_ws=$(free_port 18883)
cat > "$work/mosquitto.conf" <<CONF
per_listener_settings false
allow_anonymous true
persistence false
log_dest none
listener $mq_tcp 127.0.0.1
listener $mq_ws 127.0.0.1
protocol websockets
CONF
mosquitto_run() {  # mosquitto_run LABEL TCP_SUBSCRIBERS(0|1)
  taskset -c 0 mosquitto -c "$work/mosquitto.conf" &
  pids+=($!); local mq=$!
  wait_for bash -c "exec 3<>/dev/tcp/127.0.0.1/$mq_tcp"
  local m0; m0=$(cpu_seconds $mq)
  MOUT=$( { /usr/bin/time -f "load_cpu_s=%U+%S" taskset -c 1 "$build/tools/ioc-mqtt-fanout-load" --ws-port "$mq_ws" \
    --tcp-port "$mq_tcp" --subscribers "$displays" --rate "$updates" --payload "$frame_bytes" --seconds "$secs" \
    --tcp-subscribers "$2"; } 2>&1 | tr '\n' ' ')
  local m1; m1=$(cpu_seconds $mq)
  MQ_CPU=$(awk -v a=$m0 -v b=$m1 'BEGIN{printf "%.2f", b-a}')
  echo "mosquitto $(mosquitto -h 2>&1 | head -1 | awk '{print $3}') $1: $MOUT mosquitto_cpu_s=$MQ_CPU"
  kill $mq; wait $mq 2>/dev/null || true
}
mosquitto_run "TCP subscribers" 1
mq_rate=$(field "$MOUT" deliveries_per_s); mq_per_cpu=$(per_cpu "$mq_rate" "$MQ_CPU")
mosquitto_run "WebSocket subscribers" 0
mqws_rate=$(field "$MOUT" deliveries_per_s); mqws_per_cpu=$(per_cpu "$mqws_rate" "$MQ_CPU")

echo
echo "coalescing off, $updates updates/s of $frame_bytes bytes (JSON, as the wall reads them) to $displays clients:"
echo "  ioc-gateway, 1 thread:  $ours_rate deliveries/s, $ours_per_cpu per server CPU-second (gateway + Redis), $ours_per_gw_cpu per gateway CPU-second"
echo "  ioc-gateway, 2 threads: $two_rate deliveries/s, $two_per_cpu per server CPU-second (gateway + Redis)"
echo "  bun (pub/sub):          $bun_rate deliveries/s, $bun_per_cpu per server CPU-second"
echo "  nchan (nginx, 1 worker): $nchan_rate deliveries/s, $nchan_per_cpu per server CPU-second"
echo "  mosquitto, TCP:         $mq_rate deliveries/s, $mq_per_cpu per server CPU-second"
echo "  mosquitto, WebSocket:   $mqws_rate deliveries/s, $mqws_per_cpu per server CPU-second"
awk -v a="$ours_per_cpu" -v b="$bun_per_cpu" -v c="$mq_per_cpu" -v n="$nchan_per_cpu" 'BEGIN {
  printf "  ratios (gateway + Redis): %.2fx Bun (goal >= 1), %.2fx Mosquitto TCP (goal >= 2), %.2fx Nchan\n", (b > 0 ? a / b : 0), (c > 0 ? a / c : 0), (n > 0 ? a / n : 0) }'
awk -v a="$ours_per_gw_cpu" -v b="$bun_per_cpu" -v c="$mq_per_cpu" -v n="$nchan_per_cpu" 'BEGIN {
  printf "  ratios (gateway alone):   %.2fx Bun, %.2fx Mosquitto TCP, %.2fx Nchan\n", (b > 0 ? a / b : 0), (c > 0 ? a / c : 0), (n > 0 ? a / n : 0) }'
