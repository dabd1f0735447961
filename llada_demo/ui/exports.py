"""Downloads of a run (trace JSON, HTML player, GIF): one folder per session, replaced on each export, cleaned up.

Every export used to leave a new temporary folder behind (93 after one probe). Now a session's export
replaces its previous one; a session's folder goes when the session ends (the page is closed) or after
EXPORT_SECONDS, and at most EXPORT_SESSIONS folders exist at once (the oldest go first). Gradio serves a
copy of each file from its own cache, which the app clears on the same schedule (launch.DELETE_CACHE).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import gradio as gr

from ..trace import Trace
from ..viz.export import animation_gif, animation_html, trace_to_json_file
from .sessions import session_of

EXPORT_ROOT = Path(tempfile.gettempdir()) / f"llada-exports-{os.getpid()}"
EXPORT_SECONDS = 3600
EXPORT_SESSIONS = 64
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
    """This session's export folder, emptied (its previous export goes) and cleaned around."""
    name = "".join(c for c in session_of(request) if c.isalnum())[:64] or "local"
    folder = EXPORT_ROOT / name
    with _lock:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _clean(time.time(), keep=name)
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
