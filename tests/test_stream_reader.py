"""Who still reads a run's frames: a caller that never reads is gone; a slow browser that lags but reads is not."""

import pytest

from llada_demo.ui import sessions
from llada_demo.ui.queue_policy import UNREAD_LIMIT


@pytest.fixture()
def pending(monkeypatch):
    """The session's frames waiting unread, as Gradio's queue would report them."""
    box = {"unread": 0}
    monkeypatch.setattr(sessions, "unread_frames", lambda request: box["unread"])
    monkeypatch.setattr(sessions, "ABANDON_SECONDS", 0.0)  # any wait without a frame read is too long
    return box


def test_a_caller_that_never_reads_is_gone(pending):
    reader = sessions.Reader(None)
    reader.sent = pending["unread"] = UNREAD_LIMIT
    reader.gone()  # the first look starts the clock
    assert reader.gone()


def test_a_slow_reader_lagging_several_frames_behind_is_not_gone(pending):
    reader = sessions.Reader(None)
    for sent in range(UNREAD_LIMIT + 3, 40):
        reader.sent, pending["unread"] = sent, UNREAD_LIMIT + 2  # always 6 behind, yet one more read each time
        assert not reader.gone()
    reader.sent += 1  # now it stops reading: the next looks see no frame read
    pending["unread"] += 1
    reader.gone()
    assert reader.gone()


def test_a_reader_that_keeps_up_is_never_gone(pending):
    reader = sessions.Reader(None)
    for sent in range(100):
        reader.sent, pending["unread"] = sent, 1
        assert not reader.gone()
