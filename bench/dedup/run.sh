#!/usr/bin/env bash
# Duplicate-detection benchmark: times `triage ingest`, `jdupes -r`, `findimagedupes` and the floor (dedup_floor:
# read once, SHA-256, decode at hash scale, 2 threads; once more writing a durable copy of each file, as an ingest
# that copies must) on the same corpus in one run and scores each against the
# corpus's truth (pair precision/recall over same-picture pairs, false pairs by kind of negative).
#
# Usage: bench/dedup/run.sh [--count N] [--sources DIR]... [--scratch DIR] [--build DIR] [--threshold PCT]
#   --count N      at most N pictures (default 1000: every picture 33 photos give, about 420; from more than
#                  ~100 photos the hard negatives, made last, are cut off: raise N to keep them)
#   --sources DIR  photos to derive the pictures from (repeatable; a MANIFEST.tsv license column is honoured);
#                  default: ../shared/data/photos and ../shared/data/faces beside the repository when present,
#                  else synthetic pictures
#   --scratch DIR  where the corpus and outputs go (default ${TMPDIR:-/tmp}/triage-bench-dedup); never the repo
#   --build DIR    build folder holding triage, bench/dedup/make_corpus and dedup_score (default ./build)
#   --threshold P  findimagedupes similarity threshold in percent (default 90, its own default)
# Build first: cmake --build build -j2 --target triage make_corpus dedup_score dedup_floor
# The corpus is reused between runs with the same parameters. Every tool reads the same files after the
# corpus has been written (so all of them find it in the page cache); triage copies into a fresh library.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COUNT=1000
SOURCES=()
SCRATCH="${TMPDIR:-/tmp}/triage-bench-dedup"
BUILD="$ROOT/build"
THRESHOLD=90
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --sources) SOURCES+=("$2"); shift 2 ;;
    --scratch) SCRATCH="$2"; shift 2 ;;
    --build) BUILD="$2"; shift 2 ;;
    --threshold) THRESHOLD="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

TRIAGE="${TRIAGE:-$BUILD/triage}"
MAKE_CORPUS="${MAKE_CORPUS:-$BUILD/bench/dedup/make_corpus}"
DEDUP_SCORE="${DEDUP_SCORE:-$BUILD/bench/dedup/dedup_score}"
DEDUP_FLOOR="${DEDUP_FLOOR:-$BUILD/bench/dedup/dedup_floor}"
for tool in "$MAKE_CORPUS" "$DEDUP_SCORE" "$DEDUP_FLOOR"; do
  [[ -x "$tool" ]] || { echo "missing $tool: cmake --build $BUILD -j2 --target make_corpus dedup_score dedup_floor" >&2; exit 1; }
done
if [[ ${#SOURCES[@]} -eq 0 ]]; then
  for dir in "$ROOT/../shared/data/photos" "$ROOT/../shared/data/faces"; do
    [[ -d "$dir" ]] && SOURCES+=("$(realpath "$dir")")
  done
fi
case "$(realpath -m "$SCRATCH")/" in
  "$ROOT"/*) echo "--scratch must be outside the repository" >&2; exit 2 ;;
esac

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
# CPU time (user + system, children included) of a command, appended to $OUT/cpu.txt as "label seconds": on a shared
# machine the wall time is noisy, the CPU time much less so.
cpu_timed() {  # $1 = label, then the command
  local label="$1"
  shift
  /usr/bin/time -f "%U %S" -o "$OUT/cpu-$label.txt" "$@"
  local rc=$?
  awk -v l="$label" '{ printf "%s %.2f\n", l, $1 + $2 }' "$OUT/cpu-$label.txt" >> "$OUT/cpu.txt"
  return $rc
}

# 1. Corpus (reused when the same parameters made it before).
KEY="n${COUNT}-$( (echo v5; printf '%s\n' "${SOURCES[@]}") | md5sum | cut -c1-8)"
CORPUS="$SCRATCH/corpus-$KEY"
if [[ ! -f "$CORPUS/truth.tsv" ]]; then
  rm -rf "$CORPUS"
  echo "generating $COUNT pictures into $CORPUS ..."
  start=$(now)
  source_args=()
  for dir in "${SOURCES[@]}"; do source_args+=(--sources "$dir"); done
  "$MAKE_CORPUS" --out "$CORPUS" --count "$COUNT" --threads 2 "${source_args[@]}"
  echo "generated in $(printf '%.1f' "$(elapsed "$start" "$(now)")") s"
fi
IMAGES="$CORPUS/images"
FILES=$(find "$IMAGES" -type f | wc -l)
echo "corpus: $FILES files in $IMAGES ($(du -sh "$IMAGES" | cut -f1))"
OUT="$SCRATCH/run-$KEY"
# Outputs of the run before are deleted at the end, after every timing: on ext4 without a journal, creating files in
# the 30 s after thousands were deleted makes the kernel skip over the freed inodes one by one (recently_deleted),
# which billed the bench's own clean-up to the tools timed after it (up to 9% of a duplicates-only ingest's CPU).
OLD_OUTPUTS=()
if [[ -e "$OUT" ]]; then
  OLD_OUTPUTS+=("$SCRATCH/old-run-$$")
  mv "$OUT" "${OLD_OUTPUTS[0]}"
fi
mkdir -p "$OUT"
SCORE_ARGS=(--truth "$CORPUS/truth.tsv")

# The two timings the duplicates-only target compares (the floor, triage's duplicates-only ingest) are each the
# median of three runs: one run's wall time swings by up to ~10% on a shared 2-vCPU machine.
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

# 2. The floor: what reading, hashing and decoding at hash scale cost, without any tool around them.
floor_runs=()
for run in 1 2 3; do
  start=$(now)
  cpu_timed floor "$DEDUP_FLOOR" --threads 2 "$IMAGES" > "$OUT/floor.txt"
  floor_runs+=("$(elapsed "$start" "$(now)")")
done
floor_seconds=$(median "${floor_runs[@]}")
SCORE_ARGS+=(--floor "$OUT/floor.txt" "$floor_seconds")
# The same with a durable copy of every file written (an ingest that copies must write and sync it): the copies go
# to a fresh folder on the scratch disk, removed at the end.
mkdir -p "$OUT/floor-copies"
start=$(now)
cpu_timed floor-copy "$DEDUP_FLOOR" --threads 2 --copy-to "$OUT/floor-copies" "$IMAGES" > "$OUT/floor-copy.txt"
floor_copy_seconds=$(elapsed "$start" "$(now)")
OLD_OUTPUTS+=("$OUT/floor-copies")  # deleted at the end, as above
SCORE_ARGS+=(--floor-copy "$OUT/floor-copy.txt" "$floor_copy_seconds")

# 3. jdupes: byte-identical files only.
if command -v jdupes > /dev/null; then
  start=$(now)
  jdupes -r -q "$IMAGES" > "$OUT/jdupes.txt" || true
  SCORE_ARGS+=(--jdupes "$OUT/jdupes.txt" "$(elapsed "$start" "$(now)")")
else
  echo "jdupes not installed: skipped" >&2
fi

# 4. findimagedupes: perceptual fingerprints (GraphicsMagick), no database, same threshold for all files.
if command -v findimagedupes > /dev/null; then
  start=$(now)
  cpu_timed findimagedupes findimagedupes -R -q -q -t "${THRESHOLD}%" -- "$IMAGES" > "$OUT/findimagedupes.txt" || true
  SCORE_ARGS+=(--findimagedupes "$OUT/findimagedupes.txt" "$(elapsed "$start" "$(now)")")
else
  echo "findimagedupes not installed: skipped" >&2
fi

# 5. triage: a fresh library, one ingest of the whole folder (copies; the corpus stays as it is). The
#    comparison with the peers runs with face analysis off (they find duplicates only), quality scores on (the
#    default); a run with quality off too shows the duplicate work alone (what the floor does); a run with faces on
#    shows what the whole pipeline costs.
run_triage() {  # $1 = label, $2 = analysis.faces (true|false), $3 = analysis.quality (true|false; default true)
  local library="$OUT/library-$1"
  "$TRIAGE" init --library "$library" > /dev/null
  sed -i "s/\"faces\": true/\"faces\": $2/; s/\"quality\": true/\"quality\": ${3:-true}/" "$library/triage.json"
  local start seconds
  start=$(now)
  cpu_timed "triage-$1" "$TRIAGE" ingest --library "$library" "$IMAGES" --json > "$OUT/triage-$1-ingest.json" \
    2> "$OUT/triage-$1-ingest.err" || true
  seconds=$(elapsed "$start" "$(now)")
  "$TRIAGE" items --library "$library" --json --limit 100000 > "$OUT/triage-$1-items.json"
  echo "$seconds"
}
if [[ -x "$TRIAGE" ]]; then
  SCORE_ARGS+=(--triage "$OUT/triage-dedup-items.json" "$(run_triage dedup false)")
  dedup_only_runs=()
  for run in 1 2 3; do dedup_only_runs+=("$(run_triage "dedup-only-$run" false false)"); done
  dedup_only_seconds=$(median "${dedup_only_runs[@]}")
  if [[ "${WITH_FACES:-1}" == 1 ]]; then
    faces_seconds=$(run_triage faces true)
    echo "triage ingest with face analysis on: $(printf '%.1f' "$faces_seconds") s for $FILES files ($(echo "$FILES / $faces_seconds" | bc -l | xargs printf '%.1f') images/s)"
  fi
else
  echo "triage not built at $TRIAGE: skipped (cmake --build $BUILD -j2 --target triage)" >&2
fi

"$DEDUP_SCORE" "${SCORE_ARGS[@]}"
if [[ -n "${dedup_only_seconds:-}" ]]; then
  echo "the floor, median of three runs: $(printf '%.2f' "$floor_seconds") s ($(printf '%.2f ' "${floor_runs[@]}")s)"
  echo "triage ingest with quality scores off too (duplicates only), median of three runs:" \
    "$(printf '%.2f' "$dedup_only_seconds") s ($(printf '%.2f ' "${dedup_only_runs[@]}")s)" \
    "($(echo "$floor_seconds / $dedup_only_seconds" | bc -l | xargs printf '%.2f') of the floor," \
    "$(echo "$floor_copy_seconds / $dedup_only_seconds" | bc -l | xargs printf '%.2f') of the floor with durable copies)"
fi
echo "CPU time (user + system), s:"
sed 's/^/  /' "$OUT/cpu.txt"
rm -rf "${OLD_OUTPUTS[@]}"
echo "outputs in $OUT"
