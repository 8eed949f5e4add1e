#!/usr/bin/env bash
# `make run`: a demo library under ./demo that shows the whole workflow on the committed, licensed fixtures
# (tests/fixtures/faces/LICENSES.tsv): enrol two persons, ingest an inbox that exercises every route,
# print where each image went and why, then serve the review UI (not with --no-serve: the demo test).
# Usage: scripts/demo.sh TRIAGE_BINARY [DIR] [--no-serve]
set -euo pipefail
triage="$(realpath "$1")"
demo="${2:-demo}"
serve=1
[[ "${3:-}" == "--no-serve" ]] && serve=0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$here/tests/fixtures/faces"

rm -rf "$demo"
"$triage" init --library "$demo"
export TRIAGE_LIBRARY="$demo"

echo; echo "== enrolling reference photos"
"$triage" person add obama "$fixtures/obama.jpg" "$fixtures/obama2.jpg"
"$triage" person add biden "$fixtures/biden2.jpg"

# The demo inbox: a known person twice, an unknown face, a group photo, a photo without a face,
# an exact copy, a near duplicate (a smaller re-encode), and a damaged file.
incoming="$demo/incoming"
mkdir -p "$incoming"
cp "$fixtures/obama3.jpg" "$incoming/obama_blue_room.jpg"
cp "$fixtures/biden.jpg" "$incoming/biden_blue_room.jpg"
cp "$fixtures/Tom_Cruise_avp_2014_4.jpg" "$incoming/stranger.jpg"
cp "$fixtures/vladmandic_sample1.jpg" "$incoming/group.jpg"
cp "$fixtures/skimage_coffee.jpg" "$incoming/coffee.jpg"
cp "$fixtures/obama3.jpg" "$incoming/obama_blue_room_copy.jpg"
cp "$here/tests/fixtures/demo/obama3_small.jpg" "$incoming/obama_blue_room_small.jpg"
head -c 20000 "$fixtures/vladmandic_sample4.jpg" > "$incoming/damaged_download.jpg"

echo; echo "== ingesting $incoming"
"$triage" ingest --move --source demo "$incoming" || true

echo; echo "== statistics"
"$triage" stats

if [[ $serve == 1 ]] && "$triage" --help | grep -qE '^ +serve'; then
  echo; echo "== review UI"
  exec "$triage" serve --host 127.0.0.1 --port "${PORT:-8080}" --demo-login
fi
