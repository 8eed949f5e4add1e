#!/usr/bin/env bash
# `make run`'s demo, as a new user first sees it: scripts/demo.sh builds the demo library from the committed fixtures
# (without serving), and every demo photo must land where the quick start says, with its reason, nothing lost.
# Usage: tests/demo/demo_test.sh TRIAGE_BINARY
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
triage="$(realpath "$1")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "demo_test: $*" >&2; exit 1; }

out="$("$here/scripts/demo.sh" "$triage" "$work/demo" --no-serve 2>&1)" || fail "demo.sh failed: $out"
echo "$out"
lib="$work/demo"

# Every file the library holds outside its inbox and its own state (.triage/).
filed() { (cd "$lib" && find . -path ./incoming -prune -o -path ./.triage -prune -o -type f ! -name triage.json -print | sort); }

# Each route of the quick start, by file.
expect() {
  [[ -f "$lib/$1" ]] || fail "$1 is missing; the library holds: $(filed | tr '\n' ' ')"
}
expect faces/obama/obama_blue_room.jpg
expect faces/biden/biden_blue_room.jpg
expect review/unidentified/stranger.jpg
expect review/unidentified/coffee.jpg
expect review/multiple_faces/group.jpg
expect review/duplicates/obama_blue_room_copy.jpg
expect review/near_duplicates/obama_blue_room_small.jpg
expect review/unreadable/damaged_download.jpg

# Nothing lost, nothing doubled: the 8 inputs are 8 files, the inbox is empty (--move), the catalog agrees.
files=$(filed | wc -l)
[[ $files == 8 ]] || fail "expected 8 files in the library, found $files"
left=$(find "$lib/incoming" -type f | wc -l)
[[ $left == 0 ]] || fail "$left files were left in the demo inbox"
grep -q "8 images in .*: 2 to the library, 6 to review, 0 failed, 0 skipped" <<<"$out" || fail "the ingest summary differs"

# Each waiting item says why, in a sentence the review page shows.
export TRIAGE_LIBRARY="$lib"
python3 - "$("$triage" review list --json)" <<'PY'
import json, sys
items = json.loads(sys.argv[1])
by_name = {i["path"].rsplit("/", 1)[-1]: i for i in items}
want = {
    "stranger.jpg": "unknown_person", "coffee.jpg": "no_faces_detected", "group.jpg": "multiple_faces",
    "obama_blue_room_copy.jpg": "duplicate_sha256", "obama_blue_room_small.jpg": "near_duplicate",
    "damaged_download.jpg": "unreadable",
}
assert len(items) == 6, f"6 items should wait for review, {len(items)} do"
for name, code in want.items():
    codes = [r["code"] for r in by_name[name]["reasons"]]
    assert code in codes, f"{name}: reasons {codes}, expected {code}"
    assert all(r["text"] for r in by_name[name]["reasons"]), f"{name}: a reason without its sentence"
PY
echo "demo_test: the demo library is as the quick start says"
