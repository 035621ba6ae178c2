"""What searches of one commit share (``catalog``: decoded passages, sketches,
plans, groups of near-duplicates) and the posting lists' bisecting skip give
the answers the reference path gives: a search on a freshly opened index,
which has read nothing yet, on every judged query and a sample of the dev
queries of ``benchmarks/relevance``, on an index of two segments with deleted
passages."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from shuffled import two_segment_index
from whoosh.codec.whoosh3 import W3LeafMatcher

import frsearch
from frsearch.catalog import Kept, catalog
from frsearch.whoosh_internals import CompactLeafMatcher, deleted_and_live, fixed_bytes_column

ROOT = Path(__file__).resolve().parent.parent
JUDGED = [entry["query"] for entry in
          json.loads((ROOT / "benchmarks" / "judgments.json").read_text(encoding="utf-8"))]
DEV = sorted(entry["query"] for entry in
             json.loads((ROOT / "benchmarks" / "relevance" / "queries.json")
                        .read_text(encoding="utf-8")) if entry["split"] == "dev")
QUERIES = JUDGED + random.Random(13).sample(DEV, min(30, len(DEV))) + [
    '"à la fois"', '"tout à coup"', "sanctions -Russie", "la", "frontière source:lemonde"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The seeds and 300 articles of their sentences shuffled, in two segments,
    one seed article changed by the second (deleted passages in the first)."""
    return two_segment_index(tmp_path_factory.mktemp("paths"), 11,
                             "Les sanctions à la fois promises et la frontière.")


@pytest.fixture(scope="module")
def shared(folder):
    """One index every test asks in turn: what it read for a query serves the next."""
    with frsearch.open_index(folder) as index:
        yield index


def _answers(index, query: str) -> list[dict]:
    pages = [index.search(query, limit=10, time_budget=None, offset=offset).to_dict()
             for offset in (0, 10)]
    pages.append(index.search(query, limit=5, collapse=False, time_budget=None).to_dict())
    return pages


@pytest.mark.parametrize("query", QUERIES)
def test_kept_paths_answer_as_a_fresh_index(folder, shared, query):
    with frsearch.open_index(folder) as fresh:  # reads everything for the first time
        expected = _answers(fresh, query)
    reader = shared._current_searcher().reader()
    assert len(list(shared._current_searcher().leaf_searchers())) == 2
    assert reader.has_deletions()
    first = _answers(shared, query)
    again = _answers(shared, query)  # its plan, passages and groups kept now
    assert first == expected
    assert again == expected
    assert catalog(reader).plans.get((query, "[]")) is not None


def test_sketches_read_whole_are_the_columns_values(shared):
    reader = shared._current_searcher().reader()
    for segment, _ in reader.leaf_readers():
        column = segment.column_reader("text", translate=False)
        values = fixed_bytes_column(segment, "text")
        for docnum in range(segment.doc_count_all()):
            assert values(docnum) == column[docnum]
        assert values(segment.doc_count_all() + 5) == column[segment.doc_count_all() + 5]


@pytest.mark.parametrize("term", ["sanction", "la", "frontier", "russ"])
def test_bisecting_skip_lands_where_whoosh_steps(shared, term):
    reader = shared._current_searcher().reader()
    pick = random.Random(term)
    for segment, _ in reader.leaf_readers():
        if ("text", term) not in segment:
            continue
        ids = list(segment.postings("text", term).all_ids())
        targets = sorted(pick.randrange(0, ids[-1] + 3) for _ in range(40))
        # the raw postings, deleted passages included, as the matchers step through them
        _, ours = deleted_and_live(segment.postings("text", term))
        _, theirs = deleted_and_live(segment.postings("text", term))
        assert isinstance(ours, CompactLeafMatcher)
        for target in targets:
            if not theirs.is_active():
                assert not ours.is_active()
                break
            ours.skip_to(target)
            W3LeafMatcher.skip_to(theirs, target)
            assert ours.is_active() == theirs.is_active()
            if theirs.is_active():
                assert ours.id() == theirs.id()
                assert ours.value() == theirs.value()


def test_kept_drops_the_least_recently_used():
    kept = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # now the most recently used
    kept.put("c", 3)
    assert kept.get("b") is None
    assert (kept.get("a"), kept.get("c"), len(kept)) == (1, 3, 2)
