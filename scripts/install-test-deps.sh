#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages on a Debian machine: Chromium (e2e tests, and its
# SwiftShader Vulkan driver for GPU tests without a GPU), the Vulkan loader (Dawn in Node) and a python3 with torch
# (the scale-up bundle's train.py is run by src/session/scaleup/trainpy.gpu.test.ts). Skips what is there.
set -euo pipefail
need=()
if [ -z "${CHROME_PATH:-}" ] && ! [ -x /usr/bin/chromium ]; then need+=(chromium); fi
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then need+=(libvulkan1); fi
# The same python3 the test looks for (src/session/scaleup/trainPyRunner.ts): MASKLAB_PYTHON, Debian's, the PATH's.
has_torch=0
for py in "${MASKLAB_PYTHON:-}" /usr/bin/python3 python3; do
  if [ -n "$py" ] && "$py" -c 'import torch, torch.distributed' >/dev/null 2>&1; then has_torch=1; break; fi
done
if [ $has_torch -eq 0 ]; then need+=(python3-torch); fi
if [ ${#need[@]} -eq 0 ]; then echo "install-test-deps: chromium, libvulkan1 and python3-torch already present"; exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-test-deps: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
