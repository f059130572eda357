#!/usr/bin/env bash
# The one command for a GPU machine (about 8 minutes in all), in order: the kernel self-test; the training bench
# (tiny, mini, small) autotuned first as the page does on first use (each role's checked candidates timed at the
# config's shapes; the choice and the timings per role recorded), then timed without and with the fused kernels
# (their ms/step ratio, dispatches and bytes per step) and its per-kernel breakdown; the kernel lab at the models'
# shapes and at 1024-4096 squares (every variant, the best as a share of the GPU's FP32 peak); bench/pytorch/bench.py
# on the same shapes (eager for every config first, then torch.compile, then CUDA graphs, within its budget); the
# scale-up bundles' train.py with accelerate launch (bench/scaleup/run.py). One JSON file per part under $OUT (or
# bench/results): selfcheck.json, train.json, kernels.json, pytorch.json, trainpy.json; then summary.md /
# summary.json, the tables for the README (dist-bench/summary.mjs). A part that runs past its share of the time is stopped, and says so (in its JSON too).
# Prepare here:  npm ci && npm run bench:bundle && npm run bench:scaleup && ../shared/tools/device-pack.sh
# Run there (carry .device and dist-bench):  source .device/boot.sh && bash bench/device.sh
# Knobs: CONFIGS=tiny,mini,small; SHARE_<part>=seconds, each part's time budget (selfcheck 45, train 120,
# kernels 60, pytorch 100, trainpy 150: 475 s, about 8 minutes with the summary); SIZES=1024,2048,4096 (kernel lab
# squares); FP32_PEAK=TFLOPS (a GPU the table below does not know); SELFCHECK_ARGS (e.g. "--max-size 5000");
# TRAINPY_STEPS (200); FUSIONS=none,all (the train part's fusion sets, see npm run bench -- --help).
# To add a part: one `part NAME "${SHARE_NAME:-seconds}" "$out/NAME.json" CMD...` line below (CMD's last stdout
# line, when it is JSON, becomes the part's result) and its share in the comment above; the summary lists it.
set -uo pipefail
out="${OUT:-bench/results}"
mkdir -p "$out"
configs="${CONFIGS:-tiny,mini,small}"
t_all=$SECONDS

# FP32 (non-tensor) peak in TFLOP/s from NVIDIA's datasheets, by the name nvidia-smi gives; 0 when unknown.
fp32_peak() {
  case "$1" in
    *H100*NVL* | *H200*NVL*) echo 60 ;;
    *H100*PCIe*) echo 51.2 ;;
    *H100* | *H200* | *GH200*) echo 66.9 ;;
    *A100*) echo 19.5 ;;
    *L40S*) echo 91.6 ;;
    *L4*) echo 30.3 ;;
    *A10G*) echo 31.2 ;;
    *"RTX 4090"*) echo 82.6 ;;
    *) echo 0 ;;
  esac
}
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
peak="${FP32_PEAK:-$(fp32_peak "${gpu_name:-none}")}"
echo "== GPU: ${gpu_name:-none found by nvidia-smi}; FP32 peak ${peak} TFLOP/s (0: unknown)" >&2

# part NAME SHARE FILE CMD...: runs CMD with a time limit; its last stdout line (JSON) goes to FILE.
part() {
  local name=$1 share=$2 file=$3
  shift 3
  local t0=$SECONDS log="$out/$name.log"
  echo "== $name (share ${share}s): $*" >&2
  timeout --kill-after=5 "$share" "$@" >"$log"
  local rc=$?
  local took=$((SECONDS - t0))
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "== $name STOPPED after ${took}s: past its share of ${share}s" >&2
    printf '{"part":"%s","stopped":true,"share_s":%s,"seconds":%s}\n' "$name" "$share" "$took" >"$file"
    return
  fi
  local last
  last=$(tail -n 1 "$log")
  if [ "${last:0:1}" = "{" ]; then
    printf '{"part":"%s","stopped":false,"rc":%s,"seconds":%s,"result":%s}\n' "$name" "$rc" "$took" "$last" >"$file"
  else
    printf '{"part":"%s","stopped":false,"rc":%s,"seconds":%s,"result":null}\n' "$name" "$rc" "$took" >"$file"
  fi
  echo "== $name done in ${took}s (exit $rc)" >&2
}

# The autotuner's choices live in this run's folder: a fresh machine tunes, and the self-test report lists them.
tune_file="$out/autotune.json"
# shellcheck disable=SC2086
part selfcheck "${SHARE_selfcheck:-45}" "$out/selfcheck.json" \
  node dist-bench/selfcheck.mjs --json --out "$out" --autotune-file "$tune_file" ${SELFCHECK_ARGS:-}
part train "${SHARE_train:-120}" "$out/train.json" \
  node dist-bench/train.mjs --config "$configs" --fusions "${FUSIONS:-none,all}" --out "$out" --json \
  --autotune --autotune-file "$tune_file"
part kernels "${SHARE_kernels:-60}" "$out/kernels.json" \
  node dist-bench/kernels.mjs --models "$configs" --sizes "${SIZES:-1024,2048,4096}" --compare --target-ms 100 \
  --fp32-peak "$peak" --out "$out"
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  s_torch=${SHARE_pytorch:-100}
  part pytorch "$s_torch" "$out/pytorch.json" python3 bench/pytorch/bench.py --config "$configs" \
    --heads gathered --warmup 5 --steps 20 --repeats 3 --budget "$((s_torch - 10))" --out "$out" --json
else
  echo "== pytorch skipped: no PyTorch with CUDA here" >&2
  printf '{"part":"pytorch","stopped":false,"skipped":"no PyTorch with CUDA"}\n' >"$out/pytorch.json"
fi
# The scale-up bundles npm run bench:scaleup exported (dist-bench/scaleup, after bench:bundle, which empties
# dist-bench): train.py with accelerate launch, fp32.
if [ -f dist-bench/scaleup/manifest.json ] &&
  python3 -c 'import sys, torch, transformers, accelerate; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  s_trainpy=${SHARE_trainpy:-150}
  node dist-bench/scaleupWeights.mjs dist-bench/scaleup >&2
  part trainpy "$s_trainpy" "$out/trainpy.json" python3 bench/scaleup/run.py --bundles dist-bench/scaleup \
    --steps "${TRAINPY_STEPS:-200}" --budget "$((s_trainpy - 10))" --out "$out/scaleup"
else
  echo "== trainpy skipped: no dist-bench/scaleup, or no torch with CUDA, transformers and accelerate" >&2
  printf '{"part":"trainpy","stopped":false,"skipped":"no dist-bench/scaleup or no torch+CUDA, transformers, accelerate"}\n' >"$out/trainpy.json"
fi
echo "== all parts in $((SECONDS - t_all))s; JSON in $out" >&2
node dist-bench/summary.mjs "$out" --gpu "${gpu_name:-no NVIDIA GPU}" --fp32-peak "$peak" >"$out/summary.log" ||
  echo "== summary failed: see $out/summary.log" >&2
echo "== tables for the README in $out/summary.md" >&2
ls -l "$out" >&2
