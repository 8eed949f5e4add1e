#!/usr/bin/env bash
# `make bench`: every benchmark, one after another (they share 2 cores; never run them beside a build).
#   FACE_SET=DIR   a labelled face folder (enroll/, probe/) for the accuracy run; skipped when unset
#   DEDUP_COUNT=N  at most N pictures in the dedup corpus (default 1000: all that the shared photos give, ~450)
#   QUALITY_SET=DIR  real photos for the quality degradation pairs; skipped when unset
set -euo pipefail
build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cmake --build "$build" -j "$(nproc)" --target triage index_bench make_corpus dedup_score dedup_floor face_speed face_eval face_boxes \
  bench_server_seed simulate_bench degradation_bench recompute_bench

echo "== near-duplicate index: 1,000,000 hashes"
"$build/bench/index/index_bench"

echo; echo "== policy simulation: 100,000 stored analyses vs re-analysing photos"
"$build/bench/policy/simulate_bench" --items 100000

if [[ -n "${QUALITY_SET:-}" ]]; then
  echo; echo "== quality: degradation pairs over $QUALITY_SET, no faces given to the measures, then with faces"
  "$build/bench/quality/degradation_bench" "$QUALITY_SET"
  "$build/bench/quality/degradation_bench" "$QUALITY_SET" --faces
fi
echo; echo "== quality: recompute of 100,000 stored analyses vs the scoring alone"
"$build/bench/quality/recompute_bench" --items 100000

echo; echo "== duplicates: triage vs jdupes vs findimagedupes vs the floor"
"$root/bench/dedup/run.sh" --build "$build" --count "${DEDUP_COUNT:-1000}"

echo; echo "== faces: detection and embedding speed vs OpenCV's Haar cascade"
"$build/bench/faces/face_speed"
echo; echo "== faces: detection recall/precision on the annotated face-api samples vs the whole-image pass and Haar"
"$build/bench/faces/face_boxes"

if [[ -n "${FACE_SET:-}" ]]; then
  echo; echo "== faces: routing accuracy over $FACE_SET"
  node "$root/bench/faces/accuracy.mjs" "$FACE_SET" "$build/triage"
fi

echo; echo "== server: wrk against GET /api/review/queue with 100,000 items"
"$root/bench/server/run.sh" "$build/triage" "$build/bench/server/bench_server_seed"

echo; echo "== scale: ingest by 1, 2 and 4 workers on PostgreSQL vs one process on SQLite"
"$root/bench/scale/run.sh" "$build/triage" "$build/bench/dedup/make_corpus"
