#!/usr/bin/env bash
# Ingest throughput of `triage worker` processes sharing one library through a PostgreSQL catalog (1, 2 and 4
# workers) against one `triage ingest` process on the embedded SQLite catalog (the floor every worker count is
# compared with), on the same synthesised photos. PostgreSQL is a throw-away cluster this script starts (initdb +
# pg_ctl in a temporary directory, a Unix socket only, fsync on like SQLite) and removes again.
# Per run it prints seconds, images/s, the ratio to SQLite, and the database's transactions and row reads per image
# (what the paper estimate in the README scales from), and the three tables those reads went to.
# Usage: bench/scale/run.sh TRIAGE_BIN MAKE_CORPUS_BIN [FILES=300]; FACES=1 turns face analysis on.
set -euo pipefail
triage="$(realpath "$1")"
make_corpus="$(realpath "$2")"
files="${3:-300}"
faces="${FACES:-0}"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/pg_cluster.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/triage-bench-scale.XXXXXX")"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_cluster_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

"$make_corpus" --out "$work/corpus" --count "$files" --no-check >/dev/null
corpus="$work/corpus/images"
n="$(find "$corpus" -type f | wc -l)"
echo "corpus: $n synthesised photos ($(du -sh "$corpus" | cut -f1)), faces $([[ $faces == 1 ]] && echo on || echo off)"

pg_cluster_start "$work/pg"
psql() { pg_psql "$work/pg" "$@"; }

# A fresh library with faces set; $1 its folder, $2 the catalog URL (empty: SQLite).
make_library() {
  local args=(init --library "$1")
  [[ -n $2 ]] && args+=(--catalog "$2")
  "$triage" "${args[@]}" >/dev/null
  python3 - "$1/triage.json" "$faces" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc.setdefault("analysis", {})["faces"] = sys.argv[2] == "1"
json.dump(doc, open(sys.argv[1], "w"))
PY
}

now() { date +%s.%N; }

make_library "$work/sqlite" ""
start="$(now)"
"$triage" ingest "$corpus" --library "$work/sqlite" --json >"$work/sqlite.json"
sqlite_s="$(echo "$(now) - $start" | bc -l)"
sqlite_rate="$(echo "$n / $sqlite_s" | bc -l)"
printf '%-22s %8.1f s %8.1f images/s  1.00x\n' "sqlite, 1 process" "$sqlite_s" "$sqlite_rate"

for workers in 1 2 4; do
  db="bench$workers"
  psql -d postgres -c "CREATE DATABASE $db" >/dev/null
  url="$(pg_cluster_url "$work/pg" "$db")"
  lib="$work/pg$workers"
  make_library "$lib" "$url"
  pids=()
  for w in $(seq 1 "$workers"); do
    TRIAGE_HOST="bench-host-$w" "$triage" worker --jobs 4 --library "$lib" >"$work/worker$workers-$w.log" 2>&1 &
    pids+=($!)
  done
  for w in $(seq 1 "$workers"); do
    until grep -q "taking jobs" "$work/worker$workers-$w.log"; do sleep 0.05; done
  done
  read -r xact0 tup0 <<<"$(psql -d "$db" -F ' ' -c "SELECT xact_commit, tup_returned + tup_fetched FROM pg_stat_database WHERE datname = '$db'")"
  start="$(now)"
  "$triage" ingest "$corpus" --queue --library "$lib" >/dev/null
  "$triage" jobs wait --library "$lib" >/dev/null
  seconds="$(echo "$(now) - $start" | bc -l)"
  sleep 0.6  # the statistics collector's next report
  read -r xact1 tup1 <<<"$(psql -d "$db" -F ' ' -c "SELECT xact_commit, tup_returned + tup_fetched FROM pg_stat_database WHERE datname = '$db'")"
  # Where those reads went (this database served only this run): the three most read tables, rows per image.
  most_read="$(psql -d "$db" -F ' ' -c "SELECT relname, round((seq_tup_read + COALESCE(idx_tup_fetch, 0))::numeric / $n)
    FROM pg_stat_user_tables ORDER BY seq_tup_read + COALESCE(idx_tup_fetch, 0) DESC LIMIT 3" | paste -sd, -)"
  for p in "${pids[@]}"; do kill -TERM "$p"; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  items="$("$triage" items --json --limit 10000 --library "$lib" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
  [[ $items -eq $n ]] || { echo "$workers workers: $items items for $n files"; exit 1; }
  rate="$(echo "$n / $seconds" | bc -l)"
  printf '%-22s %8.1f s %8.1f images/s  %.2fx   %5.1f transactions, %6.0f rows read per image (most: %s)\n' \
    "postgresql, $workers worker(s)" "$seconds" "$rate" "$(echo "$rate / $sqlite_rate" | bc -l)" \
    "$(echo "($xact1 - $xact0) / $n" | bc -l)" "$(echo "($tup1 - $tup0) / $n" | bc -l)" "$most_read"
done
