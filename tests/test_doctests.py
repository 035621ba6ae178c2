"""The examples in frsearch's docstrings run with the tests: one that no longer
holds fails here, so what the documentation shows is what the code does."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import frsearch

MODULES = ["frsearch"] + [
    f"frsearch.{module.name}" for module in pkgutil.iter_modules(frsearch.__path__)
    if module.name != "__main__"  # importing it runs the command line
]


def _doctests(name: str) -> list[doctest.DocTest]:
    """The docstrings of module ``name`` with an example that runs (not all +SKIP)."""
    return [test for test in doctest.DocTestFinder().find(importlib.import_module(name))
            if any(not example.options.get(doctest.SKIP) for example in test.examples)]


WITH_EXAMPLES = [name for name in MODULES if _doctests(name)]


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_hold(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    failed = sum(runner.run(test, out=report.append).failed for test in _doctests(name))
    assert failed == 0, "".join(report)


def test_the_examples_are_found():
    # modules whose examples teach the API; the finder missing them would pass silently
    assert {"frsearch", "frsearch.analysis", "frsearch.query", "frsearch.highlight",
            "frsearch.synonyms"} <= set(WITH_EXAMPLES)
    examples = sum(len(test.examples) for name in WITH_EXAMPLES for test in _doctests(name))
    assert examples >= 8
