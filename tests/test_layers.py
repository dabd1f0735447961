"""The package's import graph reads bottom to top: models → sampling/trace → engine → modes/scoring → viz → ui/cli.

Every import inside llada_demo (top level or inside a function, not under TYPE_CHECKING) is checked against
what its part may use. train/ and deploy/ import only downward, and nothing in the package imports benchmarks/.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "llada_demo"
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
    "train": BASE | {"models", "sampling", "trace", "scoring", "engine"},
    "deploy": BASE | {"config", "models"},
    "ui": BASE | {"models", "sampling", "trace", "engine", "scoring", "modes", "viz", "config", "startup",
                  "prompt"},
    # A front end like ui/: `score` runs the score mode.
    "cli": BASE | {"models", "sampling", "trace", "engine", "viz", "prompt", "startup", "train", "deploy", "modes"},
    "__main__": {"cli"},
    "__init__": set(),
}


def _module(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports(path: Path) -> set[str]:
    """The llada_demo modules `path` imports at run time (dotted, without the package name), and 'benchmarks'."""
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
            elif name.split(".")[0] == "benchmarks":
                found.add("benchmarks")
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


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from llada_demo.ui import build_demo\nimport benchmarks.speed\n")
    assert imports(bad) == {"ui", "benchmarks"}
