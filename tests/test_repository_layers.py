"""Outside the package: tests/ and benchmarks/ share only devtools/, never each other, and the app imports none.

training/ sits above the app (tests/test_layers.py checks which layers it uses) and below the development tools:
tests and benchmarks may import it, it imports none of them.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# Modules a test may import by bare name, because pytest puts tests/ on the path.
TEST_MODULES = {p.stem for p in TESTS.glob("*.py")} | {"tests"}
# Imports waiting for another branch: the shared reference loop moves to devtools/reference_loop.py.
PENDING: set[tuple[str, str]] = set()


def top_level_imports(path: Path) -> set[str]:
    """The first name of every module `path` imports, anywhere in it (relative imports are its own package)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names


def offending(folders: list[str], forbidden: set[str]) -> set[tuple[str, str]]:
    found = set()
    for folder in folders:
        paths = [ROOT / folder] if folder.endswith(".py") else sorted((ROOT / folder).rglob("*.py"))
        for path in paths:
            found |= {(str(path.relative_to(ROOT)), name) for name in top_level_imports(path) & forbidden}
    return found


def test_benchmarks_and_devtools_never_import_tests():
    assert not offending(["benchmarks", "devtools"], TEST_MODULES)
    for path in sorted((ROOT / "benchmarks").rglob("*.py")) + sorted((ROOT / "devtools").rglob("*.py")):
        assert '/ "tests"' not in path.read_text(encoding="utf-8"), f"{path} puts tests/ on the path"


def test_tests_never_import_benchmarks():
    found = offending(["tests"], {"benchmarks"})
    assert found - PENDING == set(), "run the benchmark as a command (tests/benchmark_command.py) or use devtools/"
    assert PENDING <= found, "an import in PENDING is gone: remove it from PENDING"


def test_the_app_imports_no_development_tools():
    assert not offending(["llada_demo", "app.py"], {"devtools", "benchmarks", "tests"} | TEST_MODULES)
    assert not offending(["devtools"], {"benchmarks"})


def test_training_imports_no_development_tools():
    assert not offending(["training"], {"devtools", "benchmarks", "tests"} | TEST_MODULES)


def test_the_checker_sees_imports_anywhere_in_a_module(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from server import start_app\n    import benchmarks.speed\n"
                      "from . import sibling\n")
    assert top_level_imports(sample) == {"os", "server", "benchmarks"}
