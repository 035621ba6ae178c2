"""The code stays ruff clean and mypy clean, and the public API is one list
(part of the test command, so CI checks it too)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import frsearch

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the [test] extra"
    done = subprocess.run([ruff, "check", "frsearch", "tests", "benchmarks"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_clean():
    """Callers type against the API (the package ships ``py.typed``): its
    annotations must hold. The settings are in pyproject.toml."""
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def _typed_exports() -> dict[str, str]:
    """What ``frsearch/__init__.py`` re-exports to type checkers (``import x as
    x``, the form they take as public): name → module."""
    tree = ast.parse((ROOT / "frsearch" / "__init__.py").read_text(encoding="utf-8"))
    (block,) = [node for node in tree.body if isinstance(node, ast.If)
                and ast.unparse(node.test) == "TYPE_CHECKING"]
    return {alias.name: node.module for node in block.body
            if isinstance(node, ast.ImportFrom) for alias in node.names
            if alias.asname == alias.name}


def test_the_public_api_is_one_list():
    """Type checkers see the names ``import frsearch`` gives, from the same
    modules."""
    assert _typed_exports() == frsearch._EXPORTS
    assert frsearch.__all__ == sorted(frsearch._EXPORTS)
    for name in frsearch.__all__:
        assert getattr(frsearch, name) is not None
        assert name in dir(frsearch)


def test_the_old_name_of_not_an_index_is_the_same_class():
    assert frsearch.IndexExistsError is frsearch.NotAnIndexError
    assert issubclass(frsearch.NotAnIndexError, frsearch.FrsearchError)
    assert issubclass(frsearch.SynonymError, frsearch.FrsearchError)
