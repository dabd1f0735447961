"""/candidates: the model's top-k at any cell and step of this session's last chat run, as data for API callers."""

from __future__ import annotations

from ..errors import SettingsError
from ..trace import Trace
from .controls import whole_number
from .notices import error_notice


def describe_cell(trace: Trace, step: int, position: int) -> dict:
    """What the model was choosing between at `position` after `step` steps (render_grid's step convention).

    state: "masked" (candidates from the latest pass), "committed" (those of the step that committed it),
    "given" (a token the run started with: no candidates) or "not started" (step 0: no pass yet).
    source_step counts from 1 like the grid's steps; None when there are no candidates.
    """
    tokens = trace.steps[step - 1].tokens if step > 0 else trace.initial_answer()
    token = int(tokens[position])
    found = trace.candidates(step - 1, position) if step > 0 else None
    if token == trace.mask_id:
        state = "masked" if step > 0 else "not started"
    else:
        state = "committed" if found is not None else "given"
    return {
        "step": step, "position": position, "state": state,
        "token": None if token == trace.mask_id else {"id": token, "text": trace.texts.get(token, "")},
        "source_step": None if found is None else found[0] + 1,
        "candidates": [] if found is None else [
            {"token": token_id, "text": trace.texts.get(token_id, ""), "probability": round(probability, 4)}
            for token_id, probability in found[1]],
    }


def candidates_answer(step, position, trace: Trace | None) -> tuple[dict | None, str]:
    """(the cell's candidates as describe_cell gives them, notice): a bad step or position gets a notice."""
    try:
        if not isinstance(trace, Trace):
            raise SettingsError("There is no run yet: send a message in the chat (/chat) first.")
        step = whole_number(step, "Step", 0, len(trace.steps))
        position = whole_number(position, "Position", 0, trace.gen_length - 1)
    except SettingsError as error:
        return None, error_notice(error)
    return describe_cell(trace, step, position), ""
