"""What the teaching tabs share: a model loaded for a run, refusals, and each tab's runs drawn into frames."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..engine import load_model
from ..errors import SettingsError
from ..models.registry import LoadedModel
from ..modes.race import snapshot
from .frames import Outputs
from .notices import end_notice, failure_notice
from .queue_policy import prune_session
from .sessions import SessionRuns, frames

# draw(item, plots_due, status) -> {output name: value}: a tab's views of a run's latest item (status "" while
# running, "stopped" at a stop); the item is a stable snapshot (a tuple of traces, or a sweep's progress).
Draw = Callable[[object, bool, str], dict]


def failure(error: BaseException) -> str:
    """The message for a failed run: what to change, never a stack trace."""
    return failure_notice(error)


def _shows_results(name: str) -> bool:
    """An output that shows a run's results (grids, texts, order maps, verdicts, the comparison)."""
    return name.endswith(("grid", "_text", "order", "_verdict", "summary", "diff")) or name.startswith(("grid_",
                                                                                                        "order_"))


def refused(outputs: Outputs, error: BaseException) -> tuple:
    """The frame for input refused before a run: what to change, and the previous run's results cleared, so what
    stays on screen cannot pass for the answer to the input just refused."""
    return outputs.frame(**{name: None for name in outputs.names if _shows_results(name)}, notice=failure(error))


def load(name) -> LoadedModel:
    """The engine's load_model, with any loading failure turned into a message (a checkpoint the app cannot use)."""
    if not isinstance(name, str):
        raise SettingsError(f"A model is named by text (one of the registered names), got {name!r:.40}.")
    try:
        return load_model(name)
    except SettingsError:
        raise
    except Exception as error:  # e.g. a tokenizer without the special tokens the views need
        raise SettingsError(f"Could not use the model {name!r}: {error}") from error


def _stable(item):
    """A snapshot the worker will not change while a frame is drawn."""
    return snapshot(item) if isinstance(item, tuple) else item


def _finished(item) -> bool:
    return all(t.finished for t in item) if isinstance(item, tuple) else bool(item.finished)


class TabRuns:
    """A teaching tab's runs: one background job per browser session, drawn the one way every tab draws.

    `draw_for(context)` gives the tab's Draw for one run, from what its handler passed as `context` (e.g. the
    fill-in template; None when the views need nothing besides the run): the same Draw while the run streams
    and at its Stop.
    """

    def __init__(self, outputs: Outputs, draw_for: Callable[[object], Draw]):
        self.outputs, self.draw_for, self.sessions = outputs, draw_for, SessionRuns()

    def stream(self, request, stream, context=None) -> Iterator[tuple]:
        """Run `stream` as this session's job and yield its frames (the outputs have a "notice"), then the last.

        The first frame clears the previous run's notice; later ones leave it (a late frame must not wipe
        "Stopped").
        """
        outputs, draw = self.outputs, self.draw_for(context)
        run = self.sessions.start(request, stream, context=context)
        try:
            for latest, plots, first in frames(run, request):
                yield outputs.frame(**draw(_stable(latest), plots, ""), **({"notice": ""} if first else {}))
        finally:
            self.sessions.release(run)
        if run.error is not None:
            yield outputs.frame(notice=failure(run.error))
            return
        if run.latest is None:  # cancelled before the first frame
            yield outputs.frame(notice=end_notice(run, True))
            return
        latest = _stable(run.latest)
        stopped = not _finished(latest)
        yield outputs.frame(**draw(latest, True, "stopped" if stopped else ""), notice=end_notice(run, stopped))
        prune_session(request)

    def stopped(self, run, context) -> tuple:
        """The frame at a Stop (kit.wire_stop): where the stopped run got to, or only the notice cleared when
        nothing was running."""
        latest = _stable(run.latest) if run is not None and run.latest is not None else None
        if latest is None or (isinstance(latest, tuple) and not latest) or _finished(latest):
            return self.outputs.frame(notice="")
        return self.outputs.frame(**self.draw_for(context)(latest, True, "stopped"), notice="⏹ Stopped.")
