"""`python -m llada_demo score`: per answer the bound's mean, standard error and draws, and the AR exact figure."""

import json

from test_cli import run_cli


def test_score_prints_each_answers_figures_as_json():
    result = run_cli("score", "Tom was very thirsty, so he drank a big glass of", "water.", "sand.", "--format",
                     "text", "--samples", "32", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert [c["answer"] for c in figures["candidates"]] == ["water.", "sand."]
    for c in figures["candidates"]:
        assert c["samples"] == 32 and c["standard_error"] > 0 and c["ar_log_likelihood"] < 0
    assert figures["diffusion_model"] == "embedded-llada" and figures["ar_model"] == "embedded-ar"


def test_score_table_and_a_bad_question():
    table = run_cli("score", "Write a story about a cat.", "Once upon a time, there was a cat.", "Stocks fell.",
                    "--samples", "16", "--ar-model", "none")
    assert table.returncode == 0, table.stderr
    assert "bound (nats)" in table.stdout and "Stocks fell." in table.stdout and "AR: None" in table.stdout
    bad = run_cli("score", "A question?", "only one answer")
    assert bad.returncode == 2 and "2 to 4 different answers" in bad.stderr
