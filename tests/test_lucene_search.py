"""The query DSL ``frsearch.opensearch.translate`` writes, run by Lucene on an
export with the exported analyzers (``tests/lucene/SearchWithSettings.java``),
selects the passages a local search selects: for each query form (words side
by side, AND, OR, NOT and ``-``, prefixes, phrases, hyphenated names and their
variants, accent-free and misspelt words, numbers with group separators,
elisions, ``title:`` and ``date:`` filters) and for the seeds' judged queries.
Questions are the one known difference: frsearch does not require a question
word to match, the engine does, so it matches more. Needs Java and Debian's
``liblucene8-java``; skipped, saying which is missing, otherwise.
``benchmarks/lucene_scores.py`` compares the rankings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import frsearch
from frsearch.export import VOCABULARY_FILE, export_opensearch
from frsearch.opensearch import Vocabulary, translate
from frsearch.query import join_digit_groups, parse_query

sys.path.insert(0, str(Path(__file__).parent / "lucene"))
import search as lucene  # noqa: E402

FORMS = [
    "sanctions Russie", "Russie AND sanctions", "Russie OR Ukraine", "Russie -sanctions",
    "Russie NOT sanctions", "(Russie OR Ukraine) AND sanctions", "Poutine Biden -Genève",
    "présid*", '"mer Noire"', '"troupes russes"', "États-Unis", "Etats-Unis", "USA",
    "Kremlim", "crimee", "13 000", "13 000 soldats", "l'Otan", "l’OTAN",
    "Biden title:Sommet", "date:2021", "date:2021-12 Russie",
]
JUDGMENTS = Path(__file__).resolve().parents[1] / "benchmarks" / "judgments.json"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """The seeds indexed and exported; a function running DSL queries on the export."""
    folder = tmp_path_factory.mktemp("lucene-search")
    try:
        classpath = lucene.compile_search(folder / "classes")
    except lucene.Unavailable as missing:
        pytest.skip(f"the Lucene search needs Java and Lucene: {missing}")
    index = frsearch.open_index(folder / "index", create=True)
    index.add([frsearch.seeds_dir()])
    export_opensearch(folder / "index", folder / "export")
    vocabulary = Vocabulary.read(folder / "export" / VOCABULARY_FILE)

    def run(queries: list[str]) -> dict[str, dict]:
        dsl = [(query, translate(parse_query(join_digit_groups(query)), vocabulary).query)
               for query in queries]
        return lucene.search(classpath, folder / "export", dsl)

    yield index, run
    index.close()


def matched(index, query: str) -> int:
    result = index.search(query, limit=10, collapse=False)
    return result.total_passages or result.total


def test_each_query_form_matches_the_passages_frsearch_matches(engine):
    index, run = engine
    found = run(FORMS)
    counts = {query: (matched(index, query), found[query]["total"]) for query in FORMS}
    assert {query: pair for query, pair in counts.items() if pair[0] != pair[1]} == {}
    assert sum(mine for mine, _ in counts.values()) > 100  # the forms do find passages


def test_judged_queries_match_as_locally_except_question_words(engine):
    index, run = engine
    judged = json.loads(JUDGMENTS.read_text(encoding="utf-8"))
    found = run([entry["query"] for entry in judged])
    differ = {}
    for entry in judged:
        mine, theirs = matched(index, entry["query"]), found[entry["query"]]["total"]
        if entry["kind"] == "question":
            assert theirs >= mine, entry["query"]  # the question word adds, never removes
        elif mine != theirs:
            differ[entry["query"]] = (mine, theirs)
    assert differ == {}


def test_engine_top_hits_hold_the_query(engine):
    """The engine's hits of a phrase or a hyphenated name are among frsearch's."""
    index, run = engine
    found = run(['"Joe Biden"', '"troupes russes"', "États-Unis"])
    for query, record in found.items():
        assert record["ids"], query
        local = {hit.passage_id for hit in index.search(query, limit=50, collapse=False).hits}
        assert set(record["ids"]) <= local, query
