#!/usr/bin/env bash
# Server benchmark: wrk against GET /api/review/queue of `triage serve` with 100,000 items in the catalog.
# Prints requests/s and p99 latency (target: p99 < 20 ms). Everything runs on 127.0.0.1 and stops by itself.
# Usage: bench/server/run.sh TRIAGE_BIN SEED_BIN [ITEMS] [SECONDS]
set -euo pipefail
triage="$(realpath "$1")"
seed="$(realpath "$2")"
items="${3:-100000}"
seconds="${4:-10}"
command -v wrk >/dev/null || { echo "wrk is missing (scripts/bootstrap.sh installs it)"; exit 1; }

# tmpfs when there is one: seeding 100k transactions is then bound by SQLite, not by fsync.
base=/dev/shm; [[ -d $base && -w $base ]] || base="${TMPDIR:-/tmp}"
work="$(mktemp -d "$base/triage-bench-server.XXXXXX")"
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$seed" "$work/library" "$items"
"$triage" --library "$work/library" serve --host 127.0.0.1 --port 0 --no-auth > "$work/serve.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 200); do
  url="$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$work/serve.log" | head -1 || true)"
  [[ -n $url ]] && break
  sleep 0.05
done
[[ -n $url ]] || { cat "$work/serve.log"; echo "server did not start"; exit 1; }
target="${url}api/review/queue?per_page=50"
curl -fsS "$target" -o "$work/first.json"
echo "queue answers: $(head -c 120 "$work/first.json")…"

wrk -t"${WRK_THREADS:-2}" -c"${WRK_CONNECTIONS:-8}" -d"${seconds}s" --latency "$target" > "$work/wrk.txt"
cat "$work/wrk.txt"
rps="$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")"
p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
p99_ms="$(echo "$p99" | awk '/us$/ {sub("us",""); print $1/1000; next} /ms$/ {sub("ms",""); print $1; next} /s$/ {sub("s",""); print $1*1000}')"
verdict="$(awk -v p="$p99_ms" 'BEGIN {print (p < 20) ? "meets" : "misses"}')"
echo
echo "GET /api/review/queue with $items items: $rps requests/s, p99 $p99 ($verdict the 20 ms target)"
