"""Debian's Chromium path and flags for e2e tests (kept importable as `chromium`; the code is devtools/chromium.py)."""

from devtools.chromium import CHROMIUM_FLAGS, chromium_path

__all__ = ["CHROMIUM_FLAGS", "chromium_path"]
