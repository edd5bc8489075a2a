#!/usr/bin/env bash
# The default `detrsharp train` of each family in fp32 and in bf16, side by side (issue 17's target: bf16 makes at
# least 1.5x the steps of fp32 in the same time, with AP50 no lower and no NaN). Each run goes into its own folder,
# OUT/MODEL-PRECISION (log.jsonl, eval.json, checkpoint.pth; the command's output in OUT/MODEL-PRECISION.out), one
# after another (run it on a quiet machine: the comparison is only as fair as the load is even). Then a table:
# family, precision, steps, steps against fp32, AP50, AP, NaN seen.
#
#   scripts/precision-runs.sh [OUT]          OUT defaults to runs/precision
#   scripts/precision-runs.sh --table [OUT]  only the table, from folders already there
#
# Environment: PRECISION_RUNS_MINUTES (15; e.g. 0.2 to check the script), PRECISION_RUNS_MODELS ("detr dino yolov8 yolov10"),
# PRECISION_RUNS_PRECISIONS ("fp32 bf16"), PRECISION_RUNS_ARGS (more `train` arguments, e.g. "--set runtime.threads=1"),
# PRECISION_RUNS_PAIRED=1 (a family's precisions run at the same time, each pinned to its own core with taskset: half
# the wall time, and both runs see the same machine; needs as many cores as precisions).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TABLE_ONLY=0
if [[ "${1:-}" == "--table" ]]; then TABLE_ONLY=1; shift; fi
OUT="${1:-runs/precision}"
MINUTES="${PRECISION_RUNS_MINUTES:-15}"
MODELS="${PRECISION_RUNS_MODELS:-detr dino yolov8 yolov10}"
PRECISIONS="${PRECISION_RUNS_PRECISIONS:-fp32 bf16}"
read -r -a EXTRA <<< "${PRECISION_RUNS_ARGS:-}"

# a number field of a JSON object on one line: field NAME < file
field() { grep -o "\"$1\": *[-0-9.eE+]*" | tail -n 1 | sed 's/.*: *//'; }

if [[ $TABLE_ONLY == 0 ]]; then
  mkdir -p "$OUT"
  "$ROOT/scripts/bootstrap.sh"   # build once, before any timed run
  one() { # model precision [core]
    local dir="$OUT/$1-$2" rc=0 pin=()
    [[ -n "${3:-}" ]] && pin=(taskset -c "$3")
    echo "[precision-runs] $(date -u +%H:%M:%S) $1 $2: $MINUTES min into $dir${3:+ (core $3)}"
    ${pin[@]+"${pin[@]}"} "$ROOT/detrsharp" train --model "$1" --time-limit "$MINUTES" --out "$dir" --restart \
      --set "runtime.precision=\"$2\"" ${EXTRA[@]+"${EXTRA[@]}"} > "$dir.out" 2>&1 || rc=$?
    echo "$rc" > "$dir.rc"
    [[ $rc == 0 ]] || echo "[precision-runs] $1 $2 exited with $rc (see $dir.out)"
  }
  for model in $MODELS; do
    core=0
    for precision in $PRECISIONS; do
      if [[ "${PRECISION_RUNS_PAIRED:-0}" == 1 ]]; then one "$model" "$precision" "$core" & core=$((core + 1))
      else one "$model" "$precision"; fi
    done
    wait
  done
fi

printf '%-8s %-9s %7s %9s %7s %7s %-8s %s\n' family precision steps vs_fp32 AP50 AP NaN ran
for model in $MODELS; do
  fp32_steps=""
  for precision in $PRECISIONS; do
    dir="$OUT/$model-$precision"
    log="$dir/log.jsonl"
    steps=-; ap50=-; ap=-; nan=-; ran=-; ratio=-
    if [[ -f "$log" ]]; then
      # the last step any row names (train rows come every runtime.log_every steps; the final eval row has the last)
      steps=$(grep -o '"step": *[0-9]*' "$log" | sed 's/.*: *//' | sort -n | tail -n 1 || true)
      steps=${steps:--}
      ran=$(grep '"type":"run"' "$log" | tail -n 1 | grep -o '"precision":"[a-z0-9]*"' | sed 's/.*:"//; s/"//' || true)
      # divergence: a NaN/Infinity anywhere in the log, or the run stopped on a non-finite loss or gradient
      if grep -qE '[:,\[] *"?-?(NaN|Infinity)"?[],}]' "$log" \
         || { [[ -f "$dir.out" ]] && grep -qE 'loss is not finite|training diverged' "$dir.out"; }; then nan=yes; else nan=no; fi
    fi
    if [[ -f "$dir/eval.json" ]]; then
      ap50=$(tr -d '\n' < "$dir/eval.json" | field AP50 || true)
      ap=$(tr -d '\n' < "$dir/eval.json" | grep -o '"AP": *[-0-9.eE+]*' | head -n 1 | sed 's/.*: *//' || true)
    fi
    if [[ $precision == fp32 ]]; then fp32_steps=$steps; fi
    if [[ -n "$fp32_steps" && "$fp32_steps" != - && "$steps" != - && "$fp32_steps" -gt 0 ]]; then
      ratio=$(awk -v a="$steps" -v b="$fp32_steps" 'BEGIN { printf "%.2fx", a / b }')
    fi
    printf '%-8s %-9s %7s %9s %7s %7s %-8s %s\n' "$model" "$precision" "$steps" "$ratio" "${ap50:--}" "${ap:--}" "$nan" "${ran:--}"
  done
done
