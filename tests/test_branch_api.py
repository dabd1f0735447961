"""The live app's /candidates and /branch through gradio_client: a masked and a committed cell of the chat's last run;
a branch from an early step keeps the edited token and finishes; every /branch parameter's bad values get a notice."""

import pytest

from branch_source import short_run_to_branch_from
from llada_demo.models.registry import default_model_name

pytestmark = pytest.mark.integration
DIFFUSION = default_model_name("diffusion")
PROMPT = "Write a story about a cat and a ball."
BAD = [None, {"a": 1}, [1, 2], "x", 1e308, -5]


def test_candidates_of_a_masked_and_a_committed_cell_of_the_chats_last_run(client):
    answer, notice = client.predict(1, 0, api_name="/candidates")
    assert answer is None and "send a message" in notice  # no chat run in this session yet
    client.predict(PROMPT, [], DIFFUSION, 32, 16, 32, "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence",
                   api_name="/chat")
    cells = [client.predict(1, position, api_name="/candidates")[0] for position in range(32)]
    masked = [c for c in cells if c["state"] == "masked"]
    committed = [c for c in cells if c["state"] == "committed"]
    assert len(committed) == 2 and len(masked) == 30  # 32 tokens in 16 steps: two committed by the first
    for cell in masked + committed:
        assert cell["source_step"] == 1 and len(cell["candidates"]) == 5
        probabilities = [c["probability"] for c in cell["candidates"]]
        assert probabilities == sorted(probabilities, reverse=True) and 0 < sum(probabilities) <= 1.001
        assert all(isinstance(c["text"], str) and isinstance(c["token"], int) for c in cell["candidates"])
    # A committed cell keeps the candidates of the step that chose it, at any later step; greedy took the best.
    chosen = committed[0]
    late, notice = client.predict(16, chosen["position"], api_name="/candidates")
    assert notice == "" and late["state"] == "committed" and late["source_step"] == 1
    assert late["token"]["id"] == late["candidates"][0]["token"] == chosen["candidates"][0]["token"]
    for step, position in ((17, 0), (0, 32), ("x", 1)):
        answer, notice = client.predict(step, position, api_name="/candidates")
        assert answer is None and notice.startswith("⚠️")


def test_branch_keeps_the_edited_token_and_finishes(client):
    *_, info, notice = client.predict(2, "3 = dog", 64, "low_confidence", 0.0, 0, api_name="/branch")
    assert info == {"__type__": "update"} and "no run to branch from" in notice  # only the notice changes
    result = client.predict(PROMPT, DIFFUSION, api_name="/branch_run")
    assert "llada-grid" in result[0] and result[-1] == ""
    _, branch_grid, diff, info, notice = client.predict(
        3, "10 = dragon\n20-23 = [MASK]", 64, "low_confidence", 0.0, 0, api_name="/branch")
    assert notice == "" and info["finished"]
    edits = info["origin"]["edits"]
    assert info["origin"]["step"] == 3 and set(edits) == {"10", "20", "21", "22", "23"}
    assert info["answer_ids"][10] == edits["10"] and "dragon" in info["text"]
    assert info["masks_to_fill"] > 0 and info["steps"] <= 64
    assert 'class="cell done edited' in branch_grid and "you changed it" in branch_grid
    assert "<ins>" in diff or "<del>" in diff


def test_every_branch_parameter_answers_bad_values_with_a_message(client):
    short_run_to_branch_from(client, PROMPT)
    args = (2, "5 = dog", 32, "low_confidence", 0.0, 0)
    assert client.predict(*args, api_name="/branch")[-1] == ""  # the base call is a valid branch
    for index in range(len(args)):
        for bad in BAD:
            call = list(args)
            call[index] = bad
            notice = client.predict(*call, api_name="/branch")[-1]  # raises AppError if anything failed
            assert isinstance(notice, str) and "Traceback" not in notice
            if not (bad is None and index in (1, 5)):  # no edits, or a random seed: a valid branch
                assert notice.startswith("⚠️"), (index, bad, notice)


def test_branch_from_the_chats_last_run(client):
    assert "no run yet" in client.predict(api_name="/branch_from_chat")[-1]
    client.predict(PROMPT, [], DIFFUSION, 32, 16, 32, "low_confidence", 0.9, 0.0, 0.0, 0, "none", "confidence",
                   api_name="/chat")
    result = client.predict(api_name="/branch_from_chat")
    assert "chat's last run (16 steps)" in result[-1] and "llada-grid" in result[0]
    *_, info, notice = client.predict(2, "5 = dog", 16, "low_confidence", 0.0, 0, api_name="/branch")
    assert notice == "" and info["finished"] and info["origin"]["step"] == 2 and "32 tokens" in info["origin"]["parent"]
