#!/usr/bin/env bash
# Installs what the tests need (pip packages, Debian's chromium for the browser tests) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt

# Playwright cannot download its own browser here: use Debian's chromium.
if [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: no chromium and no apt-get; browser tests will be skipped" >&2
  fi
fi

export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
python -m pytest "$@"
