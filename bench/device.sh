#!/usr/bin/env bash
# Runs MaskLab's engine (Dawn, bundled) and the PyTorch model on the same GPU machine, one after the other, so
# ours/PyTorch is measured in one run. Prepare here:  npm ci && npm run bench:bundle && ../shared/tools/device-pack.sh
# Run there (carry .device and dist-bench):        source .device/boot.sh && bash bench/device.sh
# Results: $OUT (the device tool's output folder) or bench/results: train-<adapter>.json, pytorch-<gpu>.json.
set -euo pipefail
out="${OUT:-bench/results}"
mkdir -p "$out"
node dist-bench/train.mjs --config "${CONFIGS:-tiny,mini,small}" --out "$out" --json | tail -n 1 > "$out/ours-last.json"
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  python3 bench/pytorch/bench.py --config "${CONFIGS:-tiny,mini,small}" --out "$out" --json | tail -n 1 > "$out/pytorch-last.json"
else
  echo "device.sh: no PyTorch with CUDA here; only MaskLab was measured" >&2
fi
ls -l "$out"
