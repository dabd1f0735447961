"""The tier rule (tests/tiers.py): e2e, listed and marked tests are slow; all else, new modules too, is fast."""

import ast
from types import SimpleNamespace

import pytest

from tiers import SLOW, TESTS, is_slow


def fake_item(relative: str, name: str = "test_something", marked: bool = False):
    marker = pytest.mark.slow.mark if marked else None
    return SimpleNamespace(path=TESTS / relative, originalname=name,
                           get_closest_marker=lambda wanted: marker if wanted == "slow" else None)


def test_the_rule_sorts_tests_into_tiers():
    assert is_slow(fake_item("e2e/test_new_browser.py"))
    assert is_slow(fake_item("test_train_smoke.py"))
    assert is_slow(fake_item("test_app_api.py", "test_streamed_run_shows_intermediate_states_and_matches_the_sampler"))
    assert not is_slow(fake_item("test_app_api.py", "test_clear_forgets_the_conversation"))
    assert not is_slow(fake_item("test_a_module_written_tomorrow.py"))
    assert is_slow(fake_item("test_a_module_written_tomorrow.py", marked=True))


def test_every_slow_entry_names_a_test_that_exists():
    """A renamed module or test would otherwise fall silently into the fast tier."""
    for entry in SLOW:
        module, _, name = entry.partition("::")
        path = TESTS / f"{module}.py"
        assert path.is_file(), f"SLOW names {module}, which is not a module in tests/"
        if name:
            functions = {node.name for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                         if isinstance(node, ast.FunctionDef)}
            assert name in functions, f"SLOW names {entry}, but {module}.py has no test {name}"
