"""Top-5 candidates, seen: every grid cell carries the same candidates as Trace.candidates (compact, escaped, only
where there are some), /candidates' answer for a masked and a committed cell, and the trace size per step."""

import json
from dataclasses import replace

import numpy as np

from llada_demo.sampling.sampler import TOP_K
from llada_demo.ui.candidates import candidates_answer, describe_cell
from llada_demo.viz.candidates import cell_candidates
from llada_demo.viz.state import visible_text
from llada_demo.viz.token_grid import render_grid
from viz_fixtures import HOSTILE_TEXTS, handmade_trace, parse_grid, tiny_run


class _Attributes:
    """data-k of each cell, read with the standard HTML parser (what a browser's dataset gives)."""

    def __init__(self, html: str):
        from html.parser import HTMLParser

        found = {}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if "data-pos" in attrs and "data-k" in attrs:
                    found[int(attrs["data-pos"])] = json.loads(attrs["data-k"])

        Parser().feed(html)
        self.by_position = found


def test_every_cell_at_every_step_has_the_traces_candidates():
    trace = tiny_run()
    for step in range(len(trace.steps) + 1):
        found = cell_candidates(trace, step)
        for position in range(trace.gen_length):
            expected = trace.candidates(step - 1, position) if step > 0 else None
            if expected is None:
                assert position not in found
                continue
            got = found[position]
            assert got.source == expected[0]
            assert got.ids.tolist() == [i for i, _ in expected[1]]
            np.testing.assert_allclose(got.probs.astype(np.float32), [p for _, p in expected[1]], rtol=1e-6)
            assert got.masked == (trace.steps[step - 1].tokens[position] == trace.mask_id)


def test_grid_cells_carry_their_candidates_compactly_and_only_where_there_are_some():
    trace = tiny_run()
    assert "data-k" not in render_grid(trace, step=0) and "tabindex" not in render_grid(trace, step=0)
    step = 5
    html = render_grid(trace, step=step)
    attributes = _Attributes(html).by_position
    assert 'tabindex="0"' in html
    assert set(attributes) == set(range(trace.gen_length))  # every cell has had a pass by now
    cells = {c["pos"]: c for c in parse_grid(html).cells}
    for position, k in attributes.items():
        source, pairs = trace.candidates(step - 1, position)
        assert k[0] == source + 1 and k[1] == int("masked" in cells[position]["classes"])
        assert [text for text, _ in k[2:]] == [visible_text(trace.texts.get(i, "?")) for i, _ in pairs]
        assert [p for _, p in k[2:]] == [round(p * 1000) for _, p in pairs] and len(k) == 2 + TOP_K


def test_hostile_candidate_texts_stay_inside_their_attribute():
    trace = handmade_trace()
    rows = [int((trace.tokens_before(i) == trace.mask_id).sum()) for i in range(len(trace.steps))]
    hostile = np.array([13, 14, 15, 17, 11], dtype=np.int32)
    steps = [replace(r, top_ids=np.tile(hostile, (n, 1)), top_probs=np.full((n, 5), 0.2, dtype=np.float16))
             for r, n in zip(trace.steps, rows)]
    trace = replace(trace, steps=steps, texts={**trace.texts, 14: "' data-x='&amp; \"q\""})
    html = render_grid(trace, step=2)
    grid = parse_grid(html)
    assert not any(name.startswith("on") or name == "data-x" for name in grid.attribute_names)
    assert "img" not in grid.tags and "script" not in grid.tags
    attributes = _Attributes(html).by_position
    assert attributes and all([t for t, _ in k[2:]] == [HOSTILE_TEXTS[13], "' data-x='&amp; \"q\"", HOSTILE_TEXTS[15],
                                                         HOSTILE_TEXTS[17], " world"] for k in attributes.values())


def test_old_traces_and_autoregressive_runs_draw_no_candidates():
    trace = tiny_run()
    old = replace(trace, steps=[replace(r, top_ids=None, top_probs=None) for r in trace.steps])
    assert cell_candidates(old, 4) == {} and "data-k" not in render_grid(old, step=4)


def test_candidates_answer_a_masked_and_a_committed_cell():
    trace = tiny_run()
    step = 3
    tokens = trace.steps[step - 1].tokens
    masked = int(np.flatnonzero(tokens == trace.mask_id)[0])
    committed = int(trace.steps[1].committed[0])
    answer = describe_cell(trace, step, masked)
    assert answer["state"] == "masked" and answer["source_step"] == step and answer["token"] is None
    assert len(answer["candidates"]) == TOP_K
    assert answer["candidates"][0]["token"] == int(trace.steps[step - 1].predicted[masked])
    assert answer["candidates"][0]["text"] == trace.texts.get(answer["candidates"][0]["token"], "")
    answer = describe_cell(trace, step, committed)
    assert answer["state"] == "committed" and answer["source_step"] == 2
    assert answer["token"]["id"] == int(tokens[committed]) == answer["candidates"][0]["token"]  # greedy: its best
    assert describe_cell(trace, 0, 0) == {"step": 0, "position": 0, "state": "not started", "token": None,
                                          "source_step": None, "candidates": []}


def test_bad_steps_and_positions_get_the_apps_notice():
    trace = tiny_run()
    bad = [(None, 1, "Step"), (-5, 1, "Step"), (1e308, 1, "Step"), (len(trace.steps) + 1, 0, "Step"),
           (1, "x", "Position"), (1, trace.gen_length, "Position"), (1, [1], "Position")]
    for step, position, says in bad:
        answer, notice = candidates_answer(step, position, trace)
        assert answer is None and notice.startswith("⚠️") and says in notice
    assert "send a message" in candidates_answer(1, 1, None)[1]
    assert candidates_answer("2", 3.0, trace)[0]["position"] == 3


def test_trace_size_per_step_is_bounded_by_the_top_k():
    """What a step costs in memory: the recorded top-k is m x 5 ids (int32) and probabilities (float16)."""
    trace = tiny_run()
    record = trace.steps[0]
    assert record.top_ids.nbytes + record.top_probs.nbytes == trace.gen_length * TOP_K * (4 + 2)
