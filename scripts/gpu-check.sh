#!/usr/bin/env bash
# GPU check: DetrSharp on CUDA beside the PyTorch reference, on a machine with an NVIDIA GPU, its driver, CUDA and a
# pip PyTorch (torch with CUDA), cmake and g++, but no .NET SDK. NOT YET RUN ON A GPU (none was available when it was
# written): its CPU-reachable parts were checked (bash -n, the runner and bench on the CPU, the reference on the CPU).
#
# 1. On a machine with the .NET SDK (this checkout), publish the two self-contained executables it runs:
#      dotnet publish src/DetrSharp.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
#        -p:PublishTrimmed=false -p:EnableCompressionInSingleFile=true -o publish/cli
#      dotnet publish tests/DetrSharp.GpuCheck -c Release -r linux-x64 --self-contained -o publish/gpu-check
#    (not trimmed: the run configuration and the bench results are JSON through reflection, which trimming breaks)
# 2. Copy the checkout with publish/ to the GPU machine (the native shim is built there: libtorch's C++ ABI is the pip
#    wheel's) and run, from the checkout:   scripts/gpu-check.sh
#
# Steps, each bounded so that the whole fits in 5 minutes (GPU_CHECK_BUDGET_S, default 300):
#   shim:      native/ built against the pip PyTorch's libtorch (LIBTORCH_DIR = torch.utils.cmake_prefix_path) into
#              native/build-cuda (kept: a second run skips it)
#   fixtures:  the detr_criterion, dino_msda and yolo_tal fixture tests with their inputs and modules on cuda
#              (publish/gpu-check, DETRSHARP_TEST_DEVICE=cuda)
#   bench:     `detrsharp bench detr-step --device cuda --precision P` for P in fp32 bf16 fp16 (DETR-R50 training step,
#              batch 2 of 512x512, and inference 800x1066)
#   reference: scripts/gpu_reference_detr_step.py, PyTorch's DETR-R50 on the same shapes and precisions
# Everything goes to gpu-check-out/ (GPU_CHECK_OUT): one log per step and summary.txt, also printed at the end.
# For a dry run of the script itself on a CPU: GPU_CHECK_DEVICE=cpu GPU_CHECK_PRECISIONS=fp32 GPU_CHECK_RUNS=1
# (LIBTORCH_DIR overrides the libtorch the shim is built against; DETRSHARP_CLI and DETRSHARP_GPU_CHECK the executables).
# Exit status: 0 when every step ran and the fixtures passed, 1 otherwise.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
OUT="${GPU_CHECK_OUT:-$ROOT/gpu-check-out}"
BUDGET="${GPU_CHECK_BUDGET_S:-300}"
PYTHON="${PYTHON:-python3}"
CLI="${DETRSHARP_CLI:-$ROOT/publish/cli/detrsharp}"
RUNNER="${DETRSHARP_GPU_CHECK:-$ROOT/publish/gpu-check/detrsharp-gpu-check}"
BUILD="$ROOT/native/build-cuda"
DEVICE="${GPU_CHECK_DEVICE:-cuda}"
PRECISIONS="${GPU_CHECK_PRECISIONS:-fp32 bf16 fp16}"
RUNS="${GPU_CHECK_RUNS:-10}"
WARMUP="${GPU_CHECK_WARMUP:-3}"
mkdir -p "$OUT"
SUMMARY="$OUT/summary.txt"
: >"$SUMMARY"
START=$SECONDS
status=0

say() { echo "$*" | tee -a "$SUMMARY"; }
left() { echo $((BUDGET - (SECONDS - START))); }
# step NAME SECONDS CMD...: runs CMD with its output in OUT/NAME.log, within SECONDS and what is left of the budget
step() {
  local name="$1" limit="$2"; shift 2
  local l; l=$(left)
  [ "$limit" -le "$l" ] || limit="$l"
  if [ "$limit" -le 0 ]; then say "$name: not run (the ${BUDGET} s budget is spent)"; status=1; return 1; fi
  local t0=$SECONDS rc
  timeout --kill-after=10 "$limit" "$@" >"$OUT/$name.log" 2>&1
  rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then say "$name: stopped after ${limit} s (see $OUT/$name.log)"; status=1; return 1; fi
  if [ "$rc" != 0 ]; then say "$name: failed with exit code $rc after $((SECONDS - t0)) s (tail of $OUT/$name.log below)"; tail -20 "$OUT/$name.log" | tee -a "$SUMMARY"; status=1; return 1; fi
  say "$name: ok in $((SECONDS - t0)) s"
}

# ---- what the machine has --------------------------------------------------------------------------------------------
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/gpu: /' | tee -a "$SUMMARY"
if [ "$DEVICE" != cpu ] && ! "$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  say "error: $PYTHON has no PyTorch that sees a CUDA device (pip install torch; check nvidia-smi)"; exit 1
fi
"$PYTHON" -c 'import torch; c = torch.cuda.is_available(); print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, " + (f"{torch.cuda.get_device_name(0)}, bf16 {torch.cuda.is_bf16_supported()}" if c else "no CUDA device"))' | sed 's/^/python: /' | tee -a "$SUMMARY"
for f in "$CLI" "$RUNNER"; do
  [ -x "$f" ] || { say "error: $f is missing: publish it on a machine with the .NET SDK (see the top of this script)"; exit 1; }
done
if ! command -v cmake >/dev/null || ! command -v g++ >/dev/null; then say "error: cmake and g++ are needed to build the native shim"; exit 1; fi
date -u +"date: %Y-%m-%d %H:%M UTC" | tee -a "$SUMMARY"

# ---- the shim against the pip PyTorch's libtorch -----------------------------------------------------------------------
LIBTORCH_DIR="${LIBTORCH_DIR:-$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')}"
say "LIBTORCH_DIR=$LIBTORCH_DIR"
LIB="$BUILD/libdetrsharp_native.so"
if [ -f "$LIB" ] && [ "$(cat "$BUILD/.libtorch" 2>/dev/null)" = "$LIBTORCH_DIR" ]; then
  say "shim: kept ($LIB, built against the same libtorch)"
else
  rm -rf "$BUILD"
  # the pip wheel's CMake config looks for the CUDA toolkit; nvcc from /usr/local/cuda when it is not on PATH
  [ -d /usr/local/cuda/bin ] && PATH="$PATH:/usr/local/cuda/bin"
  if ! step shim 240 bash -c "cmake -S native -B '$BUILD' -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH='$LIBTORCH_DIR' && cmake --build '$BUILD' -j \$(nproc) --target detrsharp_native"; then
    say "error: the shim did not build; nothing else can run"; exit 1
  fi
  echo "$LIBTORCH_DIR" >"$BUILD/.libtorch"
fi
export DETRSHARP_NATIVE_LIB="$LIB"

# ---- the fixture subset on the device ---------------------------------------------------------------------------------
export DETRSHARP_TEST_DEVICE="$DEVICE"
step fixtures 90 "$RUNNER"
grep -E "^(FAIL|[0-9]+ passed)" "$OUT/fixtures.log" | tee -a "$SUMMARY"

# ---- DetrSharp's DETR-R50 step and the reference's, per precision -----------------------------------------------------
for p in $PRECISIONS; do
  step "bench-$p" 60 bash -c "'$CLI' bench detr-step --device $DEVICE --precision $p --runs $RUNS --warmup $WARMUP --json >'$OUT/bench-$p.json'"
  "$PYTHON" - "$OUT/bench-$p.json" <<'PY' 2>/dev/null | tee -a "$SUMMARY"
import json, sys
for r in json.load(open(sys.argv[1])):
    print(f"detrsharp {r['case']} {r.get('precision')} on {r.get('device')}: median {r['median_ms']:.1f} ms, min {r['min_ms']:.1f} ms")
PY
  step "reference-$p" 60 "$PYTHON" scripts/gpu_reference_detr_step.py --device "$DEVICE" --precision "$p" --runs "$RUNS" --warmup "$WARMUP"
  grep '^{' "$OUT/reference-$p.log" | sed "s/^/pytorch $p: /" | tee -a "$SUMMARY"
done

say "total: $((SECONDS - START)) s of the ${BUDGET} s budget"
echo "summary: $SUMMARY"
exit $status
