#!/usr/bin/env bash
# ioc-dti-backup: a consistent copy of the province's Redis (the batch log,
# the checkpoint, deduplication, leases, audit trail) while everything runs.
#
# `redis-cli --rdb` asks Redis for a point-in-time snapshot (the same fork a
# replica's full sync uses) and streams it here: every batch acknowledged
# before the backup started is in it, and a restore replays the log after its
# checkpoint exactly once. The file is checked with redis-check-rdb before it
# counts. Defaults fit the Debian package; the drill in
# tests/faults/backup_drill_test.cpp runs it against a private Redis.
#
#   ioc-dti-backup [--redis HOST:PORT | --redis unix:/PATH] [--user USER]
#                  [--password-file FILE | --no-auth] [--out DIR] [--keep N]
#                  [--config-dir DIR | --no-config]
# Writes DIR/ioc-dti-<UTC time>.rdb, its .sha256 and, unless --no-config, a
# .config.tar.gz of the configuration directory. Keeps the newest N (14).
set -euo pipefail
umask 077  # the copy holds the whole province, and the configuration its password files

redis="127.0.0.1:6380"
user="ioc-admin"
password_file="/etc/ioc-dti/redis-admin-password"
out="/var/backups/ioc-dti"
keep=14
config_dir="/etc/ioc-dti"

die() { echo "ioc-dti-backup: $*" >&2; exit 1; }
while (($#)); do
  case $1 in
    --redis) redis="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --password-file) password_file="$2"; shift 2 ;;
    --no-auth) user=""; password_file=""; shift ;;
    --out) out="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --config-dir) config_dir="$2"; shift 2 ;;
    --no-config) config_dir=""; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (--help)" ;;
  esac
done
[[ $keep =~ ^[1-9][0-9]*$ ]] || die "--keep needs a positive number, not '$keep'"

cli=(redis-cli)
if [[ $redis == unix:* ]]; then
  cli+=(-s "${redis#unix:}")
else
  cli+=(-h "${redis%:*}" -p "${redis##*:}")
fi
if [[ -n $user ]]; then
  [[ -r $password_file ]] || die "cannot read the password file $password_file (--password-file, or --no-auth)"
  # The password travels in the environment, not on a command line ps shows.
  REDISCLI_AUTH="$(head -n 1 "$password_file")"
  export REDISCLI_AUTH
  cli+=(--user "$user")
fi

mkdir -p "$out"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
name="ioc-dti-$stamp"
partial="$out/.$name.rdb.partial"
trap 'rm -f "$partial"' EXIT

started=$EPOCHREALTIME
if ! "${cli[@]}" --rdb "$partial" > "$out/.$name.log" 2>&1; then
  cat "$out/.$name.log" >&2
  rm -f "$out/.$name.log"
  die "redis-cli --rdb failed against $redis"
fi
rm -f "$out/.$name.log"
redis-check-rdb "$partial" > /dev/null 2>&1 || die "the snapshot from $redis does not check (redis-check-rdb $partial)"
mv "$partial" "$out/$name.rdb"
(cd "$out" && sha256sum "$name.rdb" > "$name.rdb.sha256")
if [[ -n $config_dir && -d $config_dir ]]; then
  tar -C "$(dirname "$config_dir")" -czf "$out/$name.config.tar.gz" "$(basename "$config_dir")"
fi
seconds=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
echo "ioc-dti-backup: $out/$name.rdb ($(stat -c %s "$out/$name.rdb") bytes, ${seconds} s)"

# Keep the newest $keep backups.
mapfile -t old < <(ls -1t "$out"/ioc-dti-*.rdb 2>/dev/null | tail -n +$((keep + 1)))
for f in "${old[@]}"; do
  rm -f "$f" "$f.sha256" "${f%.rdb}.config.tar.gz"
done
