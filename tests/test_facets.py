"""Facets: counts per month and per metadata value over every match of a
query, not only the page shown; what cannot be counted is a warning."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from newsroom import newsroom_index

from frsearch.indexing import keyword_term


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    index = newsroom_index(tmp_path_factory.mktemp("facets"))
    yield index
    index.close()


def _expected(index, query: str, name: str) -> Counter:
    """Counted from every passage the query matches, one by one."""
    counts: Counter = Counter()
    for hit in index.search(query, limit=1000, collapse=False).hits:
        if name == "date":
            if hit.date:
                counts[hit.date[:7]] += 1
            continue
        values = hit.meta.get(name)
        for value in values if isinstance(values, list) else [values]:
            if value is not None:
                counts[keyword_term(name, value).partition("=")[2]] += 1
    return counts


@pytest.mark.parametrize("query", ["sanctions", "Kremlin OR Genève", "source:lemonde",
                                   "sanctions date:2021-12"])
def test_facets_count_every_match(newsroom, query):
    result = newsroom.search(query, limit=1, facets=("date", "source", "author", "tags"))
    assert result.warnings == [] and len(result.hits) <= 1
    for name in ("source", "author", "tags"):
        expected = _expected(newsroom, query, name)
        assert result.facets[name] == sorted(expected.items(), key=lambda v: (-v[1], v[0]))
    months = result.facets["date"]
    assert months == sorted(_expected(newsroom, query, "date").items())


def test_months_in_order_a_year_alone_under_its_year(newsroom):
    facets = newsroom.search("sanctions", facets=["date"]).facets
    assert facets == {"date": [("2021", 1), ("2021-06", 1), ("2021-12", 6), ("2022-01", 1)]}


def test_a_value_narrows_as_a_filter(newsroom):
    counts = dict(newsroom.search("sanctions", facets=["source"]).facets["source"])
    for value, count in counts.items():
        narrowed = newsroom.search(f'sanctions source:"{value}"', collapse=False, limit=100)
        assert narrowed.total == count and narrowed.warnings == []


def test_what_has_no_facet_is_a_warning(newsroom):
    result = newsroom.search("sanctions", facets=["rubrique", "title", "source"])
    assert list(result.facets) == ["source"]
    assert [w.split(":")[0] for w in result.warnings] == [
        "facet 'rubrique' was left out", "facet 'title' was left out"]


def test_the_cli_prints_facets(cli_main, tmp_path):
    newsroom_index(tmp_path / "n").close()
    folder = str(tmp_path / "n" / "index")
    done = cli_main("query", "sanctions", "--facets", "date,source", "--index", folder)
    lines = done.stdout.splitlines()
    assert lines[1] == "date: 2021 (1), 2021-06 (1), 2021-12 (6), 2022-01 (1)"
    assert lines[2] == "source: lemonde (5), libération (3), afp (1), lefigaro (1)"
    payload = json.loads(cli_main("query", "sanctions", "--facets", "source", "--json",
                                  "--index", folder).stdout)
    assert payload["facets"] == {"source": [["lemonde", 5], ["libération", 3], ["afp", 1],
                                            ["lefigaro", 1]]}
