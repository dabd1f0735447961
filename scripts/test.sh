#!/usr/bin/env bash
# Installs what the tests need (pip packages; Debian's chromium and g++) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt

# Debian packages: chromium (Playwright cannot download its own browser here) and a C++ compiler
# (torch.compile's CPU backend builds its kernels with it).
packages=()
if [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then packages+=(chromium); fi
if ! command -v g++ >/dev/null 2>&1; then packages+=(g++); fi
if [ ${#packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
  else
    echo "warning: missing ${packages[*]} and no apt-get; browser or compile tests will fail" >&2
  fi
fi

export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
python -m pytest "$@"
