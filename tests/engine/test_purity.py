"""The engine is a pure library: no Django, no files, no network, no eval."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import chiso.engine

ENGINE = Path(chiso.engine.__file__).parent
SOURCES = sorted(ENGINE.glob("*.py"))

BLOCK_AND_IMPORT = textwrap.dedent(
    """
    import sys

    class Blocker:
        # Any attempt to import these fails as if they were not installed.
        blocked = ("django", "pandas", "openpyxl", "pydantic")

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.blocked:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, Blocker())
    import chiso.engine as engine

    framework = engine.parse_framework(sys.stdin.read())
    values = engine.Values.from_mapping(framework, {"14758": {"hs_tt": 9, "hs_tong": 10}})
    results = engine.score(framework, values)
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in Blocker.blocked)
    print(round(float(results.value[0]), 6), loaded)
    """
)


def test_the_engine_imports_and_scores_with_django_pandas_and_pydantic_blocked(commune_text):
    completed = subprocess.run(  # noqa: S603  (this Python, a fixed script)
        [sys.executable, "-c", BLOCK_AND_IMPORT],
        input=commune_text,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    # CQS.1 is 100 * 9 / 10 = 90 -> full 10 points out of 60; nothing else entered.
    assert completed.stdout.split() == ["0.166667", "[]"]


def _imports(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_an_engine_module_imports_only_the_allowed_libraries(source):
    # Reading our own source with `ast` is fine; user text never goes near it.
    tree = ast.parse(source.read_text(encoding="utf-8"))
    allowed = {
        "__future__", "collections", "copy", "dataclasses", "functools", "itertools", "math",
        "re", "types", "typing", "unicodedata", "numpy", "yaml", "chiso",
    }  # fmt: skip
    assert _imports(tree) <= allowed


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_an_engine_module_never_evaluates_text_or_opens_files(source):
    tree = ast.parse(source.read_text(encoding="utf-8"))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"eval", "exec", "compile", "open", "__import__", "input"}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    # yaml.load / full_load / unsafe_load would construct arbitrary objects.
    assert not attributes & {"load", "full_load", "unsafe_load", "load_all"}
