#!/usr/bin/env bash
# Installs what triage needs to build, test and run, when it is missing:
# Debian packages (apt-get) and the pinned, checksum-verified npm packages (face models, browser-test driver).
# Safe to run again: it only installs what is absent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages: build tools, the field's libraries, peer tools for bench/, chromium for the browser tests.
packages=(
  build-essential cmake pkg-config ccache clang clang-format libclang-rt-14-dev
  libopencv-dev libopencv-contrib-dev opencv-data
  libdlib-dev libdlib-data libopenblas-dev
  libvips-dev libheif-dev libexiv2-dev libexif-dev libraw-dev libtiff-dev
  libsqlite3-dev sqlite3 libpqxx-dev libpq-dev postgresql-15 postgresql-client-15 libhnswlib-dev
  libcurl4-openssl-dev libssl-dev libtbb-dev
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev
  libjpeg62-turbo-dev libpng-dev libdeflate-dev linux-perf
  jdupes findimagedupes wrk
  chromium nodejs npm
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from outside dpkg (a preinstalled toolchain): accept those binaries.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    "${sudo_cmd[@]}" apt-get update -q
    "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

"$here/scripts/fetch_models.sh"
