"""/score and /reversal_score against the live app: per candidate the bound's mean, its standard error, the draws
and the AR model's exact log-likelihood; bad input gets a message that says what to change."""

import time

import pytest

from llada_demo.modes.reversal import load_report, questions

pytestmark = pytest.mark.integration
CLOZE = ("Tom was very thirsty, so he drank a big glass of", "water.", "sand.", "", "", "text", "embedded-llada",
         "embedded-ar", 32, 0)


def test_score_returns_each_candidates_figures(client):
    plot, ranking, result, notice = client.predict(*CLOZE, api_name="/score")
    assert notice == ""
    candidates = result["candidates"]
    assert [c["answer"] for c in candidates] == ["water.", "sand."]
    for c in candidates:
        assert c["samples"] == 32 and c["standard_error"] > 0 and c["mean"] < 0 and c["ar_log_likelihood"] < 0
        assert c["tokens"] >= 2 and c["ar_tokens"] == c["tokens"]  # one tokenizer: the same answer tokens
    assert sorted(c["diffusion_rank"] for c in candidates) == [1, 2] and result["finished"]
    assert "AR exact" in ranking and "water." in ranking
    assert plot is not None


def test_score_stops_early_under_the_target_error(client):
    args = list(CLOZE)
    args[8], args[9] = 1024, 0.5
    result = client.predict(*args, api_name="/score")[2]
    for c in result["candidates"]:
        assert 32 <= c["samples"] < 1024 and c["standard_error"] < 0.5


@pytest.mark.parametrize("change, message", [((1, "water."), "2 to 4"), ((8, 5), "Draws per answer"),
                                             ((6, "no-such-model"), "model"), ((5, "poem"), "Format"),
                                             ((9, -1), "standard error")])
def test_bad_score_input_says_what_to_change(client, change, message):
    args = list(CLOZE)
    args[change[0]] = change[1]
    if change[0] == 1:
        args[2] = "water."  # two identical answers are one
    notice = client.predict(*args, api_name="/score")[3]
    assert message in notice


def test_reversal_score_scores_the_names_both_ways(client):
    question = questions(load_report())[0]
    result = client.predict(question.question, api_name="/reversal_score")[2]
    assert len(result["groups"]) == 2 and len(result["candidates"]) == 8
    backward = [c for c in result["candidates"] if "backward" in c["group"]]
    assert all(c["samples"] == 64 and c["ar_log_likelihood"] is not None for c in backward)
    assert {c["answer"] for c in backward} >= {next(q.name for q in questions(load_report())
                                                     if q.direction == "backward" and q.fact == question.fact)}


def test_stop_score_stops_the_sessions_job_where_it_is(client):
    args = list(CLOZE)
    args[8] = 1024
    job = client.submit(*args, api_name="/score")
    deadline = time.time() + 120
    while time.time() < deadline and not any(isinstance(o[2], dict) and o[2]["forward_passes"] > 0
                                             for o in job.outputs()):
        time.sleep(0.1)
    _, ranking, result, notice = client.predict(api_name="/stop_score")
    assert "Stopped" in notice and not result["finished"] and "stopped:" in ranking
    assert 0 < result["candidates"][0]["samples"] < 1024
