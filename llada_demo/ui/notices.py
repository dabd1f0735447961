"""What a person reads when something needs their attention: settings to change, a failed or stopped run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from ..config import limits
from ..errors import SettingsError

if TYPE_CHECKING:
    from ..engine import BackgroundRun


def error_notice(error: SettingsError) -> str:
    """A settings or input problem: what to change, and the nearest valid settings when there are some."""
    text = f"⚠️ {error}"
    if error.suggestion is not None:
        s = error.suggestion
        text += (f"\n\nNearest valid: answer length **{s.gen_length}**, steps **{s.steps}**, "
                 f"block length **{s.block_length}** (press *Use nearest valid settings*).")
    return text


def failure_notice(error: BaseException) -> str:
    """What a user sees when a run fails: what to change, never a stack trace."""
    if isinstance(error, SettingsError):
        return error_notice(error)
    if isinstance(error, torch.OutOfMemoryError):
        return ("⚠️ The device ran out of memory during this run (memory has been freed). Try a shorter answer, "
                "no CFG, or a smaller model.")
    return f"⚠️ The run failed ({type(error).__name__}). Try again, or a shorter answer or fewer steps."


def end_notice(run: BackgroundRun, stopped: bool) -> str:
    """The notice under a run that ended: empty when it finished, else why it stopped."""
    if run.timed_out:
        return (f"⏱ The run stopped at its time budget of {limits()['run_seconds']} s: try fewer steps, a shorter "
                "answer or fewer settings.")
    return "⏹ Stopped." if stopped else ""
