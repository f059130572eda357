#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages on a Debian machine: Chromium (e2e tests, and its
# SwiftShader Vulkan driver for GPU tests without a GPU) and the Vulkan loader (Dawn in Node). Skips what is there.
set -euo pipefail
need=()
if [ -z "${CHROME_PATH:-}" ] && ! [ -x /usr/bin/chromium ]; then need+=(chromium); fi
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then need+=(libvulkan1); fi
if [ ${#need[@]} -eq 0 ]; then echo "install-test-deps: chromium and libvulkan1 already present"; exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-test-deps: installing ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
