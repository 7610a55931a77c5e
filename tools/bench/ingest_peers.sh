# Sourced by tools/bench/ingest.sh: the peers of the ingest benchmark, the
# shipped 2026 configuration with ingest limits raised, and CPU accounting.

# Installs the Debian packages of the peers when missing, without starting
# their system services (the benchmark starts private ones on loopback).
install_peers() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  echo "installing the peers: ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d made_policy=false
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo_cmd tee $policy >/dev/null && $sudo_cmd chmod +x $policy && made_policy=true
  fi
  $sudo_cmd apt-get update -q >/dev/null
  local status=0
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || status=$?
  $made_policy && $sudo_cmd rm -f $policy
  return $status
}

# The shipped province configuration (deploy/config/quang-tri.json, 2026
# communes) with the ingest limits raised so that they do not cap the run.
ingest_config() {
  sed -e 's/"batches_per_second": 200/"batches_per_second": 1000000/' \
      -e 's/"burst_batches": 400/"burst_batches": 1000000/' \
      -e 's/"max_message_bytes": 1048576/"max_message_bytes": 16777216/' \
      -e 's/"max_samples_per_batch": 10000/"max_samples_per_batch": 20000/' \
      "$root/deploy/config/quang-tri.json" > "$work/ingest.json"
  echo "$work/ingest.json"
}

# The commune codes of that configuration, comma-separated: the load spreads
# its samples over them.
commune_codes() {
  python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(",".join(a["code"] for a in c["areas"] if a.get("parent")))' "$1"
}

# Per-thread CPU ticks of a process as "tid ticks" lines.
thread_ticks() {
  for t in /proc/"$1"/task/*; do echo "$(basename "$t") $(awk '{print $14 + $15}' "$t/stat")"; done
}

# The largest increase of CPU seconds of one thread between two thread_ticks snapshots.
busiest_thread_delta() {  # busiest_thread_delta BEFORE AFTER
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] = $2; next }
    { d = $2 - before[$1]; if (d > m) m = d } END { printf "%.2f", m / hz }' "$1" "$2"
}
