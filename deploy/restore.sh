#!/usr/bin/env bash
# ioc-dti-restore: puts a backup made by ioc-dti-backup back as the data of a
# stopped Redis, in the form that Redis's configuration loads (AOF on).
#
# Redis 7 with appendonly yes ignores a lone dump.rdb and starts empty, so a
# copied RDB alone would be lost: a private redis-server loads the RDB with AOF
# off, `CONFIG SET appendonly yes` writes the AOF from it, and it shuts down.
#
# Every gateway using this Redis must be stopped first: a running gateway
# that finds its store gone writes its own state back (README "Redis"). With
# systemd (the Debian package) this script stops the gateways and
# redis-server@ioc of this host and starts them again; gateways on other
# hosts you stop yourself.
#
#   ioc-dti-restore --rdb FILE [--dir DATA_DIR] [--owner USER] [--no-systemd]
# Defaults: --dir /var/lib/redis/ioc --owner redis. The data it replaces is
# moved to DATA_DIR.before-restore-<UTC time>, never deleted.
set -euo pipefail

rdb=""
dir="/var/lib/redis/ioc"
owner="redis"
use_systemd=true
[[ -d /run/systemd/system ]] || use_systemd=false

die() { echo "ioc-dti-restore: $*" >&2; exit 1; }
while (($#)); do
  case $1 in
    --rdb) rdb="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --owner) owner="$2"; shift 2 ;;
    --no-systemd) use_systemd=false; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (--help)" ;;
  esac
done
[[ -n $rdb ]] || die "--rdb FILE is required (--help)"
[[ -r $rdb ]] || die "cannot read $rdb"
dir="${dir%/}"

# The file is what was written: its checksum, then Redis's own check.
if [[ -f $rdb.sha256 ]]; then
  (cd "$(dirname "$rdb")" && sha256sum --quiet -c "$(basename "$rdb").sha256") || die "$rdb does not match $rdb.sha256"
fi
redis-check-rdb "$rdb" > /dev/null 2>&1 || die "$rdb does not check (redis-check-rdb $rdb)"

# Run as the data's owner when we are root, so Redis can open what it wrote.
as_owner=()
if [[ $(id -u) -eq 0 && -n $owner && $owner != root ]]; then
  id "$owner" > /dev/null 2>&1 || die "no user $owner (--owner)"
  as_owner=(runuser -u "$owner" --)
fi

gateways=()
if $use_systemd; then
  mapfile -t gateways < <(systemctl list-units --type=service --state=active --plain --no-legend \
                            'ioc-gateway.service' 'ioc-gateway@*.service' | awk '{print $1}')
  echo "ioc-dti-restore: stopping ${gateways[*]:-no gateway} and redis-server@ioc"
  ((${#gateways[@]} == 0)) || systemctl stop "${gateways[@]}"
  systemctl stop redis-server@ioc.service
fi

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
if [[ -d $dir ]] && [[ -n "$(ls -A "$dir")" ]]; then
  mv "$dir" "$dir.before-restore-$stamp"
  echo "ioc-dti-restore: the data it replaces is in $dir.before-restore-$stamp"
fi
mkdir -p "$dir"
chmod 0750 "$dir"
cp "$rdb" "$dir/dump.rdb"
[[ ${#as_owner[@]} -eq 0 ]] || chown -R "$owner:" "$dir"

# Load the RDB with AOF off, then let Redis write the AOF from memory.
sock="$dir/restore.sock"
cli=(redis-cli -s "$sock")
"${as_owner[@]}" redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$dir" \
  --dbfilename dump.rdb --appendonly no --save "" --daemonize no --logfile "$dir/restore.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true' EXIT
for ((i = 0; ; i++)); do
  [[ $("${cli[@]}" PING 2>/dev/null) == PONG ]] && break
  kill -0 "$redis_pid" 2>/dev/null || { cat "$dir/restore.log" >&2; die "redis-server could not load $rdb"; }
  ((i < 6000)) || die "redis-server did not finish loading $rdb in 10 minutes"
  sleep 0.1
done
keys=$("${cli[@]}" DBSIZE)
[[ $("${cli[@]}" CONFIG SET appendonly yes) == OK ]] || die "CONFIG SET appendonly yes failed: see $dir/restore.log"
for ((i = 0; ; i++)); do
  info=$("${cli[@]}" INFO persistence | tr -d '\r')
  if grep -q '^aof_rewrite_in_progress:0' <<< "$info" && grep -q '^aof_rewrite_scheduled:0' <<< "$info" &&
     grep -q '^aof_rewrites:[1-9]' <<< "$info"; then
    break
  fi
  ((i < 6000)) || die "the AOF was not written in 10 minutes: see $dir/restore.log"
  sleep 0.1
done
grep -q '^aof_last_bgrewrite_status:ok' <<< "$info" || die "writing the AOF failed: see $dir/restore.log"
"${cli[@]}" SHUTDOWN > /dev/null 2>&1 || true
wait "$redis_pid" || true
trap - EXIT
[[ -f $dir/appendonlydir/appendonly.aof.manifest ]] || die "no AOF was written in $dir: see $dir/restore.log"
rm -f "$dir/dump.rdb" "$dir/restore.log" "$sock"
echo "ioc-dti-restore: $keys keys from $rdb into $dir (AOF)"

if $use_systemd; then
  systemctl start redis-server@ioc.service
  ((${#gateways[@]} == 0)) || systemctl start "${gateways[@]}"
  echo "ioc-dti-restore: started redis-server@ioc ${gateways[*]}; the gateways recover from the restored checkpoint and log"
fi
