"""Exports: one folder per session, earlier exports replaced once served (never a concurrent one), removed with the
session, after a time, or when too many."""

import os
import threading
import time
from types import SimpleNamespace

import pytest

from llada_demo.ui import exports
from viz_fixtures import handmade_trace


@pytest.fixture()
def root(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_ROOT", tmp_path / "exports")
    return tmp_path / "exports"


def session(name: str):
    return SimpleNamespace(session_hash=name)


def age(path, seconds):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_new_export_replaces_the_sessions_served_ones(root):
    first = exports.export_trace(handmade_trace(), session("alice"))
    age(os.path.dirname(first), exports.EXPORT_GRACE + 1)  # long since copied by Gradio
    second = exports.export_html(handmade_trace(), session("alice"))
    assert not os.path.exists(first) and os.path.exists(second)
    assert [p.name for p in (root / "alice").glob("*/*")] == ["llada-animation.html"]
    exports.export_trace(handmade_trace(), session("bob"))  # another session's export is its own
    assert sorted(p.name for p in root.iterdir()) == ["alice", "bob"] and os.path.exists(second)


def test_exports_of_one_session_at_once_all_keep_their_files(root):
    """Quick clicks (HTML, JSON, GIF...) overlap: none may delete another's file before Gradio copies it."""
    makers = [exports.export_html, exports.export_trace] * 4
    paths, start = [None] * len(makers), threading.Barrier(len(makers))

    def export(index):
        start.wait()
        paths[index] = makers[index](handmade_trace(), session("alice"))

    threads = [threading.Thread(target=export, args=(i,)) for i in range(len(makers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(os.path.exists(path) for path in paths) and len(set(paths)) == len(makers)


def test_folders_go_with_their_session_after_a_time_and_beyond_the_limit(root, monkeypatch):
    exports.export_trace(handmade_trace(), session("old"))
    exports.export_trace(handmade_trace(), session("closed"))
    age(root / "old", exports.EXPORT_SECONDS + 10)
    exports.forget_session(session("closed"))
    exports.export_trace(handmade_trace(), session("new"))
    assert sorted(p.name for p in root.iterdir()) == ["new"]
    monkeypatch.setattr(exports, "EXPORT_SESSIONS", 3)
    for index in range(6):
        exports.export_trace(handmade_trace(), session(f"s{index}"))
    assert len(list(root.iterdir())) == 3 and (root / "s5").exists()


def test_no_trace_no_export(root):
    with pytest.raises(Exception, match="Run something first"):
        exports.export_gif(None, session("alice"))
