"""The answer-likelihood estimator: its mean against exact enumeration of the maskings, its draws, its stopping rule,
its variance against the naive estimator, and the score mode built on it (real tokenizers, real checkpoints)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from llada_demo.engine import load_model
from llada_demo.errors import SettingsError
from llada_demo.modes.reversal import load_report, questions
from llada_demo.modes.score import Entry, encode, make_entries, name_entries, presets, score, score_stream, summary
from llada_demo.scoring.answer_likelihood import (
    Running,
    ScoreSettings,
    bound_batches,
    draw_masks,
    enumerated_bound,
)


def _ids(tokenizer, text):
    return torch.tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)


def _draws(model, prompt_ids, answer_ids, samples, method="count", seed=0):
    settings = ScoreSettings(samples=samples, batch_size=64, seed=seed, method=method)
    return np.concatenate([values for _, values in bound_batches(model, [(prompt_ids, answer_ids)], settings)])


@pytest.fixture(scope="module")
def short_answer(tiny):
    """(model, prompt ids, a 5-token answer) on the random tiny LLaDA (peaky random logits: maskings matter)."""
    model, tokenizer = tiny
    prompt_ids = _ids(tokenizer, "Once upon a time, there was a little girl")
    answer_ids = _ids(tokenizer, " named Lily. She liked to play")[:5]
    assert len(answer_ids) == 5
    return model, prompt_ids, answer_ids


@pytest.mark.parametrize("seed", [0, 1])
def test_the_estimator_mean_agrees_with_exact_enumeration(short_answer, seed):
    model, prompt_ids, answer_ids = short_answer
    exact = enumerated_bound(model, prompt_ids, answer_ids)
    values = _draws(model, prompt_ids, answer_ids, 512, seed=seed)
    standard_error = values.std(ddof=1) / np.sqrt(len(values))
    assert standard_error > 0.01  # the maskings differ: this is a real test of the mean, not of a constant
    assert abs(values.mean() - exact) < 3 * standard_error, (values.mean(), exact, standard_error)


def test_the_naive_estimator_has_the_same_expectation(short_answer):
    """t ~ U(0,1] with 1/t weights integrates to the same sum over l of f(l)/l (heavy tailed, so a wider check)."""
    model, prompt_ids, answer_ids = short_answer
    exact = enumerated_bound(model, prompt_ids, answer_ids)
    values = _draws(model, prompt_ids, answer_ids, 2048, method="time")
    assert abs(values.mean() - exact) < 4 * values.std(ddof=1) / np.sqrt(len(values))


def test_one_token_answer_is_scored_exactly(tiny):
    """With L = 1 the only masking is the token itself: every draw is log p(token | prompt), as is the bound."""
    model, tokenizer = tiny
    prompt_ids, answer_ids = _ids(tokenizer, "The cat sat on the"), _ids(tokenizer, " boat")[:1]
    with torch.no_grad():
        noisy = torch.cat([prompt_ids, torch.tensor([model.config.mask_token_id])])[None]
        direct = F.log_softmax(model(noisy).logits[0, -1].float(), dim=-1)[answer_ids[0]].item()
    values = _draws(model, prompt_ids, answer_ids, 32)
    assert np.allclose(values, direct, atol=1e-5)
    assert enumerated_bound(model, prompt_ids, answer_ids) == pytest.approx(direct, abs=1e-5)


def test_count_draws_mask_l_tokens_with_l_uniform_and_weight_l_over_count():
    generator = torch.Generator().manual_seed(0)
    masks, weights = draw_masks(6, 6000, generator, "count")
    counts = masks.sum(dim=1)
    assert counts.min() == 1 and counts.max() == 6
    assert torch.allclose(weights, 6 / counts.double())
    shares = torch.bincount(counts, minlength=7)[1:].double() / 6000
    assert torch.all((shares - 1 / 6).abs() < 0.03)  # uniform over 1..6
    assert torch.all((masks.double().mean(dim=0) - 3.5 / 6).abs() < 0.03)  # every position alike: E[l] / L


def test_time_draws_mask_each_token_with_probability_t():
    masks, weights = draw_masks(8, 4000, torch.Generator().manual_seed(0), "time")
    t = 1 / weights
    assert torch.all((t > 0) & (t <= 1))
    assert abs(masks.double().mean().item() - 0.5) < 0.02  # E[t] = 1/2
    assert (masks.sum(dim=1) == 0).any()  # a draw may mask nothing (its value is 0)


def test_running_mean_and_standard_error_match_numpy():
    values = np.random.default_rng(0).normal(3.0, 2.0, size=257)
    running = Running()
    for lo in range(0, len(values), 16):
        running.add(values[lo:lo + 16])
    assert running.count == 257
    assert running.mean == pytest.approx(values.mean())
    assert running.variance == pytest.approx(values.var(ddof=1))
    assert running.standard_error == pytest.approx(values.std(ddof=1) / np.sqrt(257))


def test_it_stops_at_the_sample_count_or_under_the_target_error(short_answer):
    model, prompt_ids, answer_ids = short_answer
    items = [(prompt_ids, answer_ids)] * 2
    full = list(bound_batches(model, items, ScoreSettings(samples=40, batch_size=16)))
    assert [len(v) for i, v in full if i == 0] == [16, 16, 8] and {i for i, _ in full} == {0, 1}
    early = list(bound_batches(model, items, ScoreSettings(samples=1024, batch_size=16, target_se=0.3)))
    for index in (0, 1):
        values = np.concatenate([v for i, v in early if i == index])
        assert 32 <= len(values) < 1024
        assert values.std(ddof=1) / np.sqrt(len(values)) < 0.3


@pytest.mark.parametrize("changes", [{"samples": 0}, {"samples": True}, {"batch_size": 600}, {"target_se": -1},
                                     {"target_se": float("nan")}, {"method": "magic"}])
def test_bad_settings_say_what_to_change(changes):
    with pytest.raises(SettingsError):
        ScoreSettings(**changes)


@pytest.fixture(scope="module")
def story_pair():
    return load_model("embedded-llada"), load_model("embedded-ar")


def test_count_form_has_lower_variance_than_the_naive_form(story_pair):
    """The measured claim in docs/likelihood.md, on the cloze preset (the same draws' budget each)."""
    diffusion, _ = story_pair
    cloze = next(p for p in presets(load_report()) if p.label.startswith("One-word cloze"))
    prompt_ids, answer_ids = encode(diffusion, Entry("", cloze.prompt, cloze.answers[0], cloze.form))
    count = _draws(diffusion.model, prompt_ids, answer_ids, 1024, "count")
    naive = _draws(diffusion.model, prompt_ids, answer_ids, 1024, "time")
    assert naive.var(ddof=1) > 2 * count.var(ddof=1)


def test_score_streams_growing_estimates_and_the_exact_ar_figure(story_pair):
    diffusion, autoregressive = story_pair
    entries = make_entries("Tom was very thirsty, so he drank a big glass of", ["water.", "sand."], "text")
    frames = list(score_stream(diffusion, autoregressive, entries, ScoreSettings(samples=48, batch_size=16)))
    assert [f.forward_passes for f in frames] == [0, 1, 2, 3, 4, 5, 6, 6]
    assert frames[0].estimates[0].samples == 0 and frames[-1].finished
    result = summary(frames[-1])
    assert [c["samples"] for c in result["candidates"]] == [48, 48]
    assert sorted(c["diffusion_rank"] for c in result["candidates"]) == [1, 2]
    # The AR figure, recomputed here by the chain rule from one forward pass of the twin.
    prompt_ids, answer_ids = encode(autoregressive, entries[0])
    ids = torch.cat([prompt_ids, answer_ids])[None]
    with torch.no_grad():
        log_probs = F.log_softmax(autoregressive.model(input_ids=ids).logits[0, :-1].float(), dim=-1)
    chain = log_probs[torch.arange(len(prompt_ids) - 1, ids.shape[1] - 1), answer_ids].sum().item()
    assert result["candidates"][0]["ar_log_likelihood"] == pytest.approx(chain, abs=1e-3)
    # The bound's mean is the mean of the candidate's own draws.
    values = _draws(diffusion.model, *encode(diffusion, entries[0]), 48)
    assert result["candidates"][0]["mean"] == pytest.approx(values.mean(), abs=1e-3)


def test_text_answers_continue_the_prompt_after_a_space(story_pair):
    diffusion, _ = story_pair
    _, answer_ids = encode(diffusion, Entry("", "He drank a glass of", "water.", "text"))
    assert diffusion.tokenizer.decode(answer_ids) == " water."
    prompt_ids, _ = encode(diffusion, Entry("", "Write a story.", "Once.", "chat"))
    assert diffusion.tokenizer.decode(prompt_ids).endswith("assistant<|end_header_id|>\n\n")


@pytest.mark.parametrize("prompt, answers, form", [("Q?", ["only one"], "chat"), ("Q?", ["same", "same"], "chat"),
                                                   ("", ["a", "b"], "chat"), ("Q?", ["a", "b"], "poem"),
                                                   ("Q?", ["a", "b", "c", "d", "e"], "chat"),
                                                   ("Q?", ["x" * 401, "b"], "chat")])
def test_bad_questions_say_what_to_change(prompt, answers, form):
    with pytest.raises(SettingsError):
        make_entries(prompt, answers, form)


def test_names_are_scored_up_to_the_asked_name():
    report = load_report()
    forward = next(q for q in questions(report) if q.direction == "forward")
    backward = next(q for q in questions(report) if q.direction == "backward" and q.fact == forward.fact)
    ahead, behind = name_entries(report, forward), name_entries(report, backward)
    assert ahead[0].answer == forward.fact.rstrip(".")
    stem = forward.fact[:forward.fact.rindex(forward.name)]
    assert all(e.answer[len(stem):] in report["names"]["pets"] and e.answer.startswith(stem) for e in ahead)
    assert behind[0].answer == backward.name and len({e.answer for e in behind}) == 4
    assert all(e.answer in report["names"]["children"] for e in behind)
    assert name_entries(report, backward) == behind  # the same distractors every time


def test_the_fact_tuned_diffusion_model_prefers_the_right_child_backward():
    """The score the Reversal tab shows, for the first held-out fact (settled: measured, not assumed)."""
    report = load_report()
    first = questions(report)[0]
    backward = next(q for q in questions(report) if q.direction == "backward" and q.fact == first.fact)
    result = score(load_model("embedded-llada-facts"), None, name_entries(report, backward), ScoreSettings(samples=64))
    best = min(summary(result)["candidates"], key=lambda c: c["diffusion_rank"])
    assert best["answer"] == backward.name
