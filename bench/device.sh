#!/usr/bin/env bash
# The one command for a GPU machine (about 10 minutes in all), in order: the kernel self-test; the training bench
# (tiny, mini, small) with its per-kernel breakdown, without and with the fused kernels (their ms/step ratio and
# dispatches and bytes per step); the kernel lab at the models' shapes (split K vs unsplit);
# bench/pytorch/bench.py on the same shapes (eager, torch.compile, CUDA graphs); the scale-up bundles' train.py with
# accelerate launch (bench/scaleup/run.py). One JSON file per part under $OUT (or bench/results): selfcheck.json,
# train.json, kernels.json, pytorch.json, trainpy.json; a part that runs past its share of the time is stopped, and
# says so (in its JSON too).
# Prepare here:  npm ci && npm run bench:bundle && npm run bench:scaleup && ../shared/tools/device-pack.sh
# Run there (carry .device and dist-bench):  source .device/boot.sh && bash bench/device.sh
# Knobs: CONFIGS=tiny,mini,small; SHARES="60 180 90 120 150" (seconds per part); SELFCHECK_ARGS (e.g. "--max-size
# 5000"); TRAINPY_STEPS (200); FUSIONS=none,all (the train part's fusion sets, see npm run bench -- --help).
set -uo pipefail
out="${OUT:-bench/results}"
mkdir -p "$out"
configs="${CONFIGS:-tiny,mini,small}"
read -r s_self s_train s_kernels s_torch s_trainpy <<<"${SHARES:-60 180 90 120 150}"
s_trainpy=${s_trainpy:-150}
t_all=$SECONDS

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

# shellcheck disable=SC2086
part selfcheck "$s_self" "$out/selfcheck.json" node dist-bench/selfcheck.mjs --json --out "$out" ${SELFCHECK_ARGS:-}
part train "$s_train" "$out/train.json" node dist-bench/train.mjs --config "$configs" --fusions "${FUSIONS:-none,all}" \
  --out "$out" --json
part kernels "$s_kernels" "$out/kernels.json" node dist-bench/kernels.mjs --models "$configs" --sizes "" --compare --out "$out"
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  part pytorch "$s_torch" "$out/pytorch.json" python3 bench/pytorch/bench.py --config "$configs" --out "$out" --json
else
  echo "== pytorch skipped: no PyTorch with CUDA here" >&2
  printf '{"part":"pytorch","stopped":false,"skipped":"no PyTorch with CUDA"}\n' >"$out/pytorch.json"
fi
# The scale-up bundles npm run bench:scaleup exported (dist-bench/scaleup, after bench:bundle, which empties
# dist-bench): train.py with accelerate launch, fp32.
if [ -f dist-bench/scaleup/manifest.json ] &&
  python3 -c 'import sys, torch, transformers, accelerate; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  node dist-bench/scaleupWeights.mjs dist-bench/scaleup >&2
  part trainpy "$s_trainpy" "$out/trainpy.json" python3 bench/scaleup/run.py --bundles dist-bench/scaleup \
    --steps "${TRAINPY_STEPS:-200}" --budget "$((s_trainpy - 10))" --out "$out/scaleup"
else
  echo "== trainpy skipped: no dist-bench/scaleup, or no torch with CUDA, transformers and accelerate" >&2
  printf '{"part":"trainpy","stopped":false,"skipped":"no dist-bench/scaleup or no torch+CUDA, transformers, accelerate"}\n' >"$out/trainpy.json"
fi
echo "== all parts in $((SECONDS - t_all))s; JSON in $out" >&2
ls -l "$out" >&2
