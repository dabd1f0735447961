"""The package's import graph reads bottom to top: models → sampling/trace → engine → modes/scoring → viz → ui/cli.

Every import inside llada_demo (top level or inside a function, not under TYPE_CHECKING) is checked against
what its part may use. deploy/ imports only downward, and nothing in the package imports benchmarks/. The
top-level training/ package sits above the app: it imports llada_demo's lower layers, and llada_demo imports
training only in the CLI's shims, inside their functions.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "llada_demo"
TRAINING = PACKAGE.parent / "training"
BASE = {"errors", "characters"}
ALLOWED = {
    "errors": set(),
    "characters": set(),
    "prompt": BASE,
    "models": BASE,
    # The record types. Two narrow exceptions: the answer cut (scoring/answer.py imports only numpy) and the
    # settings type, read lazily when a trace is loaded from JSON.
    "trace": BASE | {"scoring.answer", "sampling.settings"},
    "sampling": BASE | {"models", "trace"},
    "engine": BASE | {"models", "sampling", "trace"},
    "scoring": BASE | {"models", "sampling", "trace", "engine"},
    "modes": BASE | {"models", "sampling", "trace", "engine", "scoring", "prompt"},
    "config": BASE | {"models"},
    "startup": BASE | {"config", "models"},
    "viz": BASE | {"models", "sampling", "trace", "scoring"},
    "deploy": BASE | {"config", "models"},
    "ui": BASE | {"models", "sampling", "trace", "engine", "scoring", "modes", "viz", "config", "startup",
                  "prompt"},
    # A front end like ui/: `score` runs the score mode.
    "cli": BASE | {"models", "sampling", "trace", "engine", "viz", "prompt", "startup", "deploy", "modes", "training"},
    "__main__": {"cli"},
    "__init__": set(),
}
# What the training package (outside llada_demo) may use of the app: everything below the front ends.
TRAINING_USES = BASE | {"models", "sampling", "trace", "scoring", "engine"}


def _module(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports(path: Path) -> set[str]:
    """The llada_demo modules `path` imports at run time (dotted, without the package name), 'benchmarks' and
    'training'."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(
        node.test) for n in ast.walk(node)}
    here = _module(path) if path.is_relative_to(PACKAGE.parent) else ["llada_demo", path.stem]
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                names = [".".join(base + ([node.module] if node.module else []))]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.startswith("llada_demo."):
                found.add(name.split(".", 1)[1])
            elif name.split(".")[0] in ("benchmarks", "training"):
                found.add(name.split(".")[0])
    return found


def test_every_import_goes_down_the_layers():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = _module(path)
        part = parts[1] if len(parts) > 1 else "__init__"
        for target in imports(path):
            target_part = target.split(".")[0]
            if target_part == part:
                continue
            allowed = ALLOWED[part]
            if target_part not in allowed and target not in allowed and ".".join(target.split(".")[:2]) not in allowed:
                wrong.append(f"{'.'.join(parts)} imports {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_training_imports_the_app_downward_only():
    wrong = [f"{path.relative_to(TRAINING.parent)} imports {target}" for path in sorted(TRAINING.rglob("*.py"))
             for target in imports(path) if target != "training" and target.split(".")[0] not in TRAINING_USES]
    assert not wrong, "training/ may use only the app's lower layers:\n" + "\n".join(wrong)


def top_level_training_imports(path: Path) -> list[int]:
    """Lines where `path` imports training outside any function (a module-level import would load it always)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = {id(n) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
              for n in ast.walk(node)}
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
            and id(node) not in inside and "training" in imports_of(node)]


def imports_of(node: ast.Import | ast.ImportFrom) -> set[str]:
    names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    return {name.split(".")[0] for name in names if not getattr(node, "level", 0)}


def test_only_the_cli_imports_training_and_only_inside_its_shims():
    importers = [path.relative_to(PACKAGE.parent) for path in sorted(PACKAGE.rglob("*.py")) if "training" in
                 imports(path)]
    assert [str(p) for p in importers] == ["llada_demo/cli.py"]
    assert top_level_training_imports(PACKAGE / "cli.py") == []


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from llada_demo.ui import build_demo\nimport benchmarks.speed\nimport training.loop\n")
    assert imports(bad) == {"ui", "benchmarks", "training"}
    assert top_level_training_imports(bad) == [3]
