#!/usr/bin/env bash
# Server benchmark: wrk against GET /api/review/queue of `triage serve` with 100,000 items in the catalog, on each
# backend: the SQLite catalog the seed writes, and a PostgreSQL catalog (a throw-away cluster this script starts,
# bench/lib/pg_cluster.sh) that `triage db copy` fills from it, so both serve the same rows.
# Prints requests/s and p99 latency per backend (target: p99 < 20 ms), the copy's time and the load average.
# Everything runs on 127.0.0.1 / a Unix socket and stops by itself.
# Usage: bench/server/run.sh TRIAGE_BIN SEED_BIN [ITEMS] [SECONDS]; BACKENDS="sqlite" (or "postgresql") picks one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/pg_cluster.sh"
triage="$(realpath "$1")"
seed="$(realpath "$2")"
items="${3:-100000}"
seconds="${4:-10}"
backends="${BACKENDS:-sqlite postgresql}"
command -v wrk >/dev/null || { echo "wrk is missing (scripts/bootstrap.sh installs it)"; exit 1; }

# tmpfs when there is one: seeding 100k transactions is then bound by SQLite, not by fsync.
base=/dev/shm; [[ -d $base && -w $base ]] || base="${TMPDIR:-/tmp}"
work="$(mktemp -d "$base/triage-bench-server.XXXXXX")"
chmod 755 "$work"
server_pid=""
stop_server() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server
  pg_cluster_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

"$seed" "$work/library" "$items"

# Serves the library from the catalog URL $2 (empty: its SQLite file) and runs wrk; $1 names the backend.
measure() {
  local name="$1" catalog=()
  [[ -n $2 ]] && catalog=(--catalog "$2")
  "$triage" --library "$work/library" "${catalog[@]}" serve --host 127.0.0.1 --port 0 --no-auth >"$work/serve.log" 2>&1 &
  server_pid=$!
  local url=""
  for _ in $(seq 1 600); do
    url="$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$work/serve.log" | head -1 || true)"
    [[ -n $url ]] && break
    sleep 0.05
  done
  [[ -n $url ]] || { cat "$work/serve.log"; echo "server did not start"; exit 1; }
  local target="${url}api/review/queue?per_page=50"
  curl -fsS "$target" -o "$work/first.json"
  echo "$name queue answers: $(head -c 120 "$work/first.json")…"
  wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-8}" -d"${seconds}s" --latency "$target" >"$work/wrk.txt"
  stop_server
  cat "$work/wrk.txt"
  local rps p99 p99_ms verdict
  rps="$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
  p99_ms="$(echo "$p99" | awk '/us$/ {sub("us",""); print $1/1000; next} /ms$/ {sub("ms",""); print $1; next} /s$/ {sub("s",""); print $1*1000}')"
  verdict="$(awk -v p="$p99_ms" 'BEGIN {print (p < 20) ? "meets" : "misses"}')"
  results+=("$(printf '%-10s GET /api/review/queue with %s items: %s requests/s, p99 %s (%s the 20 ms target), load %s' \
    "$name" "$items" "$rps" "$p99" "$verdict" "$(cut -d' ' -f1-3 /proc/loadavg)")")
}

results=()
for backend in $backends; do
  case "$backend" in
    sqlite) measure sqlite "" ;;
    postgresql)
      pg_cluster_start "$work/pg"
      pg_psql "$work/pg" -d postgres -c "CREATE DATABASE bench" >/dev/null
      pg_url="$(pg_cluster_url "$work/pg" bench)"
      start="$(date +%s.%N)"
      "$triage" --library "$work/library" db copy --from sqlite: --to "$pg_url" --json >"$work/copy.json"
      results+=("$(printf 'db copy of the %s-item catalog to PostgreSQL: %.1f s' "$items" "$(echo "$(date +%s.%N) - $start" | bc -l)")")
      measure postgresql "$pg_url"
      ;;
    *) echo "unknown backend $backend (sqlite, postgresql)"; exit 2 ;;
  esac
done
echo
printf '%s\n' "${results[@]}"
