#!/usr/bin/env bash
# Packs the libraries into NuGet packages (and .snupkg symbol packages) in a local folder feed: artifacts/packages
# (or $1). Builds what is missing first (scripts/bootstrap.sh: the native shim the DetrSharp.Torch package carries,
# and the projects), then checks that every package has its README, licence, repository commit and symbols, and that
# DetrSharp.Torch carries runtimes/linux-x64/native/libdetrsharp_native.so.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${DETRSHARP_CONFIGURATION:-Release}"
FEED="$(mkdir -p "${1:-$ROOT/artifacts/packages}" && cd "${1:-$ROOT/artifacts/packages}" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log() { echo "[pack] $*" >&2; }

"$ROOT/scripts/bootstrap.sh"
command -v unzip >/dev/null || { SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"; $SUDO apt-get install -y -qq unzip >&2; }

rm -f "$FEED"/DetrSharp.*.nupkg "$FEED"/DetrSharp.*.snupkg
log "packing into $FEED"
mkdir -p "$ROOT/build"
if ! dotnet pack "$ROOT/DetrSharp.sln" -c "$CONFIG" --no-build -o "$FEED" -nologo -v:q -clp:ErrorsOnly >"$ROOT/build/pack.log" 2>&1; then
  cat "$ROOT/build/pack.log" >&2; exit 1
fi

PACKAGES=(Torch Assignment Detection Data Evaluation Reporting Training Export Onnx)
for p in "${PACKAGES[@]}"; do
  nupkg=$(ls "$FEED"/DetrSharp.$p.[0-9]*.nupkg 2>/dev/null | head -1)
  [ -n "$nupkg" ] || { log "DetrSharp.$p: no package"; exit 1; }
  [ -f "${nupkg%.nupkg}.snupkg" ] || { log "$nupkg: no symbol package"; exit 1; }
  files=$(unzip -Z1 "$nupkg")
  nuspec=$(unzip -p "$nupkg" "DetrSharp.$p.nuspec")
  grep -qx "README.md" <<<"$files" || { log "$nupkg: no README.md"; exit 1; }
  grep -q "<readme>README.md</readme>" <<<"$nuspec" || { log "$nupkg: the nuspec names no readme"; exit 1; }
  grep -q '<license type="expression">' <<<"$nuspec" || { log "$nupkg: no licence"; exit 1; }
  grep -q '<repository type="git".*commit="[0-9a-f]\{40\}"' <<<"$nuspec" || { log "$nupkg: no repository commit"; exit 1; }
  grep -qx "lib/net10.0/DetrSharp.$p.dll" <<<"$files" || { log "$nupkg: no lib/net10.0/DetrSharp.$p.dll"; exit 1; }
done
torch_files=$(unzip -Z1 "$FEED"/DetrSharp.Torch.[0-9]*.nupkg)   # listed first: grep -q closing a pipe early fails it under pipefail
grep -qx "runtimes/linux-x64/native/libdetrsharp_native.so" <<<"$torch_files" \
  || { log "DetrSharp.Torch: no runtimes/linux-x64/native/libdetrsharp_native.so"; exit 1; }
log "${#PACKAGES[@]} packages: $(cd "$FEED" && ls DetrSharp.*.nupkg | tr '\n' ' ')"
