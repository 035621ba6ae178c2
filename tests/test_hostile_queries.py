"""Hostile queries: whatever is typed, the answer is results or a clear message,
never a traceback, and ``--json`` output is always valid JSON."""

from __future__ import annotations

import json
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import frsearch

HANG = 60
"""Seconds after which a test counts as hung. Not a speed claim: speed is
measured in benchmarks/, these only keep a pathological case from stalling CI."""

HOSTILE = [
    # quotes and brackets that do not balance
    '"', '"sanctions', 'sanctions"', '""', '« lignes rouges', '»', '“Biden', '„', "'", "l'",
    "(", ")", "((a", "a))", ")(", "(sanctions", "sanctions)", "()", "(((())))",
    # operators with nothing to apply to
    "AND", "OR", "NOT", "OR OR", "AND AND AND", "NOT NOT", "sanctions AND", "OR Poutine",
    "AND OR NOT", "a AND AND b", "(OR)", "NOT (", "-", "--", "- -", "-(", "sanctions -",
    # other engines' syntax
    "*", "**", "*sanctions", "sanc*", "0*", "_*", "é*", "?", "sanc?ions", "~", "sanctions~",
    "sanctions~2", "^2", "sanctions^2", "+sanctions", "!sanctions", "&&", "||",
    "title:", "titre:", "date:", 'title:"', "title:()", "title:title:title:", "date:*",
    "date:2021-13-45", "date:'", "text:foo", "*:*", "_id:1", "[a TO", "[a TO b]", "{a TO b}",
    "/regex/", "\\", "\\\\", '\\"', "C:\\Users\\élève", "http://example.com/a?b=c&d=e#f",
    "<script>alert(1)</script>", "%s%n%x", "{0}", "'; DROP TABLE passages; --", "$(id)",
    # control and invisible characters
    "\x01\x02\x1b[31m", "\t\n\r", "\x7f", "\x85", "\u200b", "\u202e", "\ufeff", "\ufffd",
    "\u0301", "e\u0301le\u0300ve", "\u2028", "\U000e0001",
    # emoji and letters outside French
    "😀", "🇫🇷 sanctions", "👍🏽👨‍👩‍👧", "𝕊𝕒𝕟𝕔𝕥𝕚𝕠𝕟𝕤", "ﬁn", "ß", "İstanbul", "Ω", "١٢٣", "²", "ǅ",
    "Ⅻ", "漢字", "مرحبا",
    # empty and long
    "", " ", " \u00a0 \u202f ",
    "sanctions " * 1000,
    ("Poutine Biden sanctions Ukraine invasion " * 250)[:10_000],
    "(" * 5000 + "sanctions" + ")" * 4991,
    "(sanctions " * 1000,
    "NOT " * 2500,
    "-(" * 5000,
    "(Poutine OR " * 833,
    '"' * 10_000,
    "-" * 10_000,
    "sanc* " * 1666,
    " ".join(consonant + vowel + "*" for consonant in "bcdfgmprst" for vowel in "aeiou"),
    "title:" * 1666,
    "sanctions " * 20_000,  # cut at 10 000 characters
]
# One or two of each kind: each costs a process (argv holds neither NUL nor 128 KiB).
CLI_QUERIES = [
    '"sanctions', "« lignes rouges", "((a", ")(", "AND", "OR OR", "NOT", "sanctions -", "*",
    "~", "^2", "sanctions~2", "title:", "date:*", "[a TO", "\\", "C:\\Users\\élève",
    "<script>alert(1)</script>", "\x01\x02\x1b[31m", "\u202e", "e\u0301le\u0300ve", "😀",
    "🇫🇷 sanctions", "", " ", "sanctions " * 1000, "(" * 5000 + "sanctions", "NOT " * 2500,
    "-" * 10_000,
]


def _check(result: frsearch.SearchResult, limit: int = 10) -> None:
    assert result.total >= len(result.hits) and len(result.hits) <= limit
    json.dumps(result.to_dict())
    for hit in result.hits:
        assert all(0 <= start < end <= len(hit.text) for start, end in hit.matches)
        bare = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in bare and ">" not in bare


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:24]))
def test_library_answers_any_query(seed_index, query, time_limit):
    with time_limit(HANG):
        result = seed_index.search(query)
    _check(result)
    assert result.query == query


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:24]))
def test_library_answers_any_query_without_time(seed_index, query, time_limit):
    with time_limit(HANG):
        result = seed_index.search(query, time_budget=0)
    _check(result)
    assert result.timed_out or result.total == 0  # nothing to search needs no time


def test_known_queries_still_find_what_they_should(seed_index):
    assert seed_index.search('"sanctions').total == seed_index.search("sanctions").total > 0
    assert seed_index.search("sanctions)").total == seed_index.search("sanctions").total
    assert seed_index.search("(" * 5000 + "sanctions").total > 0  # nesting beyond any stack
    assert seed_index.search("sanctions " * 1000).total > 0
    assert seed_index.search("sanctions " * 20_000).total > 0


def test_cli_json_is_valid_for_any_query(cli, seed_index_folder):
    def ask(query: str):
        return query, cli("query", "--index", str(seed_index_folder), "--json", "--", query,
                          timeout=60)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(ask, CLI_QUERIES))
    for query, done in answers:
        assert "Traceback" not in done.stderr, (query, done.stderr)
        assert done.returncode in (0, 1), (query, done.returncode, done.stderr)
        payload = json.loads(done.stdout)
        assert payload["query"] == query.strip() and payload["total"] >= len(payload["hits"])


def test_cli_text_output_for_hostile_queries(cli, seed_index_folder):
    queries = ["(", '"', "NOT", "title:", "\x1b[31m", "😀", "", "sanctions -Russie",
               "(" * 5000, "sanctions " * 1000]

    def ask(query: str):
        return query, cli("query", "--index", str(seed_index_folder), "--", query, timeout=60)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for query, done in pool.map(ask, queries):
            assert done.returncode in (0, 1) and "Traceback" not in done.stderr, query
            assert " passage" in done.stdout.splitlines()[0]


def test_dash_words_exclude_at_the_command_line(cli, seed_index_folder):
    both = cli("query", "sanctions", "--index", str(seed_index_folder), "--json")
    without = cli("query", "sanctions", "-Russie", "--index", str(seed_index_folder), "--json")
    leading = cli("query", "-Russie", "sanctions", "--index", str(seed_index_folder), "--json")
    assert without.returncode == 0, without.stderr
    kept = json.loads(without.stdout)
    assert kept == json.loads(leading.stdout) | {"query": "sanctions -Russie"}
    assert 0 < kept["total"] < json.loads(both.stdout)["total"]
    assert all("russ" not in hit["text"].lower() for hit in kept["hits"])


def test_bytes_that_are_not_utf8_give_valid_json(cli, seed_index_folder):
    done = cli("query", "--index", str(seed_index_folder), "--json", "--", b"sanctions \xff\xfe",
               text=False)
    assert done.returncode in (0, 1), done.stderr
    payload = json.loads(done.stdout.decode("utf-8"))
    assert payload["query"] == "sanctions \ufffd\ufffd" and payload["hits"]


@pytest.mark.parametrize("arguments", [
    ["--limit", "0", "sanctions"], ["--limit", "abc", "sanctions"], ["--limit", "-5", "x"],
    [], ["--json"], ["--nonsense", "x"],
])
def test_bad_options_give_a_message_not_a_traceback(cli, seed_index_folder, arguments):
    # a real process: the entry point too must turn them into one line and exit 2
    done = cli("query", "--index", str(seed_index_folder), *arguments)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("frsearch")


def test_a_huge_limit_is_no_error(cli, seed_index_folder):
    done = cli("query", "--index", str(seed_index_folder), "--limit", "999999999", "sanctions")
    assert done.returncode == 0 and done.stdout.startswith("4 passages for 'sanctions'")


@pytest.mark.parametrize("query", ["x" * 10_000, "é" * 10_000])
def test_one_giant_word_is_answered(seed_index, query, time_limit):
    with time_limit(HANG):
        _check(seed_index.search(query))


# -- properties -------------------------------------------------------------------

FRENCH = st.sampled_from(
    "sanctions Poutine Biden Ukraine invasion crise lignes rouges Genève l’Ukraine "
    "qu’il États-Unis 13 000 2021-12 élève cœur".split())
SYNTAX = st.sampled_from(
    ["AND", "OR", "NOT", "-", "(", ")", '"', "«", "»", "*", "~", "^2", "title:", "titre:",
     "date:", ":", "\\", "[", "TO", "]", "{", "}", "'", "’", "\x00", "\x1b", "😀", " "])
QUERIES = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(FRENCH, SYNTAX, st.text(max_size=6)), max_size=12).map(" ".join),
    st.lists(st.one_of(FRENCH, SYNTAX), max_size=20).map("".join),
)
FEW = settings(max_examples=150, deadline=None, database=None,
               suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(st.text(max_size=200))
def test_analyze_any_text(text):
    terms = frsearch.analyze(text)
    assert all(isinstance(term, str) and term and not any(ch.isspace() for ch in term)
               for term in terms)
    assert all(term == term.lower() for term in terms)
    assert frsearch.analyze(text) == terms
    assert frsearch.analyze(unicodedata.normalize("NFD", text)) == terms


@FEW
@given(QUERIES)
def test_a_plain_space_always_ends_a_word(text):
    # the parser cuts a query at spaces and each piece is analysed alone: that
    # must give the terms of the whole (a plain space joins no number: "en 2014 000")
    pieces = [term for piece in text.split(" ") for term in frsearch.analyze(piece)]
    assert frsearch.analyze(text) == pieces


@FEW
@given(QUERIES, st.integers(min_value=1, max_value=30))
def test_search_any_query(seed_index, query, limit):
    _check(seed_index.search(query, limit=limit), limit)
