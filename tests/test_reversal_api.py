"""The Reversal tab's endpoint, driven with gradio_client against a live local server."""

import re

import pytest

from llada_demo.modes.reversal import load_report, questions

pytestmark = pytest.mark.integration
# Outputs of /reversal: (card, grid, verdict) for diffusion and for the AR twin, the trained fact, notice.
CARD_D, GRID_D, VERDICT_D, CARD_A, GRID_A, VERDICT_A, FACT, NOTICE = range(8)


def masks_in(html) -> int:
    return len(re.findall(r'<div class="cell[^"]*\bmasked\b', html or ""))


def verdict(html: str) -> bool:
    assert "rev-verdict" in html and ("right" in html or "wrong" in html), html
    return "rev-verdict right" in html


def test_reversal_is_named(client):
    names = set(client.view_api(return_format="dict")["named_endpoints"])
    assert {"/reversal", "/reversal_fill_in", "/stop_reversal"} <= names


def test_a_backward_question_runs_both_models_and_grades_them_as_measured(client):
    report = load_report()
    question = next(q for q in questions(report) if q.direction == "backward")
    measured = next(r for r in report["questions"] if r["question"] == question.question)
    final = client.predict(question.label, api_name="/reversal")
    assert final[NOTICE] == "" and masks_in(final[GRID_D]) == masks_in(final[GRID_A]) == 0
    assert "done" in final[CARD_D] and "done" in final[CARD_A]
    assert question.fact in final[FACT] and question.name in final[FACT]
    # The live run uses the measurement's settings, greedy: the same verdicts as reversal.json records.
    assert verdict(final[VERDICT_D]) == measured["diffusion_correct"]
    assert verdict(final[VERDICT_A]) == measured["autoregressive_correct"]


def test_a_backward_blank_is_filled_by_both_models_and_graded_as_measured(client):
    report = load_report()
    question = next(q for q in questions(report) if q.direction == "backward")
    measured = next(r for r in report["fill_in"] if r["fact"] == question.fact and r["direction"] == "backward")
    final = client.predict(question.label, api_name="/reversal_fill_in")
    assert final[NOTICE] == "" and masks_in(final[GRID_D]) == masks_in(final[GRID_A]) == 0
    assert "done" in final[CARD_D] and "done" in final[CARD_A]
    assert "___" in final[FACT]
    # The live fill uses the probe's settings, greedy: the same verdicts as reversal.json's fill_in rows.
    assert verdict(final[VERDICT_D]) == measured["diffusion_correct"]
    assert verdict(final[VERDICT_A]) == measured["autoregressive_correct"]


def test_an_unknown_question_is_refused_with_what_to_pick(client):
    # Any value an API caller can send, as tests/test_api_inputs.py sends to the other endpoints.
    for bad in ["What is Mia's pet called?", None, {"a": 1}, [1, 2], "x", 1e308, -5]:
        for endpoint in ("/reversal", "/reversal_fill_in"):
            final = client.predict(bad, api_name=endpoint)
            assert "Pick one of the" in final[NOTICE] and "Traceback" not in final[NOTICE], (endpoint, bad)


def test_stop_without_a_run_changes_nothing(client):
    final = client.predict(api_name="/stop_reversal")
    assert final[NOTICE] == ""
