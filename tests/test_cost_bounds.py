"""What a query may cost is bounded: a repeated clause counts once, a prefix
stands for at most ``MAX_PREFIX_TERMS`` words (the result names the prefixes
cut), and a search stops at its time budget with ``timed_out`` set. Also: an
index holding no passage answers every query with nothing, never an error."""

from __future__ import annotations

import inspect
import itertools
import json

import pytest
from whoosh.collectors import TopCollector

import frsearch
from frsearch import collapsing, execution, planning, results
from frsearch.planning import HELD_SCORE, Deadline, compile_query
from frsearch.query import MAX_WORDS, Prefix, Soft, Word, join_digit_groups, parse_query
from frsearch.scoring import top_passages

HANG = 60
"""Seconds after which a test counts as hung (a guard, not a speed claim)."""

KINDS = ["sanctions", "sanctions Poutine", "sanct*", '"lignes rouges"', '"à la fois"',
         "sanctions -Russie", "sanctions date:2021-12", "title:sanctions", "-Russie",
         "Kiev OR Kyiv", "(sanctions AND Russie) OR otan", "sanctons", "co* pr* re*"]
"""One query of each kind the compiler knows, both scoring paths among them."""


def _compiled(index, query: str, time_budget: float | None = None):
    reader = index._current_searcher().reader()
    return compile_query(parse_query(join_digit_groups(query)), reader, index.synonyms,
                         time_budget)


# -- repeated clauses --------------------------------------------------------------


@pytest.mark.parametrize("query, once", [
    ("sanctions sanctions sanctions", Word("sanctions")),
    ("pr* pr* pr* pr*", Prefix("pr")),
    ("sanctions Poutine sanctions", Soft((Word("sanctions"), Word("Poutine")))),
    ("otan OR otan", Word("otan")),
    ("(sanctions sanctions) (sanctions)", Word("sanctions")),
    ("sanc* " * 1666, Prefix("sanc")),
])
def test_a_repeated_clause_is_parsed_once(query, once):
    assert parse_query(query) == once


@pytest.mark.parametrize("repeated, once", [
    ("sanctions sanctions sanctions", "sanctions"),
    ("pr* pr* pr* pr*", "pr*"),
    ("PR* pr* Pr*", "pr*"),
    ("Sanctions sanction SANCTIONS", "sanctions"),
    ("sanctons sanctions", "sanctions"),  # the word typed right stays, not the typo's
    ("sanctions Poutine sanctions Poutine", "sanctions Poutine"),
])
def test_a_repeated_clause_costs_and_ranks_as_one_copy(seed_index, repeated, once):
    assert len(_compiled(seed_index, repeated).clauses) == len(_compiled(seed_index, once).clauses)
    expected = seed_index.search(once, limit=50, collapse=False)
    found = seed_index.search(repeated, limit=50, collapse=False)
    assert expected.total > 0 and found.total == expected.total
    assert [hit.passage_id for hit in found.hits] == [hit.passage_id for hit in expected.hits]
    assert [hit.score for hit in found.hits] == pytest.approx([hit.score for hit in expected.hits])


def test_a_quoted_phrase_and_its_lone_word_stay_two_clauses(seed_index):
    # "à la fois" is only "fois" to the index, but passages holding it word
    # for word rank first: it is not a repeat of the plain word
    compiled = _compiled(seed_index, '"à la fois" fois')
    assert len(compiled.clauses) == 2 and compiled.literals == ["a la fois"]


# -- prefixes ------------------------------------------------------------------------


def _prefix_terms(compiled) -> set[str]:
    """The terms of the passages' text that the query's one clause searches."""
    (clause,) = compiled.words
    return set(clause.held_by)


def test_words_past_the_limit_are_left_out_and_the_result_says_so(seed_index):
    fillers = " ".join(f"xyzzy{i}" for i in range(MAX_WORDS))
    cut = seed_index.search(f"{fillers} Poutine")
    assert cut.total == 0  # Poutine was the 101st word
    assert cut.warnings == ["the query's last word was left out: a search takes its first "
                            f"{MAX_WORDS} words"]
    assert seed_index.search(f"Poutine {fillers} Kremlin").total > 0
    assert not seed_index.search(" ".join(["Poutine"] * MAX_WORDS)).warnings
    long = seed_index.search("Poutine " + "é" * 20_000)
    assert long.total > 0 and long.warnings == ["the query was cut after 10,000 characters"]


@pytest.mark.parametrize("query", ["x*", "l’U*", "sanctions q*"])
def test_a_prefix_of_one_letter_is_searched_as_a_word_and_says_so(seed_index, query):
    short = query.split()[-1]
    assert seed_index.search(query).warnings == [
        f"{short} was searched as the word {short[:-1]}: a prefix needs 2 letters"]


def test_no_prefix_of_the_seeds_is_cut_by_default(seed_index):
    assert planning.MAX_PREFIX_TERMS >= 1000
    for query in ["re*", "co*", "pr*", "sanct*"]:
        result = seed_index.search(query)
        assert result.total > 0 and result.truncated_prefixes == ()
        assert not result.to_dict()["truncated_prefixes"]


def test_a_prefix_is_cut_to_its_commonest_words_and_says_so(seed_index, monkeypatch):
    reader = seed_index._current_searcher().reader()
    every = _prefix_terms(_compiled(seed_index, "re*"))
    assert len(every) > 20 and all(term.startswith("re") for term in every)
    monkeypatch.setattr(planning, "MAX_PREFIX_TERMS", 5)
    kept = _prefix_terms(_compiled(seed_index, "re*"))
    assert len(kept) == 5 and kept < every
    frequency = {term: reader.doc_frequency("text", term) for term in every}
    assert min(frequency[t] for t in kept) >= max(frequency[t] for t in every - kept)

    result = seed_index.search("Poutine re*", limit=50)
    assert result.truncated_prefixes == ("re*",) and not result.timed_out
    assert result.to_dict()["truncated_prefixes"] == ["re*"]
    marked = {term for hit in result.hits for start, end in hit.matches
              for term in frsearch.analyze(hit.text[start:end])}
    assert marked and marked <= kept | set(frsearch.analyze("Poutine"))  # what was searched


def test_a_cut_prefix_is_named_as_typed_once(seed_index, monkeypatch):
    monkeypatch.setattr(planning, "MAX_PREFIX_TERMS", 3)
    result = seed_index.search("RE* re* pr* sanct*")
    assert result.truncated_prefixes == ("RE*", "pr*")
    assert json.loads(json.dumps(result.to_dict()))["truncated_prefixes"] == ["RE*", "pr*"]


def test_the_prefixes_of_one_query_share_a_bound(seed_index, monkeypatch):
    """Whoosh builds a matcher per word before a deadline can stop it: many
    prefixes OR-ed overran the time budget by a second and a half."""
    every = {prefix: _prefix_terms(_compiled(seed_index, prefix)) for prefix in ("re*", "pr*")}
    monkeypatch.setattr(planning, "MAX_QUERY_PREFIX_TERMS", len(every["re*"]) + 3)
    first, second = (set(clause.held_by) for clause in _compiled(seed_index, "re* pr*").words)
    assert first == every["re*"] and len(second) == 3 and second < every["pr*"]
    result = seed_index.search("re* OR pr* OR co*")
    assert result.truncated_prefixes == ("pr*", "co*") and not result.timed_out


@pytest.mark.parametrize("many_terms", [planning.MANY_TERMS, 2])
@pytest.mark.parametrize("query", ["re*", "pr* co*", "sanct* Poutine", "co* -Russie"])
def test_prefixes_rank_as_whoosh_ranks_their_words(seed_index, monkeypatch, many_terms, query):
    """Prefix clauses take the posting-array path when the query allows; the
    same passages, order and scores as Whoosh's matchers (with the array
    matcher of long alternatives too: ``MANY_TERMS`` lowered to use it)."""
    monkeypatch.setattr(planning, "MANY_TERMS", many_terms)
    searcher = seed_index._current_searcher()
    compiled = _compiled(seed_index, query)
    collector = TopCollector(limit=300, usequality=False, replace=0)
    searcher.search_with_collector(compiled.query, collector)
    expected = [(hit.docnum, hit.score) for hit in collector.results()]
    assert expected
    if compiled.words is None:
        assert "-" in query  # exclusions take Whoosh's path: compare with the default Or
        monkeypatch.setattr(planning, "MANY_TERMS", 10**9)
        plain = TopCollector(limit=300, usequality=False, replace=0)
        searcher.search_with_collector(_compiled(seed_index, query).query, plain)
        ranked = [(hit.docnum, hit.score) for hit in plain.results()]
    else:
        ranked, total = top_passages(searcher, compiled.words, HELD_SCORE, 300)
        assert total == len(expected)
    assert [docnum for docnum, _ in ranked] == [docnum for docnum, _ in expected]
    assert [score for _, score in ranked] == pytest.approx([score for _, score in expected],
                                                           rel=1e-9)


# -- time budget ---------------------------------------------------------------------


def test_the_default_time_budget_is_the_documented_one():
    parameter = inspect.signature(frsearch.Index.search).parameters["time_budget"]
    assert parameter.default == planning.DEFAULT_TIME_BUDGET
    assert planning.DEFAULT_TIME_BUDGET >= 1


def test_a_deadline():
    assert Deadline(0).expired() and Deadline(-5).expired()
    never = Deadline(None)
    assert not never.expired() and not never.passed
    later = Deadline(3600)
    assert not later.expired() and not later.passed
    passed = Deadline(0)
    assert not passed.passed and passed.expired() and passed.passed


@pytest.mark.parametrize("query", KINDS)
def test_a_budget_of_zero_returns_at_once_with_the_flag(seed_index, query, time_limit):
    with time_limit(HANG):
        result = seed_index.search(query, time_budget=0)
    assert result.timed_out and result.to_dict()["timed_out"] is True
    assert result.total >= len(result.hits) and result.query == query
    json.dumps(result.to_dict())


@pytest.mark.parametrize("query", KINDS)
def test_a_search_in_time_is_not_flagged(seed_index, query):
    for budget in (planning.DEFAULT_TIME_BUDGET, None):
        result = seed_index.search(query, time_budget=budget)
        assert not result.timed_out and result.to_dict()["timed_out"] is False
    assert seed_index.search("sanctions").total == 4


def _expires_after(checks: int):
    """An ``expired`` that says yes from its ``checks + 1``-th call on: a budget
    counted in steps, so the test does not depend on the machine's speed."""
    calls = itertools.count()
    return lambda: next(calls) >= checks


def test_scoring_stops_between_blocks_and_ranks_what_it_has(seed_index):
    searcher = seed_index._current_searcher()
    compiled = _compiled(seed_index, "sanctions Poutine otan Ukraine re*")
    full, total = top_passages(searcher, compiled.words, HELD_SCORE, 500)
    assert top_passages(searcher, compiled.words, HELD_SCORE, 500, _expires_after(0)) == ([], 0)
    counts = []
    for checks in range(1, 40):
        ranked, found = top_passages(searcher, compiled.words, HELD_SCORE, 500,
                                     _expires_after(checks))
        assert len(ranked) == found <= total
        assert {docnum for docnum, _ in ranked} <= {docnum for docnum, _ in full}
        assert [score for _, score in ranked] == sorted((s for _, s in ranked), reverse=True)
        counts.append(found)
    assert counts == sorted(counts)  # more steps, more found
    assert any(0 < count < total for count in counts)  # stopped halfway: what it had
    assert top_passages(searcher, compiled.words, HELD_SCORE, 500,
                        _expires_after(10**6)) == (full, total)


def test_the_whoosh_collector_stops_at_the_deadline(seed_index):
    searcher = seed_index._current_searcher()
    compiled = _compiled(seed_index, "sanctions -Russie", time_budget=None)
    collector = execution.collector(compiled.deadline, 50)
    searcher.search_with_collector(compiled.query, collector)
    assert len(collector.results()) > 0
    late = _compiled(seed_index, "sanctions -Russie", time_budget=3600)
    late.deadline = Deadline(0)  # compiled in time, out of time to run
    stopped = execution.collector(late.deadline, 50)
    searcher.search_with_collector(late.query, stopped)
    assert len(stopped.results()) == 0 and late.deadline.passed


WIRE = ("Les ministres des Finances du G7 ont annoncé de nouvelles sanctions contre les "
        "banques russes, qui ne pourront plus accéder au système de paiement international.")


@pytest.fixture(scope="module")
def wire_copy_index(tmp_path_factory):
    """The same wire copy in four articles, and two passages of their own."""
    root = tmp_path_factory.mktemp("wire")
    corpus = root / "wire.jsonl"
    records = [{"id": f"copie-{n}", "title": f"Dépêche {n}", "paragraphs": [WIRE]}
               for n in range(4)]
    records.append({"id": "propre", "title": "Analyse", "paragraphs": [
        "Les sanctions frappent d'abord les banques régionales.",
        "Les banques russes cherchent d'autres circuits de paiement."]})
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                      encoding="utf-8")
    index = frsearch.open_index(root / "index", create=True)
    index.add([corpus])
    yield index
    index.close()


def _candidates(index, compiled) -> list[results.Found]:
    """The passages the query ranks, as ``Index.search`` hands them to ``collapsing``."""
    searcher = index._current_searcher()
    ranked, total = top_passages(searcher, compiled.words, HELD_SCORE, 30)
    ranking = execution.Ranking(ranked, total, execution.StoredPassages(searcher))
    return results.found(ranking, compiled.patterns)


def test_past_the_deadline_hits_are_shown_as_they_rank(wire_copy_index):
    """No more passages are read to be compared: the next ones fill the page."""
    compiled = _compiled(wire_copy_index, "sanctions banques russes")
    grouped = collapsing.collapse(_candidates(wire_copy_index, compiled), 3, True,
                                  compiled.deadline.expired)
    assert len(grouped[0].duplicates) == 3 and grouped[0].text == WIRE
    compiled.deadline = Deadline(0)
    shown = collapsing.collapse(_candidates(wire_copy_index, compiled), 3, True,
                                compiled.deadline.expired)
    assert len(shown) == 3 and not any(hit.duplicates for hit in shown)
    assert [hit.passage_id for hit in shown[:1]] == [grouped[0].passage_id]
    assert [hit.score for hit in shown] == sorted((hit.score for hit in shown), reverse=True)


# -- an index holding nothing --------------------------------------------------------


@pytest.fixture(scope="module")
def empty_indexes(tmp_path_factory):
    """An index just created, and one after adding a folder with no articles."""
    root = tmp_path_factory.mktemp("empty")
    created = frsearch.open_index(root / "created", create=True)
    (root / "nothing").mkdir()
    emptied = frsearch.open_index(root / "added", create=True)
    report = emptied.add([root / "nothing"])
    assert report.passages == 0
    yield [created, frsearch.open_index(root / "added")]
    created.close()
    emptied.close()


@pytest.mark.parametrize("query", KINDS + ["", "*", "NOT", "sanctions " * 1000])
def test_an_empty_index_finds_nothing_without_error(empty_indexes, query):
    for index in empty_indexes:
        for budget in (None, 0):
            result = index.search(query, time_budget=budget)
            assert result.total == 0 and result.hits == []
            json.dumps(result.to_dict())


def test_the_command_line_answers_on_an_empty_index(empty_indexes, cli):
    folder = empty_indexes[0].path
    done = cli("query", "sanctions", "--index", str(folder), "--json")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr.lower()
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["total"] == 0
