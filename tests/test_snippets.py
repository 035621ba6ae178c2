"""Where a snippet's window falls in a passage, and how it is marked and escaped,
on the seeds' own paragraphs."""

from __future__ import annotations

import html

import pytest
from seed_ids import A000, A001

from frsearch.analysis import analyze, tokenize
from frsearch.highlight import (
    SNIPPET_CHARS,
    TermPattern,
    _window,
    make_snippet,
    match_groups,
    render,
)

SIZE = SNIPPET_CHARS
LEAD = SIZE // 5
"""How far before its first match a window starts (before moving to a word start)."""
SLACK = 40
"""How far a window's ends may move to reach a space."""


def spans(text: str, *words: str) -> list[tuple[int, int]]:
    found, _ = match_groups(text, [[TermPattern(frozenset(analyze(word)))] for word in words])
    return found


def unmarked(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


@pytest.fixture(scope="module")
def passage(seed_passages):
    """001:6, 569 characters: 'D’après … sanctions … Biden … reste très floue.'"""
    text = seed_passages[f"{A001}:6"]
    assert len(text) > SIZE + SIZE // 4  # long enough to be cut
    return text


def test_a_short_passage_is_shown_whole(seed_passages):
    headline = seed_passages[f"{A000}:0"]
    assert make_snippet(headline, spans(headline, "sanctions")) == (
        "Sommet virtuel : Biden menace Poutine de «fortes <mark>sanctions</mark>» "
        "s’il attaque l’Ukraine")
    # up to a quarter longer than a snippet, a passage is still not cut
    assert _window("x" * (SIZE + SIZE // 4), [(0, 1)], SIZE) == (0, SIZE + SIZE // 4)


def test_a_match_at_the_start_opens_the_window(passage):
    matches = spans(passage, "D’après")
    assert [passage[s:e] for s, e in matches] == ["après"]
    start, end = _window(passage, matches, SIZE)
    assert start == 0 and SIZE <= end < SIZE + SLACK and passage[end] == " "
    snippet = make_snippet(passage, matches)
    assert snippet.startswith("D’<mark>après</mark> un haut responsable américain")
    assert snippet.endswith("…") and not snippet.startswith("…")


def test_a_match_in_the_middle_has_some_words_before_it(passage):
    (match,) = spans(passage, "sanctions")
    start, end = _window(passage, [match], SIZE)
    assert passage[start - 1] == " "  # a word start
    assert LEAD <= match[0] - start < LEAD + SLACK
    assert SIZE - SLACK < end - start < SIZE + SLACK
    snippet = make_snippet(passage, [match])
    assert snippet.startswith("…Etats-Unis et l’Europe prendront de lourdes et sévères "
                              "<mark>sanctions</mark> financières")
    assert snippet.endswith("…")


def test_a_match_at_the_end_still_gets_a_full_window(passage):
    matches = spans(passage, "floue")
    assert matches == [(len(passage) - 6, len(passage) - 1)]
    start, end = _window(passage, matches, SIZE)
    assert end == len(passage)
    assert SIZE - SLACK < end - start <= SIZE and passage[start - 1] == " "
    snippet = make_snippet(passage, matches)
    assert snippet.startswith("…") and snippet.endswith("très <mark>floue</mark>.")


def test_no_match_shows_the_start(passage):
    assert _window(passage, [], SIZE)[0] == 0
    assert make_snippet(passage, []).startswith("D’après un haut responsable")


def test_in_a_long_text_the_window_holds_the_most_distinct_words(seed_passages):
    # all of article 001 as one text: "Poutine" is everywhere, "experts" and
    # "bluffe" only in one sentence, 1,100 characters in
    text = " ".join(text for key, text in seed_passages.items() if key.startswith(A001))
    assert len(text) > 10 * SIZE
    matches = spans(text, "Poutine", "experts", "bluffe")
    start, end = _window(text, matches, SIZE)
    shown = {text[s:e] for s, e in matches if start <= s and e <= end}
    assert shown == {"Poutine", "experts", "bluffe"}
    assert "beaucoup pensent que Vladimir <mark>Poutine</mark> <mark>bluffe</mark>" in (
        make_snippet(text, matches))


def test_many_matches_in_a_huge_passage(passage):
    # a scraped page that repeats a paragraph: 40 copies, 120 matches
    text = " ".join([passage] * 40)
    matches = spans(text, "Europe", "Washington")
    assert len(matches) == 120
    start, end = _window(text, matches, SIZE)
    assert {text[s:e] for s, e in matches if start <= s and e <= end} == {"Europe", "Washington"}
    assert end - start < SIZE + 2 * SLACK


def test_everything_but_the_marks_is_escaped():
    text = ("Le Kremlin a publié un communiqué <script>alert('Poutine')</script> & "
            "a qualifié de \"provocation\" les <b>sanctions</b> annoncées par Washington.")
    snippet = make_snippet(text, spans(text, "Poutine", "sanctions"))
    assert snippet == (
        "Le Kremlin a publié un communiqué &lt;script&gt;alert(&#x27;<mark>Poutine</mark>"
        "&#x27;)&lt;/script&gt; &amp; a qualifié de &quot;provocation&quot; les "
        "&lt;b&gt;<mark>sanctions</mark>&lt;/b&gt; annoncées par Washington.")


def test_render_takes_any_marks_and_escaping(passage):
    matches = spans(passage, "Biden", "Poutine")
    shown = render(passage, matches, ("[", "]"), escape=str)
    start, end = _window(passage, matches, SIZE)
    assert shown == "…" + passage[start:end].replace("Joe Biden", "Joe [Biden]").replace(
        "Vladimir Poutine", "Vladimir [Poutine]") + "…"
    assert render(passage, matches, ("[", "]"), escape=str, size=2000).count("[") == 2


@pytest.mark.parametrize("size", [60, SIZE])
def test_every_word_of_every_seed_passage_gets_a_window_around_it(seed_passages, size):
    for text in seed_passages.values():
        for token in tokenize(text):
            match = (token.start, token.end)
            start, end = _window(text, [match], size)
            assert start <= match[0] and match[1] <= end, (text, match)
            # at a word's edge, unless the nearest space is too far
            before = text[max(0, start - SLACK + 1):start]
            assert start == 0 or text[start - 1] == " " or " " not in before
            assert end == len(text) or text[end] == " " or " " not in text[end:end + SLACK]
            snippet = make_snippet(text, [match], size)
            body = snippet.removeprefix("…") if start else snippet
            body = body.removesuffix("…") if end < len(text) else body
            assert unmarked(body) == text[start:end]
            assert f"<mark>{html.escape(text[match[0]:match[1]])}</mark>" in snippet
