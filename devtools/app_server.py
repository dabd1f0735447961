"""The real app on a free loopback port: in this process (integration and browser tests) or in its own (benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The child process imports this module from the checkout it was started from, then serves until killed.
SERVER = """
import sys, time
sys.path.insert(0, {root!r})
from devtools.app_server import start_app
demo, url = start_app()
print(url, flush=True)
while True:
    time.sleep(3600)
"""

# Prepended to every child's script. Linux: the app gets SIGTERM when the process that started it ends, even one
# killed before its cleanup ran (a test's timeout), so no server is left behind.
END_WITH_PARENT = """
import ctypes, signal, sys
if sys.platform.startswith("linux"):
    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app():
    """(demo, url): the app as `python app.py` builds it, served on loopback in this process."""
    from llada_demo.ui import build_demo, launch_kwargs
    from llada_demo.ui.launch import configure_queue

    demo = configure_queue(build_demo())
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                **launch_kwargs())
    return demo, demo.local_url


def env() -> dict:
    """The environment of child processes: no analytics, no hub, quiet tokenizers."""
    return dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")


def start_server(code: str = SERVER) -> tuple[subprocess.Popen, str]:
    """(process, url) of the app in a process of its own, as `python app.py` runs it; kill the process when done.

    `code` is the child's script (formatted with `root`); it must print the app's URL as its first line.
    """
    script = END_WITH_PARENT + code.format(root=str(ROOT))
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=env())
    return process, process.stdout.readline().strip()
