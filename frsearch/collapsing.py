"""Collapsing, the last stage of a search: near-duplicate passages (wire copy
repeated across articles) grouped under the best-ranked of them, and the page
of hits cut from the rest in rank order; or the passages grouped by article.

Near-duplicates are looked for among a query's first ``GROUPED_WITHIN``
passages (in the order asked for); each passage below them is a hit of its
own. So the number of hits is known without comparing every passage of a
query that matches a hundred thousand, pages stay consistent (a page starts
where the one before ended, the last one ends at ``total``), and a deep page
costs no more than the window. Within it, a passage is compared only with the
groups whose sketches share a band with its own (``_Groups``), not with every
group before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from frsearch.catalog import Kept
from frsearch.duplicates import (
    BINS,
    EMPTY_BIN,
    MIN_SIMILARITY,
    are_near_duplicates,
    is_comparable,
)
from frsearch.execution import StoredPassages
from frsearch.highlight import Pattern
from frsearch.results import ArticleHit, Found, Hit, Ranked

__all__ = ["GROUPED_WITHIN", "PASSAGES_PER_ARTICLE", "Page", "by_article", "collapse", "page"]

GROUPED_WITHIN = 200
"""Passages of a query, in the order asked for, among which near-duplicates
are grouped: twenty pages of ten hits at the least. Grouping them all is what
makes ``total`` exact on page 1; on 10 MB of the Littré, page 1 of a common
word (``homme``, 2,310 passages) takes about what it took when the 40
passages that filled it were grouped (7.2 ms against 7.0 ms); a window of
1,000 took 25 to 40 ms."""
PASSAGES_PER_ARTICLE = 3
"""Passages shown under an article found (``group="article"``)."""

_BAND = 2
"""Bins per band. Two sketches alike enough (``duplicates.MIN_SIMILARITY`` of
the filled bins of the fuller one) with 12 bins filled or more agree on 9 bins
at least, so on both bins of one of the 8 bands; with fewer filled (8 to 11),
on 6 bins at least, so on one bin: those are also looked up bin by bin."""
_FULL = 12
"""Filled bins from which band lookups alone find every near-duplicate."""
assert BINS == 16 and MIN_SIMILARITY == 0.7  # what the numbers above assume


class Page(NamedTuple):
    """The hits of one page and how many hits the passages make in all."""

    hits: list[Hit]
    total: int


class _Groups:
    """Passages taken in rank order: each joins the best-ranked group it
    repeats (near-duplicate, or the same words however short) or starts one."""

    def __init__(self) -> None:
        self.leaders: list[Found] = []
        self.copies: list[list[Found]] = []
        self._bands: dict[tuple[int, bytes], list[int]] = {}
        self._bins: dict[tuple[int, int], list[int]] = {}
        self._same: dict[bytes, list[int]] = {}

    def add(self, passage: Found) -> None:
        sketch = passage.sketch
        comparable, bands, bins = _shape(sketch)
        leader = self._leader_of(passage, sketch, comparable, bands, bins)
        if leader is not None:
            self.copies[leader].append(passage)
            return
        number = len(self.leaders)
        self.leaders.append(passage)
        self.copies.append([])
        for key in bands:
            self._bands.setdefault(key, []).append(number)
        for bin_key in bins:
            self._bins.setdefault(bin_key, []).append(number)
        if not comparable:
            self._same.setdefault(sketch, []).append(number)

    def _leader_of(self, passage: Found, sketch: bytes, comparable: bool,
                   bands: tuple[tuple[int, bytes], ...],
                   bins: tuple[tuple[int, int], ...]) -> int | None:
        """The best-ranked group ``passage`` repeats, if any."""
        if not comparable:  # too short to be near: the same words only
            text = None
            for number in self._same.get(sketch, ()):
                text = text if text is not None else passage.stored.text
                if self.leaders[number].stored.text == text:
                    return number
            return None
        candidates: set[int] = set()
        for key in bands:
            candidates.update(self._bands.get(key, ()))
        for bin_key in bins:
            candidates.update(self._bins.get(bin_key, ()))
        for number in sorted(candidates):
            if are_near_duplicates(self.leaders[number].sketch, sketch):
                return number
        return None


@lru_cache(maxsize=65_536)
def _shape(sketch: bytes) -> tuple[bool, tuple[tuple[int, bytes], ...],
                                   tuple[tuple[int, int], ...]]:
    """Whether a sketch is comparable, its bands with both bins filled, and
    (for a comparable one with fewer than ``_FULL`` bins filled) its filled
    bins: the keys ``_Groups`` files and looks it up by. Computed once a
    sketch: a page groups two hundred passages, and the next query many of
    the same."""
    if not is_comparable(sketch):
        return False, (), ()
    bands = tuple((at, sketch[at:at + _BAND]) for at in range(0, len(sketch), _BAND)
                  if EMPTY_BIN not in sketch[at:at + _BAND])
    filled = len(sketch) - sketch.count(EMPTY_BIN)
    bins = tuple((at, value) for at, value in enumerate(sketch)
                 if value != EMPTY_BIN) if filled < _FULL else ()
    return True, bands, bins


def collapse(found: Sequence[Found], limit: int, group: bool,
             expired: Callable[[], bool] = lambda: False) -> list[Hit]:
    """The first page of ``page``: the ``limit`` best hits of ``found``."""
    return page(found, limit, group, expired).hits


def page(found: Sequence[Found], limit: int, group: bool,
         expired: Callable[[], bool] = lambda: False, offset: int = 0,
         matched: int | None = None, kept: Kept | None = None) -> Page:
    """The hits ``offset`` to ``offset + limit`` of ``found`` (the passages in
    the order asked for), and how many hits the ``matched`` passages (by
    default ``len(found)``) make in all.

    With ``group``, a passage among the first ``GROUPED_WITHIN`` that nearly
    duplicates one ranked before it (or repeats it word for word, however
    short) is listed under it instead of taking a place of its own. Once
    ``expired()``, passages are no longer compared: the next ones are hits
    as they rank. ``found`` must hold every passage the page needs: the first
    ``GROUPED_WITHIN + offset + limit`` (or all of them).

    With ``kept`` (the commit's ``Catalog.groupings``), the groups of a window
    of passages are kept: the next page of a query, or the query asked again,
    groups the same passages the same way without comparing them again.
    """
    matched = len(found) if matched is None else matched
    if not group:
        return Page([passage.hit() for passage in found[offset:offset + limit]], matched)
    key: tuple[int, ...] = ()
    shape = None
    if kept is not None:  # a Ranked gives its document numbers without its passages
        key = found.docnums(GROUPED_WITHIN) if isinstance(found, Ranked) else tuple(
            passage.docnum for passage in found[:GROUPED_WITHIN])
        shape = kept.get(key)
    if shape is not None:  # only the passages shown are made
        groups = len(shape)
        shown = [(found[leader], [found[copy] for copy in copies])
                 for leader, copies in shape[offset:offset + limit]]
        compared = len(key)
    else:
        window = found[:GROUPED_WITHIN]
        pages, compared = _grouped(window, expired)
        if kept is not None and compared == len(window):
            at = {id(passage): number for number, passage in enumerate(window)}
            kept.put(key, tuple((at[id(leader)], tuple(at[id(copy)] for copy in copies))
                                for leader, copies in pages))
        groups = len(pages)
        shown = pages[offset:offset + limit]
    if len(shown) < limit:  # the page reaches past the groups: passages one by one
        start = compared + max(0, offset - groups)
        shown += [(passage, []) for passage in found[start:start + limit - len(shown)]]
    total = groups + max(0, matched - compared)
    return Page([leader.hit(copies) for leader, copies in shown], total)


def _grouped(window: Sequence[Found], expired: Callable[[], bool]
             ) -> tuple[list[tuple[Found, list[Found]]], int]:
    """The groups of ``window``'s passages, in rank order, and how many
    passages were compared before ``expired()``."""
    groups = _Groups()
    compared = 0
    for passage in window:
        if expired():
            break
        groups.add(passage)
        compared += 1
    return list(zip(groups.leaders, groups.copies, strict=True)), compared


def by_article(ranked: Sequence[tuple[int, float]], articles: Mapping[int, str],
               passages: StoredPassages, patterns: Sequence[Sequence[Pattern]],
               order: Callable[[str, float, int], tuple], offset: int,
               limit: int) -> tuple[list[ArticleHit], int]:
    """The articles ``offset`` to ``offset + limit`` of those the ``ranked``
    passages (every passage matched, with its score) belong to, and how many
    articles in all.

    An article ranks as its best passage: ``order(article_id, best score,
    one of its passages)`` sorts them (by relevance: the best score first,
    equal ones by article id). It shows its best ``PASSAGES_PER_ARTICLE`` passages, equal scores in
    paragraph order; a passage's near-duplicates in other articles are not
    grouped (each article is its own hit)."""
    held: dict[str, list[tuple[int, float]]] = {}
    for docnum, score in ranked:
        held.setdefault(articles.get(docnum, ""), []).append((docnum, score))
    best = {article: max(score for _, score in found) for article, found in held.items()}
    chosen = sorted(best, key=lambda article: order(article, best[article],
                                                    held[article][0][0]))
    page: list[ArticleHit] = []
    for article in chosen[offset:offset + limit]:
        shown = sorted(held[article],
                       key=lambda pair: (-pair[1], passages[pair[0]].paragraph))
        marks = tuple(map(tuple, patterns))
        hits = [Found(docnum, score, passages, marks).hit()
                for docnum, score in shown[:PASSAGES_PER_ARTICLE]]
        first = passages[shown[0][0]]
        page.append(ArticleHit(first.article_id, first.title, first.date, first.source,
                               dict(first.meta or {}), best[article], hits, len(shown)))
    return page, len(best)
