"""Highlighting: which words of a passage matched, and a snippet around them.

The passage as written is analysed again with the same chain as at indexing,
so each token knows its term and its span in the original text. A word is
marked when its term is one the query searched for (for a phrase, only where
the phrase occurs; for ``prefix*``, any term so starting). The span starts after
an elided article: in ``l’Ukraine`` only ``Ukraine`` is marked.
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from frsearch.analysis import Token, normalize, tokenize

__all__ = [
    "PrefixPattern",
    "SequencePattern",
    "TermPattern",
    "make_snippet",
    "match_groups",
    "render",
]

MAX_WINDOWS_TRIED = 500
SNIPPET_CHARS = 240
"""About how long a snippet is; the whole passage when it is not much longer."""


class TermPattern(NamedTuple):
    """Any one of these terms."""

    terms: frozenset[str]

    def mark(self, tokens: Sequence[Token], marked: set[int]) -> None:
        for index, token in enumerate(tokens):
            if token.term in self.terms:
                marked.add(index)


class PrefixPattern(NamedTuple):
    """Any term starting with one of these prefixes."""

    prefixes: tuple[str, ...]

    def mark(self, tokens: Sequence[Token], marked: set[int]) -> None:
        for index, token in enumerate(tokens):
            if token.term.startswith(self.prefixes):
                marked.add(index)


class SequencePattern(NamedTuple):
    """A phrase: one term set per word, each word at most ``slop`` positions
    after the previous one (stop words between them count as positions)."""

    steps: tuple[frozenset[str], ...]
    slop: int = 1

    def mark(self, tokens: Sequence[Token], marked: set[int]) -> None:
        for first, token in enumerate(tokens):
            if token.term not in self.steps[0]:
                continue
            chain = [first]
            for step in self.steps[1:]:
                previous = tokens[chain[-1]]
                following = chain[-1] + 1
                if (
                    following < len(tokens)
                    and tokens[following].term in step
                    and 1 <= tokens[following].position - previous.position <= self.slop
                ):
                    chain.append(following)
                else:
                    break
            if len(chain) == len(self.steps):
                marked.update(chain)


Pattern = TermPattern | PrefixPattern | SequencePattern


def match_groups(
    text: str, groups: Sequence[Sequence[Pattern]]
) -> tuple[list[tuple[int, int]], list[bool]]:
    """Spans of every matched word of ``text``, and for each group of patterns
    (a query clause) whether it matched at all; the text is analysed once."""
    tokens = list(tokenize(normalize(text)))
    marked: set[int] = set()
    held = []
    for patterns in groups:
        before = len(marked)
        found: set[int] = set()
        for pattern in patterns:
            pattern.mark(tokens, found)
        marked |= found
        held.append(bool(found) or len(marked) > before)
    return [(tokens[index].start, tokens[index].end) for index in sorted(marked)], held


def _window(text: str, matches: Sequence[tuple[int, int]], size: int) -> tuple[int, int]:
    """The ``size``-character stretch of ``text`` holding the most matched words
    (distinct ones first), widened to word boundaries.

    Windows start a little before a match, or ``size`` before the end of the
    text, so that a match near the end still gets a full snippet; with
    thousands of matches (a word repeated through a huge passage) only a sample
    of them is tried.
    """
    if len(text) <= size + size // 4:
        return 0, len(text)
    starts = [start for start, _ in matches]
    ends = [end for _, end in matches]
    step = max(1, len(matches) // MAX_WINDOWS_TRIED)
    best = (-1, -1, 0)
    best_start = 0
    for first in range(0, len(matches), step):
        window_start = max(0, min(starts[first] - size // 5, len(text) - size))
        window_end = window_start + size
        # matches are sorted and disjoint: those inside are a slice
        inside = matches[bisect_left(starts, window_start):bisect_right(ends, window_end)]
        words = {text[s:e].lower() for s, e in inside}
        score = (len(words), len(inside), -window_start)
        if score > best:
            best, best_start = score, window_start
    start = best_start
    end = min(len(text), start + size)
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 40 else start
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space and space - end < 40 else end
    return start, end


def render(
    text: str,
    matches: Sequence[tuple[int, int]],
    mark: tuple[str, str],
    escape=html.escape,
    size: int = SNIPPET_CHARS,
) -> str:
    """The part of ``text`` around its best matches, each match wrapped in
    ``mark`` (an opening and a closing string), the rest passed through ``escape``.
    "…" shows where the passage was cut."""
    start, end = _window(text, matches, size)
    parts = ["…"] if start > 0 else []
    cursor = start
    for match_start, match_end in matches:
        if match_end <= start or match_start >= end:
            continue
        parts.append(escape(text[cursor:match_start]))
        parts.append(mark[0] + escape(text[match_start:match_end]) + mark[1])
        cursor = match_end
    parts.append(escape(text[cursor:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def make_snippet(text: str, matches: Sequence[tuple[int, int]], size: int = SNIPPET_CHARS) -> str:
    """HTML fragment of ``text`` around its best matches, matches in ``<mark>``.

    Everything but the ``<mark>`` tags is escaped, so a passage holding
    ``<script>`` shows it as text.

    >>> make_snippet("Biden menace Poutine de «fortes sanctions» & plus", [(32, 41)])
    'Biden menace Poutine de «fortes <mark>sanctions</mark>» &amp; plus'
    """
    return render(text, matches, ("<mark>", "</mark>"), html.escape, size)
