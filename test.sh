#!/usr/bin/env bash
# Runs every test: installs and builds what is missing (scripts/bootstrap.sh), then the xunit projects.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Lsa").
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$ROOT/scripts/bootstrap.sh" || exit 1
CONFIG="${DETRSHARP_CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LOG="$ROOT/build/test.log"
rc=0
for proj in "$ROOT"/tests/*.Tests/*.Tests.csproj; do
  name="$(basename "$proj" .csproj)"
  echo "== $name"
  dotnet test "$proj" -c "$CONFIG" --no-build --nologo "$@" 2>&1 | tee -a "$LOG.tmp" | grep -vE "^\s*$" || true
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
done
# the NuGet packages: pack, build samples/DetectImage from the local feed, run both engines (scripts/sample.sh)
echo "== sample (samples/DetectImage from the packed packages)"
if "$ROOT/scripts/sample.sh" >"$ROOT/build/sample.log" 2>&1; then
  echo "  Passed! - Failed: 0, Passed: 1 - scripts/sample.sh" | tee -a "$LOG.tmp"
else
  tail -30 "$ROOT/build/sample.log"; echo "  Failed! - Failed: 1, Passed: 0 - scripts/sample.sh (log: build/sample.log)" | tee -a "$LOG.tmp"
fi
passed=$(grep -oE "Passed: +[0-9]+" "$LOG.tmp" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE "Failed: +[0-9]+" "$LOG.tmp" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE "Skipped: +[0-9]+" "$LOG.tmp" | awk '{s+=$2} END {print s+0}')
mv "$LOG.tmp" "$LOG"
[ "$failed" = 0 ] || rc=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $rc
