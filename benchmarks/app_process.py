"""The app in a process of its own, as `python app.py` runs it, for the benchmarks that time it from outside."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = """
import sys, time
sys.path[:0] = [{root!r}, {tests!r}]
from server import start_app
demo, url = start_app()
print(url, flush=True)
while True:
    time.sleep(3600)
"""


def env() -> dict:
    """The environment of the benchmarks' child processes: no analytics, no hub, quiet tokenizers."""
    return dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")


def start_server() -> tuple[subprocess.Popen, str]:
    """(process, url) of the app on a free loopback port; kill the process when done."""
    code = SERVER.format(root=str(ROOT), tests=str(ROOT / "tests"))
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env())
    return process, process.stdout.readline().strip()
