"""Queries of words are scored from the posting arrays (``scoring``): the same
passages, in the same order, with the same scores as Whoosh's matchers give the
same compiled query, on an index of several segments with deleted passages."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from whoosh.collectors import TopCollector

import frsearch
from frsearch.execution import collector
from frsearch.planning import HELD_SCORE, Deadline, compile_query
from frsearch.query import join_digit_groups, parse_query
from frsearch.scoring import top_passages

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
    root = tmp_path_factory.mktemp("scoring")
    sentences = [sentence.strip() + "."
                 for article in frsearch.read_articles([frsearch.seeds_dir()])
                 for passage in article.passages for sentence in passage.text.split(".")
                 if len(sentence.split()) > 3]
    shuffle = random.Random(7)
    with (root / "mixed.jsonl").open("w", encoding="utf-8") as out:
        for number in range(300):
            paragraphs = [" ".join(shuffle.sample(sentences, 2)) for _ in range(4)]
            out.write(json.dumps({"id": f"mix-{number}", "title": shuffle.choice(sentences),
                                  "paragraphs": paragraphs}, ensure_ascii=False) + "\n")
    seeds = root / "seeds"
    seeds.mkdir()
    for file in frsearch.seeds_dir().iterdir():
        (seeds / file.name).write_bytes(file.read_bytes())
    with frsearch.open_index(root / "index", create=True) as first:
        first.add([seeds, root / "mixed.jsonl"])
    changed = sorted(seeds.iterdir())[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nUn paragraphe ajouté sur les "
                       "sanctions et la frontière.\n", encoding="utf-8")
    index = frsearch.open_index(root / "index")
    assert index.add([seeds]).updated == 1
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
