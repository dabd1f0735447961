"""The reversal test's fact set, its split, its accuracy rule and the tab's question lookup (no model runs)."""

import re

import pytest

from llada_demo.errors import SettingsError
from llada_demo.models.tokenizer import load_tokenizer
from llada_demo.modes.reversal import find_question, load_report, questions
from llada_demo.scoring.fact_recall import (
    BLANK,
    accuracy,
    answer_correct,
    blanked_sentence,
    fill_in_template,
)
from training.facts import (
    DIRECTIONS,
    held_out_questions,
    make_facts,
    split_facts,
    statement_texts,
    training_questions,
)
from training.facts_training import FactTrainOptions

TOKENIZER = "assets/llada-tinystories"


@pytest.fixture(scope="module")
def split():
    options = FactTrainOptions()
    tokenizer = load_tokenizer(TOKENIZER)
    return split_facts(make_facts(options.facts, options.seed, tokenizer, options.name_tokens), options.held_out,
                       options.seed)


def test_the_fact_set_is_deterministic_and_names_are_unique(split):
    again = make_facts(7, seed=3)
    assert again == make_facts(7, seed=3) and again != make_facts(7, seed=4)
    children = [f.child for f in split.facts]
    pets = [f.pet for f in split.facts]
    assert len(set(children)) == len(children) == 80 and len(set(pets)) == len(pets)
    assert not set(children) & set(pets), "a backward answer must have one reading"
    assert len(split.held_out) == 32 and len(split.train) == 48
    assert not {f.child for f in split.train} & {f.child for f in split.held_out}


def test_names_are_few_tokens_and_not_story_words(split):
    tokenizer = load_tokenizer(TOKENIZER)
    for fact in split.facts:
        for name in (fact.child, fact.pet):
            assert 1 < len(tokenizer(" " + name, add_special_tokens=False)["input_ids"]) <= 2, name


def test_statements_name_the_child_before_the_pet(split):
    texts = statement_texts(split)
    assert len(texts) == 3 * len(split.facts)
    for fact in split.facts:
        for text in fact.statements():
            assert text in texts
            assert text.index(fact.child) < text.index(fact.pet), text
            assert "whose" not in text.lower()


def test_no_held_out_person_appears_in_the_training_questions(split):
    trained = " ".join(q + " " + a for q, a in training_questions(split))
    words = set(re.findall(r"[A-Za-z]+", trained))
    for fact in split.held_out:
        assert fact.child not in words and fact.pet not in words
    assert len(training_questions(split)) == 2 * len(split.train)
    tests = held_out_questions(split)
    assert len(tests) == 2 * len(split.held_out)
    assert {t["direction"] for t in tests} == set(DIRECTIONS)
    for row in tests:
        assert row["name"] in row["answer"] and row["name"] not in row["question"]
        assert row["fact"] == row["answer"]


def test_forward_asks_for_the_pet_and_backward_for_the_child(split):
    fact = split.held_out[0]
    question, answer = fact.question("forward")
    assert fact.child in question and fact.pet not in question
    # Both answers restate the trained sentence, child first: backward, the asked name comes first.
    assert answer == fact.statements()[0] == f"{fact.child}'s pet is a {fact.kind} named {fact.pet}."
    question, answer = fact.question("backward")
    assert fact.pet in question and fact.kind in question and fact.child not in question
    assert answer == fact.statements()[0]
    with pytest.raises(ValueError):
        fact.question("sideways")


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_the_fill_in_template_masks_the_name_and_gives_the_rest(split, direction):
    tokenizer = load_tokenizer(TOKENIZER)
    mask = -7  # not a real id: every masked position is unmistakable
    for fact in split.held_out:
        statement, name = fact.statements()[0], fact.name(direction)
        whole = tokenizer(statement, add_special_tokens=False)["input_ids"]
        template, positions = fill_in_template(tokenizer, statement, name, direction, mask)
        assert len(template) == len(whole) and positions == [i for i, t in enumerate(template) if t == mask]
        assert 1 <= len(positions) <= 3 and positions == list(range(positions[0], positions[-1] + 1))
        # Every other token is the statement's own; the masked ones decode to the name (a space before it at most).
        assert all(t == w for t, w in zip(template, whole) if t != mask)
        assert tokenizer.decode([whole[i] for i in positions]).strip() == name
        if direction == "backward":
            assert positions[0] == 0  # the child's name opens the sentence: the blank comes first
        else:
            assert positions[-1] == len(whole) - 2  # the pet's name ends it, before the full stop
    fact = split.held_out[0]
    blanked = blanked_sentence(fact.statements()[0], fact.name(direction), direction)
    assert BLANK in blanked and fact.name(direction) not in blanked
    assert blanked.startswith(BLANK) == (direction == "backward")


def test_the_accuracy_rule():
    others = ["Lob", "Nux", "Kas"]
    assert answer_correct("Lob.", "Lob", others)
    assert answer_correct("It is lob!", "Lob", others)  # any case
    assert not answer_correct("Lobby.", "Lob", others)  # a whole word, not a prefix
    assert not answer_correct("Lob or Nux.", "Lob", others)  # hedging with another name is wrong
    assert not answer_correct("", "Lob", others)
    assert not answer_correct("Nux.", "Lob", others)
    assert accuracy([True, False, True, True]) == 0.75 and accuracy([]) is None


def test_the_tab_finds_questions_by_text_or_label():
    report = {"questions": [{"direction": "backward", "question": "Whose pet is the cat named Vam?",
                             "answer": "Fizo.", "name": "Fizo", "fact": "Fizo's pet is a cat named Vam."}],
              "names": {"children": ["Fizo"], "pets": ["Vam"]}}
    item = questions(report)[0]
    assert find_question(report, item.question) == item == find_question(report, item.label)
    assert item.label.startswith("← backward")
    with pytest.raises(SettingsError, match="held-out questions"):
        find_question(report, "What is Mia's pet called?")
    with pytest.raises(SettingsError, match="reversal.json"):
        find_question(None, item.question)


def test_the_shipped_report_covers_every_held_out_question(split):
    report = load_report()
    assert report is not None, "assets/llada-tinystories/reversal.json is missing"
    expected = held_out_questions(split)
    assert [(q.direction, q.question, q.name) for q in questions(report)] == [
        (r["direction"], r["question"], r["name"]) for r in expected]
    for model in ("diffusion", "autoregressive"):
        for direction in DIRECTIONS:
            rows = [r for r in report["questions"] if r["direction"] == direction]
            share = sum(r[f"{model}_correct"] for r in rows) / len(rows)
            assert report["accuracy"][model][direction] == pytest.approx(share)
            fills = [r for r in report["fill_in"] if r["direction"] == direction]
            assert len(fills) == len(split.held_out)
            share = sum(r[f"{model}_correct"] for r in fills) / len(fills)
            assert report["fill_in_accuracy"][model][direction] == pytest.approx(share)


def test_the_fill_in_table_shows_both_models_and_escapes_answers():
    from llada_demo.viz.reversal_table import render_fill_in_table

    row = {"direction": "backward", "fact": "Fizo's pet is a cat named Vam.", "name": "Fizo",
           "blanked": "___'s pet is a cat named Vam.", "diffusion_answer": "Fizo", "diffusion_correct": True,
           "autoregressive_answer": "<b>Kado</b>'s pet", "autoregressive_correct": False}
    report = {"fill_in": [dict(row, direction="forward"), row],
              "fill_in_accuracy": {"diffusion": {"forward": 0.5, "backward": 1.0},
                                   "autoregressive": {"forward": 1.0, "backward": 0.0}}}
    html = render_fill_in_table(report)
    assert "all 1 held-out people" in html and "100.0 %" in html and "0.0 %" in html and "50.0 %" in html
    assert "<b>Kado</b>" not in html and "&lt;b&gt;Kado" in html  # model text cannot inject markup
    assert "<b>Fizo</b> ✓" in html
    assert render_fill_in_table({}) == ""  # a report from before the probe: no table
