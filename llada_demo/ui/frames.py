"""Named outputs: a handler's update names what it changes, every other output stays as it is (gr.skip())."""

from __future__ import annotations

import gradio as gr


class Outputs:
    """A handler's outputs by name, in the order the tab wires its components."""

    def __init__(self, *names: str):
        self.names = names

    def frame(self, **changes) -> tuple:
        """One update: the named outputs changed, the others left alone."""
        unknown = set(changes) - set(self.names)
        if unknown:
            raise TypeError(f"not an output here: {sorted(unknown)} (outputs: {', '.join(self.names)})")
        return tuple(changes.get(name, gr.skip()) for name in self.names)

    def wire(self, **components) -> list:
        """The components in output order, for `event(fn, inputs, outputs=...)` (every name given once)."""
        if set(components) != set(self.names):
            raise TypeError(f"wire every output once: {', '.join(self.names)}")
        return [components[name] for name in self.names]

    def __len__(self) -> int:
        return len(self.names)


def merge_frames(first: tuple, then: tuple) -> tuple:
    """One frame with `then`'s changes over `first`'s (for Stop, which answers once)."""
    return tuple(a if _skipped(b) else b for a, b in zip(first, then))


def _skipped(value) -> bool:
    return isinstance(value, dict) and value == gr.skip()
