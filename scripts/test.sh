#!/usr/bin/env bash
# Installs what the tests need (pip packages; Debian's chromium and g++), lints with ruff, and runs the tests.
#   ./scripts/test.sh                        everything (CI runs this through .ci/run)
#   ./scripts/test.sh --fast                 unit and quick API tests only: pytest -m "not slow" (docs/testing.md)
#   ./scripts/test.sh --update-screenshots   e2e tests rewrite docs/screenshots/ (otherwise build/screenshots/)
# Any other argument goes to pytest, e.g. ./scripts/test.sh --fast tests/test_settings.py -x
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
pytest_args=()
for arg in "$@"; do
  case "$arg" in
    --fast) fast=1 ;;
    *) pytest_args+=("$arg") ;;  # --update-screenshots is a pytest option (tests/conftest.py)
  esac
done

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

# Lint first: a ruff error fails the run before any test starts (rules in pyproject.toml).
python -m ruff check .

export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
if [ "$fast" -eq 1 ]; then
  python -m pytest -m "not slow" --durations=15 ${pytest_args[@]+"${pytest_args[@]}"}
else
  python -m pytest --durations=25 ${pytest_args[@]+"${pytest_args[@]}"}
fi
