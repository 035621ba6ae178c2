"""Results, the third stage of a search: the ranked passages as hits, with
what a reader needs to show them (stored fields, the spans of the words that
matched, a snippet), and the result model callers receive.

A hit is built only when asked for: a page is filled from more passages than
it shows (``collapsing`` skips near-duplicates), and highlighting is the
costly part. The score a hit shows is the score it was ranked by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from frsearch.duplicates import is_comparable
from frsearch.execution import Ranking, StoredPassages
from frsearch.highlight import Pattern, make_snippet, match_groups
from frsearch.indexing import StoredPassage

__all__ = ["Duplicate", "Found", "Hit", "SearchResult", "found"]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A passage grouped under a hit because it says nearly the same thing."""

    passage_id: str
    article_id: str
    title: str
    text: str

    def to_dict(self) -> dict:
        return {"passage_id": self.passage_id, "article_id": self.article_id,
                "title": self.title, "text": self.text}


@dataclass(frozen=True, slots=True)
class Hit:
    """One passage found, with what a reader needs to show it."""

    passage_id: str
    article_id: str
    title: str
    date: str | None
    paragraph: int
    heading: str | None
    score: float
    """The score the passage was ranked by, so no hit below it shows more:
    its BM25F scaled by the share of the query it holds, plus the bonuses
    ``planning`` describes (``sanctions`` alone scores up to about 6.5 on the
    seeds)."""
    text: str
    matches: list[tuple[int, int]]
    """``[start, end)`` spans in ``text`` of every word that matched."""
    snippet: str
    """HTML: the text around the best matches, matches in ``<mark>``, the rest escaped."""
    duplicates: list[Duplicate] = field(default_factory=list)
    """Near-duplicates of this passage (wire copy in other articles), grouped under it."""
    source: str = ""
    """The file its article was read from, as an absolute path."""
    meta: dict = field(default_factory=dict)
    """The article's other JSON Lines fields (``url``, ``author``, ``tags``…)."""

    def to_dict(self) -> dict:
        return {
            "passage_id": self.passage_id,
            "article_id": self.article_id,
            "title": self.title,
            "date": self.date,
            "paragraph": self.paragraph,
            "heading": self.heading,
            "score": round(self.score, 4),
            "text": self.text,
            "matches": [list(span) for span in self.matches],
            "snippet": self.snippet,
            "duplicates": [duplicate.to_dict() for duplicate in self.duplicates],
            "source": self.source,
            "meta": self.meta,
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The passages a query found: ``total`` in all, the best ``hits`` first."""

    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None = None
    timed_out: bool = False
    """The search ran out of its time budget: ``hits`` and ``total`` are what it
    had found by then (a search that finished in time may still be incomplete
    only through ``truncated_prefixes``)."""
    truncated_prefixes: tuple[str, ...] = ()
    """Each ``prefix*`` of the query, as typed, that starts more than
    ``planning.MAX_PREFIX_TERMS`` words of the index: only its commonest words
    were searched (``("pr*",)``); make it longer to reach the others."""

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "hits": [hit.to_dict() for hit in self.hits],
            "suggestion": self.suggestion,
            "timed_out": self.timed_out,
            "truncated_prefixes": list(self.truncated_prefixes),
        }


class Found:
    """A ranked passage, which becomes a hit if shown. Its stored fields are
    read on first use: most passages fetched to fill a page are neither shown
    nor compared word for word."""

    __slots__ = ("_passages", "_patterns", "comparable", "docnum", "score", "sketch")

    def __init__(self, docnum: int, score: float, passages: StoredPassages,
                 patterns: Sequence[Sequence[Pattern]]):
        self.docnum = docnum
        self.score = score
        self.sketch = passages.sketch(docnum)
        self.comparable = is_comparable(self.sketch)
        """Long enough to be told a near-duplicate (see ``duplicates``)."""
        self._passages = passages
        self._patterns = patterns

    @property
    def stored(self) -> StoredPassage:
        return self._passages[self.docnum]

    def hit(self, duplicates: Sequence[Found] = ()) -> Hit:
        """This passage as a hit, its matched words marked, ``duplicates`` under it."""
        stored = self.stored
        matches, _ = match_groups(stored.text, self._patterns)
        return Hit(
            passage_id=stored.passage_id,
            article_id=stored.article_id,
            title=stored.title,
            date=stored.date,
            paragraph=stored.paragraph,
            heading=stored.heading,
            score=self.score,
            text=stored.text,
            matches=matches,
            snippet=make_snippet(stored.text, matches),
            duplicates=[copy.duplicate() for copy in duplicates],
            source=stored.source,
            meta=dict(stored.meta or {}),
        )

    def duplicate(self) -> Duplicate:
        stored = self.stored
        return Duplicate(stored.passage_id, stored.article_id, stored.title, stored.text)


def found(ranking: Ranking, patterns: Sequence[Sequence[Pattern]]) -> list[Found]:
    """The ranked passages, in rank order, each to be marked with ``patterns``
    (a plan's, one group a clause) when it is shown."""
    return [Found(docnum, score, ranking.passages, patterns)
            for docnum, score in ranking.ranked]
