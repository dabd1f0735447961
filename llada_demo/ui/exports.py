"""Downloads of a run (trace JSON, HTML player, GIF): one folder per session, earlier exports replaced, cleaned up.

Every export used to leave a new temporary folder behind (93 after one probe). Now a session's export
replaces its earlier ones once those have been served; a session's folder goes when the session ends (the
page is closed) or after EXPORT_SECONDS, and at most EXPORT_SESSIONS folders exist at once (the oldest go
first). Gradio serves a copy of each file from its own cache, which the app clears on the same schedule
(launch.DELETE_CACHE).

Each export writes into its own sub-folder and removes only siblings older than EXPORT_GRACE: Gradio copies
the file after the handler returns, so emptying the whole folder deleted a concurrent export's file before
it was copied (two quick clicks, HTML then JSON, failed with FileNotFoundError in CI).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

import gradio as gr

from ..trace import Trace
from ..viz.export import animation_gif, animation_html, trace_to_json_file
from .sessions import session_of

EXPORT_ROOT = Path(tempfile.gettempdir()) / f"llada-exports-{os.getpid()}"
EXPORT_SECONDS = 3600
EXPORT_SESSIONS = 64
EXPORT_GRACE = 30.0  # seconds: far longer than Gradio takes to copy a returned file to its cache
_lock = threading.Lock()


def _clean(now: float, keep: str | None = None) -> None:
    """Remove folders older than EXPORT_SECONDS, then the oldest beyond EXPORT_SESSIONS (never `keep`)."""
    if not EXPORT_ROOT.exists():
        return
    folders = sorted((p for p in EXPORT_ROOT.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for index, folder in enumerate(folders):
        too_many = len(folders) - index > EXPORT_SESSIONS
        if folder.name != keep and (too_many or now - folder.stat().st_mtime > EXPORT_SECONDS):
            shutil.rmtree(folder, ignore_errors=True)


def _folder(request) -> Path:
    """A new folder for this export inside its session's folder; the session's served exports go, others are cleaned."""
    name = "".join(c for c in session_of(request) if c.isalnum())[:64] or "local"
    session_folder = EXPORT_ROOT / name
    now = time.time()
    with _lock:
        session_folder.mkdir(parents=True, exist_ok=True)
        for earlier in session_folder.iterdir():
            if now - earlier.stat().st_mtime > EXPORT_GRACE:
                shutil.rmtree(earlier, ignore_errors=True)
        folder = session_folder / uuid.uuid4().hex[:12]
        folder.mkdir()
        _clean(now, keep=name)
    return folder


def forget_session(request: gr.Request = None) -> None:
    """The session ended (page closed): its export folder goes."""
    name = "".join(c for c in session_of(request) if c.isalnum())[:64] or "local"
    with _lock:
        shutil.rmtree(EXPORT_ROOT / name, ignore_errors=True)


def _path(trace: Trace | None, request, name: str) -> Path:
    if trace is None:
        raise gr.Error("Run something first: there is no trace to export yet.")
    return _folder(request) / name


def export_trace(trace: Trace | None, request: gr.Request = None) -> str:
    """The whole run as JSON (every step's tokens, commits, guesses and confidences)."""
    path = _path(trace, request, "llada-trace.json")
    trace_to_json_file(trace, path)
    return str(path)


def export_html(trace: Trace | None, request: gr.Request = None) -> str:
    """A standalone HTML page replaying the run (no network needed: for slides)."""
    path = _path(trace, request, "llada-animation.html")
    path.write_text(animation_html(trace), encoding="utf-8")
    return str(path)


def export_gif(trace: Trace | None, request: gr.Request = None) -> str:
    """An animated GIF of the token grid over the run."""
    path = _path(trace, request, "llada-animation.gif")
    animation_gif(trace, path)
    return str(path)
