#!/usr/bin/env bash
# ioc-dti-rolling-restart: restarts every running gateway on this host one at
# a time, the next only once the one before answers /readyz (recovered from
# Redis, accepting batches). With two or more gateways behind nginx
# (ioc-gateway@8081, @8082), walls and agencies always have one to talk to;
# they reconnect from a restarting one to the other.
# READY_TIMEOUT (s, default 60), READY_HOST (default 127.0.0.1), CONFIG.
set -euo pipefail
timeout_s="${READY_TIMEOUT:-60}"
host="${READY_HOST:-127.0.0.1}"
config="${CONFIG:-/etc/ioc-dti/gateway.json}"

# GET /readyz with bash's /dev/tcp (no curl needed); true on HTTP 200.
ready() {
  local status=""
  exec 3<>"/dev/tcp/$host/$1" 2>/dev/null || return 1
  printf 'GET /readyz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$host" >&3
  IFS= read -r -t 2 status <&3 || true
  exec 3>&-
  [[ $status == "HTTP/1.1 200"* ]]
}

units=$(systemctl list-units --type=service --state=active --plain --no-legend \
          'ioc-gateway.service' 'ioc-gateway@*.service' | awk '{print $1}')
status=0
for unit in $units; do
  case $unit in
    ioc-gateway@*.service) port=${unit#ioc-gateway@}; port=${port%.service} ;;
    *) port=$(grep -o '"port"[^,}]*' "$config" | head -n 1 | tr -dc 0-9) ;;
  esac
  echo "ioc-dti-rolling-restart: restarting $unit (port $port)"
  systemctl restart "$unit"
  deadline=$((SECONDS + timeout_s))
  until ready "$port"; do
    if ((SECONDS >= deadline)); then
      echo "ioc-dti-rolling-restart: $unit not ready after ${timeout_s} s; stopping here" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "ioc-dti-rolling-restart: $unit ready"
done
exit $status
