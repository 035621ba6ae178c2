"""Long passages on a terminal: shortened around their matches, folded to the
width, marks that take no room (``terminal.excerpt``, ``terminal.marked_lines``)."""

from __future__ import annotations

import re

import pytest

from frsearch.terminal import ELLIPSIS, excerpt, marked_lines

MARK = ("\x1b[1;33m", "\x1b[0m")
QUERIES = ["sanctions", "Poutine", "Etats-Unis", "frontière ukrainienne", "Situation Room"]


def visible(line: str) -> str:
    return line.replace(MARK[0], "").replace(MARK[1], "")


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("width", [60, 100])
def test_lines_fit_the_width_and_show_the_text_as_written(seed_index, query, width):
    for hit in seed_index.search(query, limit=10).hits:
        parts = excerpt(hit.text, hit.matches)
        lines = marked_lines(hit.text, hit.matches, MARK, width, "   ", parts)
        assert all(len(visible(line)) <= width for line in lines)
        shown = " ".join(visible(line).strip() for line in lines)
        # every fragment between the […] is the passage's own text
        for fragment in (f.strip() for f in shown.split(ELLIPSIS)):
            if fragment:
                assert " ".join(fragment.split()) in " ".join(hit.text.split())


@pytest.mark.parametrize("query", QUERIES)
def test_every_match_shown_is_marked_and_nothing_else(seed_index, query):
    for hit in seed_index.search(query, limit=10).hits:
        parts = excerpt(hit.text, hit.matches)
        lines = marked_lines(hit.text, hit.matches, MARK, 100, "", parts)
        marked = re.findall(re.escape(MARK[0]) + "(.*?)" + re.escape(MARK[1]), "\n".join(lines))
        expected = [hit.text[s:e] for s, e in hit.matches
                    if any(ps <= s and e <= pe for ps, pe in parts)]
        # a match folded over two lines is marked on each
        assert " ".join(marked).split() == " ".join(expected).split()
        assert expected  # the excerpt shows at least one match


def test_a_long_passage_keeps_the_sentences_that_match(seed_passages):
    text = seed_passages["002_5304680d689b3a2e:3"]
    matches = [(m.start(), m.end()) for m in re.finditer("sanctions", text)]
    parts = excerpt(text, matches)
    assert len(parts) == 2 and all(
        any(ps <= s < pe for s, _ in matches) for ps, pe in parts)
    assert sum(e - s for s, e in parts) < len(text)


def test_a_short_passage_is_shown_whole_and_control_characters_are_inert():
    text = "Le Kremlin\x1b]0;piégé\x07 dément toute invasion \u202eesuoh."
    at = text.index("invasion")
    (line,) = marked_lines(text, [(at, at + 8)], ("**", "**"), 100, "", excerpt(text, []))
    assert line == "Le Kremlin␛]0;piégé␇ dément toute **invasion** esuoh."
