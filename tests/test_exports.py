"""Exports: one folder per session, replaced on each export, removed with the session, after a time, or when too many."""

import os
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


def test_a_new_export_replaces_the_sessions_previous_one(root):
    first = exports.export_trace(handmade_trace(), session("alice"))
    second = exports.export_html(handmade_trace(), session("alice"))
    assert not os.path.exists(first) and os.path.exists(second)
    assert [p.name for p in (root / "alice").iterdir()] == ["llada-animation.html"]
    exports.export_trace(handmade_trace(), session("bob"))  # another session's export is its own
    assert sorted(p.name for p in root.iterdir()) == ["alice", "bob"] and os.path.exists(second)


def test_folders_go_with_their_session_after_a_time_and_beyond_the_limit(root, monkeypatch):
    exports.export_trace(handmade_trace(), session("old"))
    exports.export_trace(handmade_trace(), session("closed"))
    past = time.time() - exports.EXPORT_SECONDS - 10
    os.utime(root / "old", (past, past))
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
