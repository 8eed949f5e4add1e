#!/usr/bin/env bash
# Checks that every C++ source of triage is formatted as .clang-format says (Google, 120 columns).
# Usage: scripts/check_format.sh [clang-format binary]   — exits 1 and names each file that differs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool="${1:-clang-format}"
cd "$root"
bad=0
while IFS= read -r -d '' f; do
  if ! "$tool" --dry-run -Werror --style=file "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run: make format)"
    bad=1
  fi
done < <(find src tests bench fuzz \( -name '*.cc' -o -name '*.h' \) -not -path '*/node_modules/*' -print0)
exit "$bad"
