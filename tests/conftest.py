"""Shared fixtures: a real index of the five seed articles, built once per run."""

from __future__ import annotations

import pytest

import frsearch


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    index = frsearch.open_index(tmp_path_factory.mktemp("seeds") / "index", create=True)
    index.add([frsearch.seeds_dir()])
    yield index
    index.close()


@pytest.fixture(scope="session")
def seed_passages() -> dict[str, str]:
    """Passage id → text, for every passage of the seeds."""
    return {
        f"{article.id}:{passage.number}": passage.text
        for article in frsearch.read_articles([frsearch.seeds_dir()])
        for passage in article.passages
    }
