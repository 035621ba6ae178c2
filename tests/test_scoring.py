"""Queries of words are scored from the posting arrays (``scoring``): the same
passages, in the same order, with the same scores as Whoosh's matchers give the
same compiled query, on an index of several segments with deleted passages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shuffled import two_segment_index
from whoosh.collectors import TopCollector

import frsearch
from frsearch.execution import collector
from frsearch.planning import HELD_SCORE, Deadline, compile_query
from frsearch.query import join_digit_groups, parse_query
from frsearch.scoring import top_passages, worth_arrays

ROOT = Path(__file__).resolve().parent.parent
JUDGED = [entry["query"] for entry in
          json.loads((ROOT / "benchmarks" / "judgments.json").read_text(encoding="utf-8"))]
MORE = ["sanctions Poutine", "Kiev Kyiv", "Etats Unis", "crimee", "otan", "coeur",
        "Maison Blanche", "13 000", "sanctons", "invasoin", "pourquoi Biden", "armée russe",
        '"à la fois"', "troupes frontière menace", "Zelenski", "la", "Genève sommet"]


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    """The seeds, 300 articles made of their sentences shuffled (long posting
    lists), then a second run that changes one seed article: two segments,
    and deleted passages in the first."""
    folder = two_segment_index(tmp_path_factory.mktemp("scoring"), 7,
                               "Un paragraphe ajouté sur les sanctions et la frontière.")
    index = frsearch.open_index(folder)
    yield index
    index.close()


@pytest.mark.parametrize("query", JUDGED + MORE)
def test_words_score_as_whoosh_scores_them(index, query):
    searcher = index._current_searcher()
    reader = searcher.reader()
    assert len(list(searcher.leaf_searchers())) == 2 and reader.has_deletions()
    compiled = compile_query(parse_query(join_digit_groups(query)), reader, index.synonyms)
    if compiled.words is None:
        pytest.skip("not a query of words only")
    fetch = 300
    collecting = collector(Deadline(None), fetch)
    searcher.search_with_collector(compiled.query, collecting)
    expected = collecting.ranked()
    ranked, total = top_passages(searcher, compiled.words, HELD_SCORE, fetch)
    assert total == collecting.total
    assert [docnum for docnum, _ in ranked] == [docnum for docnum, _ in expected]
    for (_, ours), (_, theirs) in zip(ranked, expected, strict=True):
        assert ours == pytest.approx(theirs, rel=1e-9)


def test_most_judged_queries_take_the_fast_path(index):
    reader = index._current_searcher().reader()
    fast = [query for query in JUDGED
            if compile_query(parse_query(query), reader, index.synonyms).words is not None]
    assert len(fast) >= 0.8 * len(JUDGED)


@pytest.mark.parametrize("query", ["sanctions", "Poutine Biden", "la Russie", "Genève sommet"])
def test_the_collector_keeps_whooshs_best_and_the_ties_at_the_cut(index, query):
    searcher = index._current_searcher()
    compiled = compile_query(parse_query(query), searcher.reader(), index.synonyms)
    everything = collector(Deadline(None), 10**6)
    searcher.search_with_collector(compiled.query, everything)
    every = everything.ranked()
    for limit in (1, 5, 20):
        whoosh = TopCollector(limit=limit, usequality=False, replace=0)
        searcher.search_with_collector(compiled.query, whoosh)
        collecting = collector(Deadline(None), limit)
        searcher.search_with_collector(compiled.query, collecting)
        ranked = collecting.ranked()
        assert ranked[:limit] == [(hit.docnum, hit.score) for hit in whoosh.results()]
        assert ranked[limit:] == [pair for pair in every[limit:] if pair[1] == every[limit - 1][1]]
        assert collecting.total == len(every)


def test_a_search_takes_the_arrays_only_for_long_posting_lists(index, seed_index):
    """The index of this module has long lists (300 shuffled articles); the
    seeds' words are in a few passages each, which Whoosh's matchers score as
    fast, without numpy."""
    for chosen, query, expected in ((index, "sanctions Poutine", True),
                                    (seed_index, "sanctions", False)):
        searcher = chosen._current_searcher()
        compiled = compile_query(parse_query(query), searcher.reader(), chosen.synonyms)
        assert compiled.words is not None
        assert worth_arrays(searcher, compiled.words) is expected


def test_a_search_of_the_seeds_does_not_load_numpy(tmp_path):
    """numpy's import takes about 50 ms: a third of a whole ``frsearch query``
    process on the seeds, whose posting lists are too short to need it."""
    import subprocess
    import sys

    folder = tmp_path / "ix"
    script = ("import sys, frsearch\n"
              f"ix = frsearch.open_index({str(folder)!r}, create=True)\n"
              "ix.add([frsearch.seeds_dir()])\n"
              "hits = ix.search('sanctions Russie').hits\n"
              "print(len(hits), 'numpy' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, cwd=ROOT).stdout.split()
    assert int(shown[0]) > 0 and shown[1] == "False"


def test_indexing_does_not_load_numpy():
    """numpy is imported by the first search (``scoring``), never by ``frsearch
    index`` and the writer processes it forks."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, frsearch.cli; print('numpy' in sys.modules)"],
        capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert loaded == "False"
