"""Queries of words and quoted phrases are scored from the postings
(``scoring``): the same passages, in the same order, with the same scores as
Whoosh's matchers give the same compiled query, on an index of several segments
with deleted passages."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from shuffled import seed_sentences, two_segment_index
from whoosh.collectors import TopCollector

import frsearch
from frsearch import scoring
from frsearch.analysis import analyze, fold
from frsearch.codec import CompactPositions
from frsearch.execution import collector
from frsearch.planning import HELD_SCORE, Deadline, _Planner, compile_query
from frsearch.query import join_digit_groups, parse_query
from frsearch.scoring import top_passages, worth_arrays
from frsearch.synonyms import load_synonyms

ROOT = Path(__file__).resolve().parent.parent
JUDGED = [entry["query"] for entry in
          json.loads((ROOT / "benchmarks" / "judgments.json").read_text(encoding="utf-8"))]
MORE = ["sanctions Poutine", "Kiev Kyiv", "Etats Unis", "crimee", "otan", "coeur",
        "Maison Blanche", "13 000", "sanctons", "invasoin", "pourquoi Biden", "armée russe",
        '"à la fois"', "troupes frontière menace", "Zelenski", "la", "Genève sommet"]


def _drawn_phrases(count: int) -> list[str]:
    """``count`` runs of two to four words of the seeds' sentences (stop words
    inside them make the phrase's slop), each quoted as written, without
    accents, and in the reverse order (which mostly finds nothing)."""
    sentences = seed_sentences()
    draw = random.Random(11)
    phrases: list[str] = []
    while len(phrases) < 3 * count:
        words = re.findall(r"[\w'’-]+", draw.choice(sentences))
        size = draw.choice([2, 3, 4])
        if len(words) >= size:
            at = draw.randrange(len(words) - size + 1)
            run = words[at:at + size]
            phrases += [f'"{" ".join(run)}"', f'"{fold(" ".join(run))}"',
                        f'"{" ".join(reversed(run))}"']
    return phrases


PHRASES = _drawn_phrases(20) + [
    '"Vladimir Poutine"', '"vladimir poutine" sanctions', '"président russe" Biden',
    '"États-Unis"', '"Etats-Unis" Russie', '"Union européenne"', '"Nations unies"',  # variants
    '"sanctions économiques"', '"Poutine Vladimir"', '"frontiere ukrainienne"',
    '"Etats-Un*"', '"Vladimir P*"', '"la frontière" "à la fois"', '"le président de la Russie"']


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


@pytest.mark.parametrize("query", JUDGED + MORE + PHRASES)
def test_words_and_phrases_score_as_whoosh_scores_them(index, query):
    searcher = index._current_searcher()
    reader = searcher.reader()
    assert len(list(searcher.leaf_searchers())) == 2 and reader.has_deletions()
    compiled = compile_query(parse_query(join_digit_groups(query)), reader, load_synonyms())
    if compiled.words is None:
        assert query not in PHRASES
        pytest.skip("not a query of words and phrases")
    fetch = 300
    collecting = collector(Deadline(None), fetch)
    searcher.search_with_collector(compiled.query, collecting)
    expected = collecting.ranked()
    ranked, total = top_passages(searcher, compiled.words, HELD_SCORE, fetch)
    assert total == collecting.total
    assert [docnum for docnum, _ in ranked] == [docnum for docnum, _ in expected]
    for (_, ours), (_, theirs) in zip(ranked, expected, strict=True):
        assert ours == theirs


def test_drawn_phrases_find_some_passages_and_miss_others(index):
    searcher = index._current_searcher()
    totals = [top_passages(searcher, compile_query(parse_query(query), searcher.reader()).words,
                           HELD_SCORE, 10)[1] for query in PHRASES]
    assert sum(total > 0 for total in totals) > len(PHRASES) / 3
    assert sum(total == 0 for total in totals) > len(PHRASES) / 10


@pytest.mark.parametrize("draw", range(40))
def test_a_phrase_of_several_spellings_matches_as_whooshs_span_near(index, draw):
    """Words of two spellings (as accents or a prefix give them), some of
    which follow each other, so that Whoosh's SpanOr merges their spans; in the
    text or, boosted, in the headline: the same passages and scores as the
    phrase Whoosh's matchers find, from ``scoring``'s reading of the positions."""
    searcher = index._current_searcher()
    chosen = random.Random(draw)
    while True:
        words = [analyze(word) for word in chosen.choice(seed_sentences()).split()]
        terms = [found[0] for found in words if found]
        if len(terms) >= 4:
            break
    at = chosen.randrange(len(terms) - 3)
    sets = [frozenset({terms[at + i], chosen.choice([terms[at + i + 1], chosen.choice(terms)])})
            for i in range(chosen.choice([2, 3]))]
    slop = chosen.choice([1, 1, 2, 3])
    field, boost = chosen.choice([("text", 1.0), ("title", 0.3)])
    planner = _Planner(searcher.reader(), load_synonyms(), Deadline(None))
    query = planner.field_query(field, sets, slop).with_boost(boost)
    expected = {}
    context = searcher.context()
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, context)
        while matcher.is_active():
            expected[matcher.id() + offset] = matcher.score()
            matcher.next()
    phrase = planner.phrase_part(field, sets, slop, boost)
    docnums, scores = scoring._phrase(searcher, searcher.weighting, phrase, lambda: False)
    assert dict(zip(docnums.tolist(), scores.tolist(), strict=True)) == expected


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


def test_indexing_does_not_load_numpy_before_its_writer_processes_fork(tmp_path):
    """numpy is imported by the first search that needs it (``scoring``) and by
    the writer processes making a large segment (``streams``), never by
    ``frsearch index`` itself: loaded in the parent, its threads would be
    forked with it."""
    import subprocess
    import sys

    script = ("import sys, frsearch, frsearch.cli, frsearch.index, frsearch.streams\n"
              "print('numpy' in sys.modules)\n"
              "frsearch.index.PARALLEL_FROM_BYTES = 1\n"  # writer processes, even for the seeds
              "frsearch.streams.ARRAYS_FROM = 0\n"  # which make their postings with numpy
              f"ix = frsearch.open_index({str(tmp_path / 'ix')!r}, create=True)\n"
              "report = ix.add([frsearch.seeds_dir()])\n"
              "print('numpy' in sys.modules, report.passages)")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, cwd=ROOT).stdout.split()
    assert shown == ["False", "False", "46"]


def test_positions_are_read_at_once_as_the_codec_decodes_them_one_by_one():
    """Gaps of a byte and, past 255 words, of four, mixed in one read."""
    positions = CompactPositions()
    draw = random.Random(5)
    for _ in range(200):
        lists = [sorted(draw.sample(range(draw.choice([20, 300, 5000])), draw.randint(1, 8)))
                 for _ in range(draw.randint(1, 12))]
        values = [positions.encode(held) for held in lists]
        counts, found = scoring._decoded_positions(
            np.frombuffer(b"".join(values), np.uint8), np.array([len(v) for v in values]))
        assert counts.tolist() == [len(held) for held in lists]
        assert found.tolist() == [position for held in lists for position in held]
        assert found.tolist() == [p for value in values for p in positions.decode_positions(value)]
