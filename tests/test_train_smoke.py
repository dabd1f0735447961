"""Training: data, instructions, the masked-diffusion loss, the AR twin, the loop, and a smoke run end to end."""

from __future__ import annotations

import itertools
import json
import math
import random

import pytest
import torch
from safetensors import safe_open
from transformers import AutoModel, LlamaForCausalLM

from llada_demo.models import LLaDAConfig, LLaDAModelLM
from llada_demo.models.tokenizer import chat_prompt_ids, load_tokenizer, special_ids
from llada_demo.scoring.likelihood import stratified_mask_counts
from train_fixtures import need_data, smoke_run
from training import autoregressive, diffusion
from training.data import pack, packed_batches, read_stories, split_stories, stream_windows
from training.instructions import (
    KINDS,
    encode_instruction,
    eval_instructions,
    make_instruction,
    make_instructions,
    sentences,
)
from training.loop import LoopSettings, learning_rate, train
from training.recipe_tokenizer import ensure_tokenizer

STORY = (
    "Once upon a time, there was a little girl named Lily. She had a red ball.\n"
    "One day, Lily went to the park with her dog. \"Look!\" she said. The dog ran after the ball.\n"
    "Lily and her dog played all day. They were very happy."
)


def tiny_config(tokenizer, **changes) -> LLaDAConfig:
    ids = special_ids(tokenizer)
    values = dict(d_model=32, n_heads=2, n_layers=2, mlp_hidden_size=64, vocab_size=len(tokenizer),
                  embedding_size=len(tokenizer), max_sequence_length=256, rope_theta=10000.0, mask_token_id=ids.mask,
                  eos_token_id=ids.eos, pad_token_id=ids.eos, bos_token_id=ids.bos, eot_token_id=ids.eot)
    values.update(changes)
    return LLaDAConfig(**values)


# ---------------------------------------------------------------- data and instructions

def test_read_and_split_stories(tmp_path):
    path = tmp_path / "stories.txt"
    path.write_text("First story.\nSecond paragraph.\n<|endoftext|>\nSecond story.\n<|endoftext|>\n\nThird.\n")
    stories = read_stories(path)
    assert stories == ["First story.\nSecond paragraph.", "Second story.", "Third."]
    many = [f"story {i}" for i in range(100)]
    train_a, valid_a = split_stories(many, 0.1, seed=3)
    train_b, valid_b = split_stories(many, 0.1, seed=3)
    assert (train_a, valid_a) == (train_b, valid_b) and len(valid_a) == 10
    assert not set(train_a) & set(valid_a) and len(train_a) + len(valid_a) == 100
    assert split_stories(many, 0.1, seed=4)[1] != valid_a


def test_pack_and_windows():
    lists = [torch.arange(5).numpy(), torch.arange(10, 17).numpy()]
    assert pack(lists, 4).tolist() == [[0, 1, 2, 3], [4, 10, 11, 12], [13, 14, 15, 16]]
    assert stream_windows(list(range(10)), 3, limit=2).tolist() == [[0, 1, 2], [3, 4, 5]]
    batches = packed_batches(lists, 4, 2, seed=0)
    first, again = next(batches), next(packed_batches(lists, 4, 2, seed=0))
    assert first.shape == (2, 4) and torch.equal(first, again)


def test_instruction_kinds(tiny):
    rng = random.Random(0)
    about = make_instruction(STORY, "about", rng)
    assert about.prompt.startswith("Write a story about Lily and a ") and about.response == STORY
    words = make_instruction(STORY, "words", rng)
    assert len(words.words) == 3 and all(w in STORY.lower() for w in words.words)
    assert words.prompt == f"Write a story that uses the words: {', '.join(words.words)}."
    cont = make_instruction(STORY, "continue", rng)
    assert cont.prompt == "Continue this story: Once upon a time, there was a little girl named Lily."
    assert cont.response.startswith("She had a red ball.") and cont.response.endswith("very happy.")
    ends = make_instruction(STORY, "ends", rng)
    assert ends.ending == "They were very happy." and ends.prompt.endswith(": They were very happy.")
    assert [STORY[a:b] for a, b in sentences(STORY)][3] == '"Look!" she said.'
    assert {i.kind for i in make_instructions([STORY], seed=0)} == set(KINDS)
    chosen = eval_instructions([STORY] * 8, 8, seed=1)
    assert [i.kind for i in chosen] == list(KINDS) * 2 and chosen == eval_instructions([STORY] * 8, 8, seed=1)


def test_sft_encoding_layout(tiny):
    _, tokenizer = tiny
    ids = special_ids(tokenizer)
    instruction = make_instruction(STORY, "continue", random.Random(0))
    sequence, prompt_length = encode_instruction(tokenizer, instruction, 400)
    prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": instruction.prompt}])[0].tolist()
    response = tokenizer(instruction.response, add_special_tokens=False)["input_ids"]
    assert len(sequence) == 400 and prompt_length == len(prompt)
    assert sequence[:prompt_length] == prompt
    end = prompt_length + len(response)
    assert sequence[prompt_length:end] == response and sequence[end] == ids.eot
    assert set(sequence[end + 1:]) == {ids.eos}
    assert encode_instruction(tokenizer, instruction, len(prompt) + 5) is None  # does not fit: skipped, not cut


# ---------------------------------------------------------------- the masked-diffusion loss

def test_loss_matches_hand_computation():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 6)
    targets = torch.tensor([[1, 2, 3, 4], [5, 0, 1, 2]])
    masked = torch.tensor([[True, False, True, False], [False, False, False, True]])
    t = torch.tensor([[0.5], [0.25]])
    lengths = torch.tensor([4, 2])
    expected = 0.0
    for b in range(2):
        row = 0.0
        for i in range(4):
            if masked[b, i]:
                log_probs = logits[b, i] - torch.logsumexp(logits[b, i], dim=0)
                row += -float(log_probs[targets[b, i]]) / float(t[b, 0])
        expected += row / int(lengths[b])
    expected /= 2
    value = diffusion.masked_diffusion_loss(logits, targets, masked, t, lengths)
    assert value.item() == pytest.approx(expected, rel=1e-6)


def test_forward_process_masks_with_probability_t():
    ids = torch.full((4000, 64), 7)
    generator = torch.Generator().manual_seed(0)
    noisy, masked, p_mask = diffusion.forward_process(ids, mask_id=3, generator=generator)
    assert p_mask.min() >= diffusion.EPSILON and p_mask.max() <= 1.0
    assert torch.equal(noisy == 3, masked)
    # The masked share of each sequence follows its own t; on average t is 1/2.
    share = masked.float().mean(dim=1, keepdim=True)
    assert (share - p_mask).abs().mean() < 0.06 and abs(masked.float().mean().item() - 0.5) < 0.03


class Recorder(torch.nn.Module):
    """Stands in for a model: records what it was fed and returns fixed logits."""

    def __init__(self, vocab: int, mask_id: int):
        super().__init__()
        self.config = type("Config", (), {"mask_token_id": mask_id})()
        self.vocab, self.fed, self.attention = vocab, [], []

    def forward(self, input_ids, attention_mask=None):
        self.fed.append(input_ids.clone())
        self.attention.append(attention_mask)
        logits = torch.zeros(*input_ids.shape, self.vocab, requires_grad=True)
        return type("Out", (), {"logits": logits})()


def test_sft_never_masks_the_prompt():
    model = Recorder(vocab=16, mask_id=3)
    ids = torch.randint(4, 16, (64, 40))
    prompt_lengths = torch.randint(1, 30, (64,))
    generator = torch.Generator().manual_seed(1)
    for _ in range(20):
        loss = diffusion.sft_loss(model, ids, prompt_lengths, generator)
        noisy = model.fed[-1]
        response = diffusion.response_positions(ids, prompt_lengths)
        assert torch.equal(noisy[~response], ids[~response])  # the prompt is always clean
        assert (noisy[response] == 3).any()
        # Uniform logits: every masked token costs log(V) / t, answers normalise by their own length.
        assert math.isfinite(loss.item())


def test_sft_loss_normalises_by_answer_length():
    vocab = 16
    model = Recorder(vocab=vocab, mask_id=3)
    ids = torch.randint(4, 16, (1, 20))
    generator = torch.Generator().manual_seed(5)
    state = generator.get_state()
    loss = diffusion.sft_loss(model, ids, torch.tensor([8]), generator)
    generator.set_state(state)
    answer = diffusion.response_positions(ids, torch.tensor([8]))
    _, masked, p_mask = diffusion.forward_process(ids, 3, generator, answer)
    expected = masked.sum().item() * math.log(vocab) / p_mask.item() / 12
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_pretraining_random_lengths_are_hidden():
    model = Recorder(vocab=16, mask_id=3)
    ids = torch.randint(4, 16, (8, 32))
    loss = diffusion.pretrain_loss(model, ids, torch.Generator().manual_seed(0), random_length_share=1.0)
    attention = model.attention[-1]
    assert attention is not None and (attention.sum(dim=1) < 32).any()
    hidden = attention == 0
    assert not (model.fed[-1][hidden] == 3).any()  # cut-off tokens are never masked, so never in the loss
    diffusion.pretrain_loss(model, ids, torch.Generator().manual_seed(0), random_length_share=0.0)
    assert model.attention[-1] is None and math.isfinite(loss.item())


def test_stratified_mask_counts():
    counts = stratified_mask_counts(torch.tensor([8, 3]), 8, torch.Generator().manual_seed(0))
    assert sorted(counts[0].tolist()) == list(range(1, 9))
    assert counts[1].min() >= 1 and counts[1].max() <= 3


# ---------------------------------------------------------------- the AR twin and the loop

def test_twin_matches_the_diffusion_model_size(tiny):
    _, tokenizer = tiny
    config = tiny_config(tokenizer, d_model=256, n_heads=4, n_layers=8, mlp_hidden_size=768, max_sequence_length=512)
    with torch.device("meta"):
        llada, twin = LLaDAModelLM(config), autoregressive.make_twin(config)
    count = lambda model: sum(p.numel() for p in model.parameters())  # noqa: E731
    assert abs(count(twin) - count(llada)) <= 0.1 * count(llada)
    assert twin.config.tie_word_embeddings is False and twin.config.hidden_size == 256
    assert twin.config.intermediate_size == 768 and twin.config.num_hidden_layers == 8


def test_ar_sft_labels_cover_only_the_answer():
    ids = torch.arange(10).repeat(2, 1)
    labels = autoregressive.sft_labels(ids, torch.tensor([3, 5]), torch.tensor([7, 10]))
    assert labels[0].tolist() == [-100] * 3 + [3, 4, 5, 6] + [-100] * 3
    assert labels[1].tolist() == [-100] * 5 + [5, 6, 7, 8, 9]


def test_learning_rate_warms_up_then_decays():
    settings = LoopSettings(name="x", lr=1.0, total_steps=100, tokens_per_step=1, warmup_share=0.1, min_lr_ratio=0.1)
    rates = [learning_rate(settings, step / 100) for step in range(100)]
    assert rates[0] < rates[5] < rates[9] <= 1.0 and rates[-1] == pytest.approx(0.1, abs=0.01)
    assert all(a >= b for a, b in itertools.pairwise(rates[10:]))


@pytest.mark.parametrize("kind", ["diffusion", "autoregressive"])
def test_loss_decreases_on_a_tiny_overfit_case(tiny, kind):
    _, tokenizer = tiny
    config = tiny_config(tokenizer)
    torch.manual_seed(0)
    model = LLaDAModelLM(config) if kind == "diffusion" else autoregressive.make_twin(config)
    batch = torch.randint(10, len(tokenizer), (4, 32))
    generator = torch.Generator().manual_seed(0)

    def loss_fn(m, b):
        if kind == "diffusion":
            return diffusion.pretrain_loss(m, b, generator)
        return autoregressive.next_token_loss(m, b)

    def valid(m):  # the same masks every time, so values compare
        return loss_fn(m, batch).item() if kind == "autoregressive" else diffusion.pretrain_loss(
            m, batch, torch.Generator().manual_seed(9)).item()

    before = valid(model.eval())
    settings = LoopSettings(name=kind, lr=1e-2, total_steps=60, tokens_per_step=128, eval_every=30, progress=False)
    result, best = train(model, iter(lambda: batch, None), loss_fn, valid, settings, torch.device("cpu"))
    model.load_state_dict(best)
    after = valid(model.eval())
    assert after < 0.8 * before and result.best_valid == pytest.approx(after, rel=1e-4)
    assert result.steps == 60 and result.tokens == 60 * 128


def test_tokenizer_is_trained_once_and_reused(tmp_path):
    texts = ["Lily had a red ball. Tom had a blue kite."] * 20
    first = ensure_tokenizer(tmp_path / "tokenizer", texts, 300)  # this text yields fewer than 300 entries
    stamp = (tmp_path / "tokenizer" / "tokenizer.json").stat().st_mtime_ns
    second = ensure_tokenizer(tmp_path / "tokenizer", ["different text entirely"], 300)
    assert (tmp_path / "tokenizer" / "tokenizer.json").stat().st_mtime_ns == stamp
    assert first.get_vocab() == second.get_vocab() and second.chat_template
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind
    with pytest.raises(SystemExit, match="vocabulary of 300, not 512"):
        ensure_tokenizer(tmp_path / "tokenizer", texts, 512)  # an old run's tokenizer is never silently reused


# ---------------------------------------------------------------- the smoke run end to end

def test_smoke_run_writes_loadable_folders():
    need_data()
    out = smoke_run()
    tokenizer = load_tokenizer(str(out / "diffusion"))
    ids = special_ids(tokenizer)
    prompt = chat_prompt_ids(tokenizer, [{"role": "user", "content": "Write a story about Lily and a ball."}])

    llada = LLaDAModelLM.from_pretrained(str(out / "diffusion"))
    auto = AutoModel.from_pretrained(str(out / "diffusion"))
    twin = LlamaForCausalLM.from_pretrained(str(out / "autoregressive"))
    assert type(auto) is LLaDAModelLM and llada.config.mask_token_id == ids.mask
    assert llada.config.eot_token_id == ids.eot and twin.config.mask_token_id == ids.mask
    assert llada(prompt).logits.shape == (1, prompt.shape[1], len(tokenizer))
    assert twin(prompt).logits.shape == (1, prompt.shape[1], len(tokenizer))
    assert sum(p.numel() for p in llada.parameters()) == sum(p.numel() for p in twin.parameters())

    for kind in ("diffusion", "autoregressive"):
        folder = out / kind
        with safe_open(str(folder / "model.safetensors"), "pt") as weights:
            assert {weights.get_slice(k).get_dtype() for k in weights.keys()} == {"BF16"}  # noqa: SIM118 - safe_open
        assert (folder / "model.safetensors").stat().st_size < 20 * 2**20
        assert load_tokenizer(str(folder)).chat_template
        assert json.loads((folder / "sampling_defaults.json").read_text())["gen_length"] > 0
        log = json.loads((folder / "training_log.json").read_text())
        assert log["kind"] == kind and log["parameters"] > 0
        for phase in ("pretrain", "sft"):
            assert log["phases"][phase]["tokens"] > 0 and math.isfinite(log["phases"][phase]["best_valid"])
        lines = (out / log["phases"]["pretrain"]["log"]).read_text().splitlines()
        assert any(json.loads(line)["event"] == "valid" for line in lines)
    diffusion_log = json.loads((out / "diffusion" / "training_log.json").read_text())
    twin_log = json.loads((out / "autoregressive" / "training_log.json").read_text())
    assert diffusion_log["tokens_seen"] == twin_log["tokens_seen"]  # the same token budget for both
    assert json.loads((out / "autoregressive" / "generation_config.json").read_text())["do_sample"] is False
