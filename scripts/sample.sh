#!/usr/bin/env bash
# Packs the libraries (scripts/pack.sh → artifacts/packages), builds samples/DetectImage from that feed (package
# references, not project references) and runs both of its engines on a tiny model: a 2-step YOLOv8n run on 64 px
# synthetic shapes, exported to ONNX without and with NMS in the graph. The ONNX runs must not load libtorch and the
# libtorch run must load the package's native shim (the sample checks /proc/self/maps); the two ONNX exports must print
# the same detections. Work folder: build/sample (or $DETRSHARP_SAMPLE_DIR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${DETRSHARP_CONFIGURATION:-Release}"
WORK="${DETRSHARP_SAMPLE_DIR:-$ROOT/build/sample}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log() { echo "[sample] $*" >&2; }

"$ROOT/scripts/pack.sh"
VERSION=$(ls "$ROOT"/artifacts/packages/DetrSharp.Torch.[0-9]*.nupkg | head -1 | sed -E 's/.*DetrSharp\.Torch\.(.*)\.nupkg/\1/')
# NuGet caches a package by id and version: drop this version's copies so the build takes the packages just made
CACHE="$(dotnet nuget locals global-packages -l | sed -E 's/^global-packages: *//')"
for p in "$CACHE"/detrsharp.*; do [ -d "$p/$VERSION" ] && rm -rf "$p/$VERSION"; done

rm -rf "$WORK" && mkdir -p "$WORK"
log "a tiny model: 2 steps of YOLOv8n on 64 px synthetic shapes"
"$ROOT/detrsharp" synth --out "$WORK/data" --train 8 --val 4 --size 64 --seed 3 >"$WORK/cli.log"
"$ROOT/detrsharp" train --model yolov8 --data "$WORK/data" --out "$WORK/run" --max-steps 2 --time-limit 0 --epochs 1 \
  --set data.val_size=64 data.max_size=64 data.batch_size=4 eval.every=0 runtime.seed=5 model.conf_threshold=0.001 >>"$WORK/cli.log" 2>&1 \
  || { cat "$WORK/cli.log" >&2; exit 1; }
"$ROOT/detrsharp" export --checkpoint "$WORK/run/checkpoint.pth" --format onnx --out "$WORK/model.onnx" --dynamic-batch >>"$WORK/cli.log"
"$ROOT/detrsharp" export --checkpoint "$WORK/run/checkpoint.pth" --format onnx --out "$WORK/model-nms.onnx" --dynamic-batch --nms >>"$WORK/cli.log"

log "building samples/DetectImage from the packages $VERSION"
if ! dotnet build "$ROOT/samples/DetectImage/DetectImage.csproj" -c "$CONFIG" -p:DetrSharpVersion="$VERSION" -nologo -v:q -clp:ErrorsOnly >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2; exit 1
fi
# the sample's project is in the assets file with package references only
grep -q '"DetrSharp.Onnx/'"$VERSION"'"' "$ROOT/samples/DetectImage/obj/project.assets.json"
! grep -q '"type": "project"' "$ROOT/samples/DetectImage/obj/project.assets.json" || { log "the sample restored project references"; exit 1; }

APP="$ROOT/samples/DetectImage/bin/$CONFIG/net10.0/DetectImage.dll"
images=("$WORK"/data/val/*)
run() { dotnet "$APP" "$@" --threshold 0.001; }
run torch "$WORK/run/checkpoint.pth" "${images[@]}" | tee "$WORK/torch.txt"
run onnx "$WORK/model.onnx" "${images[@]}" | tee "$WORK/onnx.txt"
run onnx "$WORK/model-nms.onnx" "${images[@]}" | tee "$WORK/onnx-nms.txt"
# the detections (not the header naming the model) of both exports are the same
diff <(tail -n +2 "$WORK/onnx.txt") <(tail -n +2 "$WORK/onnx-nms.txt") >&2 || { log "the exports with and without NMS in the graph differ"; exit 1; }
grep -q " [1-9][0-9]* detections on" "$WORK/onnx.txt" || { log "no detections: nothing was compared"; exit 1; }
log "ok"
