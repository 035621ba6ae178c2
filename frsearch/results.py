"""Results, the third stage of a search: the ranked passages as hits, with
what a reader needs to show them (stored fields, the spans of the words that
matched, a snippet), and the result model callers receive.

A hit is built only when asked for: a page is filled from more passages than
it shows (``collapsing`` skips near-duplicates), and highlighting is the
costly part. The score a hit shows is the score it was ranked by.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import overload

from frsearch.duplicates import is_comparable
from frsearch.execution import Ranking, StoredPassages
from frsearch.highlight import Pattern
from frsearch.indexing import StoredPassage

__all__ = ["ArticleHit", "Duplicate", "Found", "Hit", "Ranked", "SearchResult", "found"]

OFFSET_UNITS = ("codepoints", "utf16")
"""What a match's offsets may count in ``SearchResult.to_dict``."""
# Characters that JavaScript's UTF-16 strings hold as two code units.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


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

    def to_dict(self, max_text_chars: int | None = None, offsets: str = "codepoints") -> dict:
        """The hit as JSON data: with ``max_text_chars``, ``text`` (and each
        duplicate's) cut to that many characters (0: whole; ``text_truncated``
        says if it was cut, and matches beyond are left out); match offsets in
        ``offsets`` units."""
        data = self._as_dict()
        if max_text_chars is not None:
            for duplicate in data["duplicates"]:
                _cap_text(duplicate, max_text_chars)
            _cap_text(data, max_text_chars)
        if offsets == "utf16":
            data["matches"] = _utf16_spans(data["text"], data["matches"])
        return data

    def _as_dict(self) -> dict:
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
class ArticleHit:
    """An article found (``Index.search(group="article")``): ranked by its
    best passage, shown with its best passages."""

    article_id: str
    title: str
    date: str | None
    source: str
    """The file it was read from, as an absolute path."""
    meta: dict
    """Its other JSON Lines fields (``url``, ``author``, ``tags``…)."""
    score: float
    """Its best passage's score."""
    passages: list[Hit]
    """Its best passages (at most ``collapsing.PASSAGES_PER_ARTICLE``), best
    first (equal scores in paragraph order), highlighted."""
    matched: int
    """How many of its passages the query matched."""

    def to_dict(self, max_text_chars: int | None = None, offsets: str = "codepoints") -> dict:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "date": self.date,
            "source": self.source,
            "meta": self.meta,
            "score": round(self.score, 4),
            "matched": self.matched,
            "passages": [hit.to_dict(max_text_chars, offsets) for hit in self.passages],
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a query found: a page of ``hits`` (or of ``articles``), from
    ``offset`` on, in the order ``sort`` asks, of ``total`` in all.

    ``total`` counts what the pages list, so that the last page ends at it:
    passages (``collapse=False``); hits once near-duplicates are grouped under
    the best-ranked (the default, see ``collapsing.GROUPED_WITHIN``); articles
    (``group="article"``). ``total_passages`` counts the passages matched."""

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
    offset: int = 0
    """How many hits (articles, with ``group="article"``) come before this page."""
    sort: str = "relevance"
    """``relevance``, ``date`` (oldest first) or ``-date`` (newest first)."""
    total_passages: int = 0
    """How many passages the query matched, before any grouping."""
    warnings: list[str] = field(default_factory=list)
    """What of the query or the options was left out, and why (an unknown
    field, a malformed date): the search ran without it."""
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    """For each facet asked for, its values over all the matches (not only
    this page) and how many passages hold each (articles, when grouped by
    article): months (``YYYY-MM``, a date of only ``YYYY`` counted under
    ``YYYY``) in order, other fields most frequent first."""
    articles: list[ArticleHit] | None = None
    """With ``group="article"``: the page of articles (``hits`` is then empty)."""

    def to_dict(self, max_text_chars: int | None = None, offsets: str = "codepoints") -> dict:
        """The result as JSON data, what ``frsearch query --json`` prints (and an
        HTTP server may answer): with ``max_text_chars``, each passage's text
        cut to that many characters (0: no cap; ``text_truncated`` says which
        were cut, and their matches beyond the cut are left out); match offsets
        counted in Unicode code points or, with ``offsets="utf16"``, in UTF-16
        code units, as JavaScript indexes strings."""
        if offsets not in OFFSET_UNITS:
            raise ValueError(f"offsets must be one of {', '.join(OFFSET_UNITS)}")
        data = {
            "query": self.query,
            "total": self.total,
            "total_passages": self.total_passages,
            "offset": self.offset,
            "sort": self.sort,
            "hits": [hit.to_dict(max_text_chars, offsets) for hit in self.hits],
            "suggestion": self.suggestion,
            "timed_out": self.timed_out,
            "truncated_prefixes": list(self.truncated_prefixes),
            "warnings": list(self.warnings),
            "facets": {name: [[value, count] for value, count in counts]
                       for name, counts in self.facets.items()},
        }
        if self.articles is not None:
            data["articles"] = [article.to_dict(max_text_chars, offsets)
                                for article in self.articles]
        return data


def _cap_text(record: dict, max_chars: int) -> None:
    """Cut ``record``'s text to ``max_chars`` characters (0: no cap), keeping
    only the matches that end inside it, so that every offset stays valid for
    the text given; ``text_truncated`` says whether it was cut."""
    cut = 0 < max_chars < len(record["text"])
    if cut:
        record["text"] = record["text"][:max_chars]
        if "matches" in record:
            record["matches"] = [span for span in record["matches"] if span[1] <= max_chars]
    record["text_truncated"] = cut


def _utf16_spans(text: str, spans: list[list[int]]) -> list[list[int]]:
    """``spans`` of ``text`` counted in UTF-16 code units, as JavaScript indexes
    its strings: each character before an offset that lies beyond the Basic
    Multilingual Plane (an emoji, 𝔉) counts two."""
    astral = [found.start() for found in _ASTRAL.finditer(text)]
    if not astral:
        return spans
    return [[offset + bisect_left(astral, offset) for offset in span] for span in spans]


class Found:
    """A ranked passage, which becomes a hit if shown. Its stored fields are
    read on first use: most passages fetched to fill a page are neither shown
    nor compared word for word; its sketch too (a deep page past the passages
    grouped compares none)."""

    __slots__ = ("_comparable", "_passages", "_patterns", "_sketch", "docnum", "score")

    def __init__(self, docnum: int, score: float, passages: StoredPassages,
                 patterns: tuple[tuple[Pattern, ...], ...]):
        self.docnum = docnum
        self.score = score
        self._sketch: bytes | None = None
        self._comparable: bool | None = None
        self._passages = passages
        self._patterns = patterns

    @property
    def sketch(self) -> bytes:
        """Its MinHash sketch (see ``duplicates``)."""
        if self._sketch is None:
            self._sketch = self._passages.sketch(self.docnum)
        return self._sketch

    @property
    def comparable(self) -> bool:
        """Long enough to be told a near-duplicate (see ``duplicates``)."""
        if self._comparable is None:
            self._comparable = is_comparable(self.sketch)
        return self._comparable

    @property
    def stored(self) -> StoredPassage:
        return self._passages[self.docnum]

    def hit(self, duplicates: Sequence[Found] = ()) -> Hit:
        """This passage as a hit, its matched words marked, ``duplicates`` under it."""
        stored = self.stored
        matches, snippet = self._passages.highlighted(self.docnum, self._patterns)
        return Hit(
            passage_id=stored.passage_id,
            article_id=stored.article_id,
            title=stored.title,
            date=stored.date,
            paragraph=stored.paragraph,
            heading=stored.heading,
            score=self.score,
            text=stored.text,
            matches=list(matches),
            snippet=snippet,
            duplicates=[copy.duplicate() for copy in duplicates],
            source=stored.source,
            meta=dict(stored.meta or {}),
        )

    def duplicate(self) -> Duplicate:
        stored = self.stored
        return Duplicate(stored.passage_id, stored.article_id, stored.title, stored.text)


class Ranked(Sequence[Found]):
    """The ranked passages as ``Found``, each made when first asked for (and
    the same one after): a page groups its first two hundred, but the groups
    of a query asked again are kept (``collapsing.page``), and then only the
    passages shown are made."""

    __slots__ = ("_made", "_marks", "_passages", "_ranked")

    def __init__(self, ranked: list[tuple[int, float]], passages: StoredPassages,
                 marks: tuple[tuple[Pattern, ...], ...]) -> None:
        self._ranked = ranked
        self._passages = passages
        self._marks = marks
        self._made: dict[int, Found] = {}

    def docnums(self, count: int) -> tuple[int, ...]:
        """The document numbers of the first ``count``, no ``Found`` made."""
        return tuple([docnum for docnum, _ in self._ranked[:count]])

    def __len__(self) -> int:
        return len(self._ranked)

    @overload
    def __getitem__(self, at: int) -> Found: ...

    @overload
    def __getitem__(self, at: slice) -> list[Found]: ...

    def __getitem__(self, at: int | slice) -> Found | list[Found]:
        if isinstance(at, slice):
            get = self._made.get
            return [get(index) or self._make(index)
                    for index in range(*at.indices(len(self._ranked)))]
        if at < 0:
            at += len(self._ranked)
        return self._made.get(at) or self._make(at)

    def _make(self, at: int) -> Found:
        docnum, score = self._ranked[at]  # IndexError past the end, as a list's
        made = self._made[at] = Found(docnum, score, self._passages, self._marks)
        return made


def found(ranking: Ranking, patterns: Sequence[Sequence[Pattern]]) -> Ranked:
    """The ranked passages, in rank order, each to be marked with ``patterns``
    (a plan's, one group a clause) when it is shown."""
    marks = tuple(map(tuple, patterns))  # hashable: highlights are kept by them
    return Ranked(ranking.ranked, ranking.passages, marks)
