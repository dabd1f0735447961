"""Evaluation: the metrics, the fixed-ending infill, the likelihood bound, and `eval --smoke` end to end."""

from __future__ import annotations

import argparse
import json
import math

import torch

from llada_demo.models.tokenizer import chat_prompt_ids, special_ids
from llada_demo.sampling import SamplingSettings
from llada_demo.scoring import text_metrics as metrics
from llada_demo.scoring.likelihood import autoregressive_nll, diffusion_nll_bound
from train_fixtures import VALID_FILE, need_data, smoke_run
from training.command import add_eval_arguments, run_eval
from training.eval_answers import infill_ending


def test_text_metrics():
    assert metrics.distinct_n("the cat saw the cat", 2) == 3 / 4
    assert metrics.repetition_rate("a b c d a b c d", 4) == 1 - 4 / 5
    assert metrics.repetition_rate("too short") == 0.0
    assert metrics.words_share("Tom jumped over the big box.", ["jump", "box", "kite"]) == 2 / 3
    assert metrics.ending_kept("They played.  They were  very happy. ", "they were very happy.")
    assert not metrics.ending_kept("They were very happy. Then it rained.", "They were very happy.")
    assert metrics.ending_present("They were very happy. Then it rained.", "They were very happy.")


def test_ending_infill_keeps_the_ending(tiny):
    model, tokenizer = tiny
    ids = special_ids(tokenizer)
    prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": "Write a story that ends with: The end."}])
    settings = SamplingSettings(gen_length=16, steps=16, block_length=8)
    region = infill_ending(model, tokenizer, prompt, "The end.", settings)
    ending = tokenizer(" The end.", add_special_tokens=False)["input_ids"] + [ids.eot]
    assert region[-len(ending):].tolist() == ending and not (region == ids.mask).any()
    assert infill_ending(model, tokenizer, prompt, "word " * 40, settings) is None  # does not fit: skipped


def test_bound_is_exact_for_one_token(tiny):
    # With one scored token the bound masks exactly that token: it equals its cross-entropy.
    model, _ = tiny
    ids = torch.tensor([[5, 9, 12, 30, 41]])
    scored = torch.zeros_like(ids, dtype=torch.bool)
    scored[0, 3] = True
    value = diffusion_nll_bound(model, ids, scored, samples=3, generator=torch.Generator().manual_seed(0))
    noisy = ids.clone()
    noisy[0, 3] = model.config.mask_token_id
    log_probs = torch.log_softmax(model(noisy).logits[0, 3].float(), dim=-1)
    assert math.isclose(value.item(), -log_probs[30].item(), rel_tol=1e-5)


def test_autoregressive_nll_skips_position_zero():
    class Uniform(torch.nn.Module):
        def forward(self, input_ids, use_cache=False):
            return type("Out", (), {"logits": torch.zeros(*input_ids.shape, 8)})()

        def parameters(self):
            return iter([torch.zeros(1)])

    total, count = autoregressive_nll(Uniform(), torch.tensor([[1, 2, 3, 4]]), torch.ones(1, 4, dtype=torch.bool))
    assert count.item() == 3 and math.isclose(total.item(), 3 * math.log(8), rel_tol=1e-6)


def test_eval_smoke_writes_json_and_markdown(tmp_path):
    need_data()
    out = smoke_run()
    parser = add_eval_arguments(argparse.ArgumentParser())
    args = parser.parse_args([
        "--diffusion", str(out / "diffusion"), "--autoregressive", str(out / "autoregressive"), "--smoke",
        "--out-json", str(tmp_path / "eval.json"), "--out-md", str(tmp_path / "eval.md"), "--no-progress",
        "--device", "cpu", "--valid-file", str(VALID_FILE),
    ])
    assert run_eval(args) == 0
    results = json.loads((tmp_path / "eval.json").read_text())
    held = results["heldout"]
    for key in ("diffusion_nll_bound", "autoregressive_nll"):
        assert set(held[key]) == {"mean", "stderr", "n"} and math.isfinite(held[key]["mean"])
    assert held["diffusion_perplexity_bound"] > 1 and held["autoregressive_perplexity"] > 1
    generation = results["generation"]
    assert generation["prompts"] == 4 and set(generation["kinds"].values()) == {1}
    for model in ("diffusion", "autoregressive"):
        summary = generation[model]
        for key in ("distinct_2", "repetition_rate", "words_share", "ending_kept", "autoregressive_perplexity",
                    "diffusion_nll_bound_per_token", "mean_answer_tokens", "finished_share"):
            assert summary[key] is not None, (model, key)
    assert generation["diffusion"]["ending_kept_infill"] is not None
    assert generation["autoregressive"]["ending_kept_infill"] is None
    ends = next(row for row in results["answers"] if row["kind"] == "ends")
    assert "infill_text" in ends["diffusion"]
    table = (tmp_path / "eval.md").read_text()
    assert "| Metric | Diffusion (LLaDA-style) | Autoregressive twin |" in table
    for label in ("Held-out NLL per token", "distinct-2", "Repetition rate", "Required words used", "Ending kept"):
        assert label in table
