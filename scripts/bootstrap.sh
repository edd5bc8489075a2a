#!/usr/bin/env bash
# Installs what is missing (Debian packages), builds the native shim (CMake) and the .NET projects.
# Each step is skipped when its outputs are newer than its inputs, so a second run takes seconds.
# LIBTORCH_DIR=/path/to/libtorch builds against another libtorch (1.13+, CPU or CUDA).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${DETRSHARP_CONFIGURATION:-Release}"
log() { [ "${DETRSHARP_QUIET:-0}" = 1 ] || echo "[bootstrap] $*" >&2; }

# 1. Debian packages ------------------------------------------------------------------------------
PKGS=(cmake g++ make libopenblas0-pthread libspng-dev libturbojpeg0-dev zlib1g-dev
      libfontconfig1 fonts-dejavu-core)  # SkiaSharp's native library needs fontconfig; labels and plots use DejaVu Sans
# libgloo-dev: the headers of c10d's Gloo backend (distributed training; Debian's libtorch links libgloo already)
[ -n "${LIBTORCH_DIR:-}" ] || PKGS+=(libtorch-dev libgloo-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]} (usually 1-3 minutes)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
command -v dotnet >/dev/null || { echo "the .NET SDK (dotnet) is required" >&2; exit 1; }

# 2. Native shim --------------------------------------------------------------------------------------
BUILD="$ROOT/native/build"
LIB="$BUILD/libdetrsharp_native.so"
want="${LIBTORCH_DIR:-system}"
if [ -f "$BUILD/.libtorch" ] && [ "$(cat "$BUILD/.libtorch")" != "$want" ]; then
  log "libtorch changed to $want: reconfiguring"; rm -rf "$BUILD"
fi
if [ ! -f "$LIB" ] || [ -n "$(find "$ROOT/native" -path "$BUILD" -prune -o -newer "$LIB" -type f -print -quit)" ]; then
  log "building the native shim (C++ against libtorch: $want; usually 2-5 minutes on 2 cores, once); log: $ROOT/native/build.log"
  args=(-S "$ROOT/native" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release)
  [ -z "${LIBTORCH_DIR:-}" ] || args+=(-DCMAKE_PREFIX_PATH="$LIBTORCH_DIR")
  cmake "${args[@]}" >"$ROOT/native/build.log" 2>&1 || { cat "$ROOT/native/build.log" >&2; exit 1; }
  cmake --build "$BUILD" -j "$(nproc)" >>"$ROOT/native/build.log" 2>&1 || { tail -50 "$ROOT/native/build.log" >&2; exit 1; }
  echo "$want" > "$BUILD/.libtorch"
  touch "$LIB"
fi

# 3. .NET projects ----------------------------------------------------------------------------------------
STAMP="$ROOT/build/.dotnet-$CONFIG.stamp"
mkdir -p "$ROOT/build"
if [ ! -f "$STAMP" ] || [ -n "$(find "$ROOT/src" "$ROOT/tests" "$ROOT/Directory.Build.props" "$ROOT/DetrSharp.sln" \
     \( -name bin -o -name obj -o -name fixtures \) -prune -o -newer "$STAMP" -type f -print -quit)" ]; then
  log "building the .NET projects ($CONFIG; usually 1-3 minutes, once); log: $ROOT/build/dotnet-build.log"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  if ! dotnet build "$ROOT/DetrSharp.sln" -c "$CONFIG" -nologo -clp:ErrorsOnly -v:q >"$ROOT/build/dotnet-build.log" 2>&1; then
    grep -E "error|Error" "$ROOT/build/dotnet-build.log" | sort -u | head -50 >&2 || cat "$ROOT/build/dotnet-build.log" >&2
    exit 1
  fi
  touch "$STAMP"
fi
