"""The terminal view: mask glyphs, highlights, end tokens, wrapping, status line, no escapes leaking."""

import dataclasses
import re
import unicodedata

import numpy as np

from llada_demo.viz import render_terminal, status_line
from llada_demo.viz.terminal import RESET, STYLES
from viz_fixtures import autoregressive_trace, handmade_trace, tiny_run

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in ANSI.sub("", line))


def test_one_mask_glyph_per_masked_token_at_every_step():
    trace = tiny_run()
    for step in range(len(trace.steps) + 1):
        masks = trace.gen_length if step == 0 else int((trace.steps[step - 1].tokens == trace.mask_id).sum())
        for color in (True, False):
            answer = render_terminal(trace, step, color=color).split("\n", 1)[1]
            assert answer.count("░") == masks


def test_status_line():
    trace = tiny_run()
    assert render_terminal(trace, 0).split("\n")[0] == "step 0/16  NFE 0  masks 32  0.0s"
    last = trace.steps[-1]
    assert status_line(trace) == f"step 16/16  NFE {last.nfe}  masks 0  {last.elapsed:.1f}s"
    assert status_line(tiny_run().prefix(4)).startswith("step 4/16  NFE 4  masks ")
    assert status_line(autoregressive_trace()).endswith("(autoregressive)")


def test_committed_text_and_new_tokens_highlighted():
    trace = handmade_trace()
    plain = render_terminal(trace, 1, color=False)
    assert plain.split("\n", 1)[1] == "Hello░░<script>alert(1)</script>░░░░░░"
    coloured = render_terminal(trace, 1)
    assert f"{STYLES['new']}Hello{RESET}" in coloured
    later = render_terminal(trace, 2)
    assert f"{STYLES['new']}Hello" not in later and "Hello" in later  # no longer new


def test_end_tokens_dimmed_as_return_glyph():
    trace = handmade_trace()
    coloured = render_terminal(trace, 4)
    assert coloured.count("⏎") == 2 and f"{STYLES['stop']}⏎⏎{RESET}" in coloured
    assert "<|endoftext|>" not in coloured and "<|eot_id|>" not in coloured


def test_no_escape_codes_without_colour_even_from_token_text():
    trace = handmade_trace()
    hostile = dataclasses.replace(trace, texts={**trace.texts, 10: "\x1b[2J\x1b]0;pwned\x07", 11: "\x9b31m"})
    for step in range(5):
        assert "\x1b" not in render_terminal(hostile, step, color=False)
        assert "\x9b" not in render_terminal(hostile, step, color=False)
        coloured = render_terminal(hostile, step)
        assert not any(code not in {*STYLES.values(), RESET} for code in ANSI.findall(coloured))
        assert "\x1b[2J" not in coloured and "\x07" not in coloured


def test_lines_fit_the_width():
    trace = handmade_trace()
    wide = dataclasses.replace(trace, texts={**trace.texts, 16: "全角文字のテキスト"})
    for width in (7, 12, 40):
        for line in render_terminal(wide, None, width=width).split("\n")[1:]:
            assert columns(line) <= width
    text = render_terminal(trace, None, width=80, color=False).split("\n", 1)[1]
    assert text.split("\n")[0] == "Hello world"  # the answer's own newline is kept


def test_pure_no_printing(capsys):
    render_terminal(tiny_run(), 3)
    assert capsys.readouterr() == ("", "")


def test_autoregressive_masks_are_a_suffix():
    trace = autoregressive_trace(6)
    for step in range(7):
        answer = render_terminal(trace, step, color=False).split("\n", 1)[1]
        assert answer.endswith("░" * (6 - step)) and answer.count("░") == 6 - step
    assert np.all(trace.steps[-1].tokens != trace.mask_id)
