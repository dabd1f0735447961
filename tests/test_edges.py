"""Every edge gets the app's message, never a bare "Error": placed words that fill the answer, lone surrogates, \\r
separators, `mask` vs `[MASK]`, "#id text", typed HTML and Markdown in notices; and the session store's rules."""

import json
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

import numpy as np
import pytest

from branch_source import short_run_to_branch_from
from llada_demo.errors import SettingsError
from llada_demo.models.registry import default_model_name
from llada_demo.modes.branch import parse_edits
from llada_demo.ui import session_store
from llada_demo.ui.notices import as_text, error_notice

DIFFUSION = default_model_name("diffusion")


def test_only_mask_in_brackets_puts_a_mask_back_and_a_bare_mask_is_a_word():
    kinds = [(e.kind, e.value) for e in parse_edits("12 = mask; 13 = [MASK]; 14 = [mask]; 15 = Mask")]
    assert kinds == [("word", "mask"), ("mask", ""), ("mask", ""), ("word", "Mask")]


def test_a_carriage_return_separates_edits():
    edits = parse_edits("12 = dog\r13 = cat\r\n14 = [MASK]")
    assert [(e.first, e.kind, e.value) for e in edits] == [(12, "word", "dog"), (13, "word", "cat"), (14, "mask", "")]


@pytest.mark.parametrize("text, says", [
    ("12 = #686 dog", "token id alone"), ('12 = "\\ud800"', "lone surrogate"), ("12 = \ud800", "lone surrogate")])
def test_unclear_edits_get_a_message(text, says):
    with pytest.raises(SettingsError, match=says):
        parse_edits(text)


@pytest.mark.parametrize("typed", ["<img src=x onerror=alert(1)>", "**bold** [link](http://x) `code` # head"])
def test_typed_text_in_a_notice_is_text(typed):
    shown = error_notice(SettingsError(f"Cannot read the edit {typed!r}. Write `12 = dog`."))
    assert "<img" not in shown and "&lt;img" in shown or "<" not in typed
    quoted = shown[shown.index("'"):shown.rindex("'") + 1]
    if "**" in typed:  # Markdown escaped, so it shows as typed
        assert "\\*\\*bold\\*\\*" in quoted and "\\[link\\]\\(http" in quoted and "\\`code\\`" in quoted
    assert "`12 = dog`" in shown  # the message's own code span is kept
    assert "?" in as_text("a \ud800 b") and "\ud800" not in as_text("a \ud800 b")


# ---- the session store ----

class Session:
    def __init__(self, value):
        self.state_data = {} if value is None else {1: value}
        self.config_values = {}


class Holder:
    """Gradio's StateHolder as the pruner reads it (session_data, time_last_used, lock)."""

    def __init__(self):
        self.session_data, self.time_last_used, self.lock = OrderedDict(), {}, threading.Lock()

    def add(self, sid, value, idle_seconds):
        self.session_data[sid] = Session(value)
        self.time_last_used[sid] = datetime.now() - timedelta(seconds=idle_seconds)


def test_sessions_without_runs_go_soon_and_runs_stay_whatever_the_newcomers_count():
    holder = Holder()
    holder.add("person", [np.zeros(1000, np.int32)], idle_seconds=600)  # a run saved ten minutes ago
    for index in range(1000):
        holder.add(f"cheap{index}", None, idle_seconds=session_store.EMPTY_IDLE_SECONDS + 1)
    for index in range(100):
        holder.add(f"new{index}", [np.zeros(1000, np.int32)], idle_seconds=1)
    gone = session_store.prune(holder)
    assert "person" in holder.session_data and len(gone) == 1000
    assert all(f"new{i}" in holder.session_data for i in range(100))


def test_over_the_budget_the_least_recently_used_runs_go_and_old_ones_expire():
    holder = Holder()
    for index in range(10):
        holder.add(f"s{index}", np.zeros(1000, np.uint8), idle_seconds=100 - index)  # s0 used longest ago
    holder.add("stale", np.zeros(10, np.uint8), idle_seconds=session_store.IDLE_SECONDS + 1)
    gone = session_store.prune(holder, budget=5500)
    assert set(gone) == {"stale", "s0", "s1", "s2", "s3", "s4"}
    assert session_store.stored_bytes(holder) <= 5500


# ---- through the live app ----

@pytest.mark.integration
@pytest.mark.parametrize("length, words", [(8, "0:a, 1:b, 2:c, 3:d, 4:e, 5:f, 6:g, 7:h"), (1, "0:a")])
def test_placed_words_that_fill_the_answer_show_it_as_given(client, length, words):
    final = client.predict("Hi", [], DIFFUSION, length, length, length, "low_confidence", 0.9, 0.0, 0.0, 0, "none",
                           "confidence", words, api_name="/chat")
    assert "nothing to write" in final[8]
    assert final[1][-1]["role"] == "assistant" and "a" in str(final[1][-1]["content"])


def queue_call(app_url, api_name, data, session=None):
    """One call through the queue as raw JSON (gradio_client cannot send a lone surrogate: it encodes its body as
    UTF-8 first): join, then read the session's stream to the end; returns (success, output data)."""
    import json
    import uuid

    import httpx

    base, session = app_url.rstrip("/"), session or uuid.uuid4().hex
    config = httpx.get(f"{base}/config", timeout=60).json()
    fn_index = next(d["id"] for d in config["dependencies"] if d.get("api_name") == api_name.strip("/"))
    body = json.dumps({"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None,
                       "trigger_id": None})  # ensure_ascii: the surrogate travels as the escape \ud800
    joined = httpx.post(f"{base}/gradio_api/queue/join", content=body, timeout=60,
                        headers={"Content-Type": "application/json"})
    assert joined.status_code == 200, joined.text
    with httpx.stream("GET", f"{base}/gradio_api/queue/data", params={"session_hash": session}, timeout=600) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message.get("success"), (message.get("output") or {}).get("data")
    return False, None


@pytest.mark.integration
@pytest.mark.parametrize("api_name, args", [
    ("/chat", ("Hi \ud800 there", [], DIFFUSION, 16, 8, 16, "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence")),
    ("/chat", ("Hi", [], DIFFUSION, 16, 8, 16, "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence", "\ud800")),
    ("/branch", (2, '12 = "\\ud800"', 16, "low_confidence", 0.0, 0)),
    ("/branch", (2, "12 = \ud800", 16, "low_confidence", 0.0, 0)),
    ("/branch", (2, "3 = <img src=x onerror=alert(1)>", 16, "low_confidence", 0.0, 0)),
])
def test_lone_surrogates_and_html_get_the_apps_message(app_url, api_name, args):
    session = None
    if api_name == "/branch":
        from gradio_client import Client

        client = Client(app_url, verbose=False)
        short_run_to_branch_from(client, "Write a story.")
        session = client.session_hash
    data = list(args) + ([None] if api_name == "/branch" else [])  # /branch's last input: the source State
    if api_name == "/chat" and len(data) == 13:
        data.append("")  # no words
    if api_name == "/chat":
        data.append(False)  # "Remember earlier turns": the embedded model's own setting
    success, output = queue_call(app_url, api_name, data, session)
    assert success, output  # a bare "Error" comes back as success false
    notice = output[-1]
    shown = json.dumps([o for o in output if isinstance(o, str)], ensure_ascii=False)  # notices, grids, diffs
    assert isinstance(notice, str) and "Traceback" not in shown and "<img" not in shown and "\ud800" not in shown


def test_a_session_with_a_run_in_progress_is_kept_though_it_has_saved_nothing_yet():
    from types import SimpleNamespace

    holder = Holder()
    holder.add("running", None, idle_seconds=60)  # its first run has streamed no frame for a minute
    holder.add("idle", None, idle_seconds=60)
    event = SimpleNamespace(session_hash="running")
    holder.blocks = SimpleNamespace(_queue=SimpleNamespace(active_jobs=[[event], None],
                                                           event_queue_per_concurrency_id={}))
    assert session_store.prune(holder) == ["idle"]
