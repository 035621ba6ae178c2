"""Execution, the second stage of a search: a ``Plan`` run against the index,
giving the passages it matches as (document number, score), best first.

A plan of words and quoted phrases only is scored from the postings
(``scoring``) when its terms have postings enough (``scoring.ARRAYS_FROM``),
any other (groups, exclusions) by Whoosh's matchers and collector; both give
the same scores to the same query (``tests/test_scoring.py``). Then, for the best passages: quoted
phrases holding stop words ("à la fois"), which the index knows only by their
other words, are matched word for word in the stored text (one that lacks the
phrase does not hold that clause); passages holding the query's words close
together gain ``scoring.proximity``; and equal scores are ordered by passage
id, so that the ranking is the same however the index was written (by one
writer process or two, which number passages otherwise).
Each passage's score is the one it is ranked by, and the one its hit shows:
nothing after this stage changes the order or the scores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from heapq import heappush, heapreplace
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.collectors import TopCollector

from frsearch.analysis import fold
from frsearch.catalog import catalog
from frsearch.highlight import Pattern, make_snippet, match_groups
from frsearch.indexing import StoredPassage
from frsearch.planning import HELD_SCORE, RERANKED, Deadline, Plan, literal_finder
from frsearch.scoring import (
    arrays_loaded,
    at_documents,
    proximity,
    top_passages,
    worth_arrays,
)

__all__ = ["Ranking", "StoredPassages", "collector", "execute", "in_order"]

DEADLINE_CHECK_EVERY = 256
"""Passages Whoosh's matchers step through between two looks at the clock."""


class StoredPassages:
    """What the index stores of each passage, by document number, for one
    search: read on first use and kept (a passage matched word for word is
    often shown, and compared with its near-duplicates, too), in this search
    and, for the searches of the same commit, in its ``catalog``."""

    __slots__ = ("_catalog", "_read", "_searcher")

    @property
    def reader(self):
        """The reader of the commit searched."""
        return self._searcher.reader()

    def __init__(self, searcher) -> None:
        self._searcher = searcher
        self._catalog = catalog(searcher.reader())
        self._read: dict[int, StoredPassage] = {}

    def sketch(self, docnum: int) -> bytes:
        """The passage's MinHash sketch, from its column (no stored fields read)."""
        return self._catalog.sketch(docnum)

    def highlighted(self, docnum: int, patterns: tuple[tuple[Pattern, ...], ...]
                    ) -> tuple[tuple[tuple[int, int], ...], str]:
        """The spans of the words of the passage that ``patterns`` (a plan's,
        one group a clause) mark, and its snippet: analysing the passage
        again is the costly part of a hit, so both are kept for the commit."""
        key = (docnum, patterns)
        kept = self._catalog.highlights.get(key)
        if kept is None:
            text = self[docnum].text
            matches, _ = match_groups(text, patterns)
            kept = (tuple(matches), make_snippet(text, matches))
            self._catalog.highlights.put(key, kept)
        return kept

    def holding(self, literal: str, docnums: Sequence[int], expired: Callable[[], bool]
                ) -> frozenset[int]:
        """Those of ``docnums`` that hold the quoted phrase ``literal`` word
        for word (``planning.literal_finder``), remembered for the commit (a
        common phrase reads thousands of passages). Those not read by the
        deadline count as holding it. Passages read only for this are not
        kept as passages: they would push out those shown."""
        kept = self._catalog.literals.get(literal)
        holders, looked = kept if kept is not None else (frozenset(), frozenset())
        find = literal_finder(literal)
        found: list[int] = []
        read: list[int] = []
        unread: list[int] = []
        for docnum in docnums:
            if docnum in looked:
                continue
            if len(read) % DEADLINE_CHECK_EVERY == DEADLINE_CHECK_EVERY - 1 and expired():
                unread.append(docnum)
                continue
            read.append(docnum)
            stored = (self._read.get(docnum) or self._catalog.passages.get(docnum)
                      or StoredPassage.from_fields(self._searcher.stored_fields(docnum)))
            if find(fold(stored.text)):
                found.append(docnum)
        if read:
            holders, looked = holders.union(found), looked.union(read)
            self._catalog.literals.put(literal, (holders, looked))
        return holders.union(unread) if unread else holders

    def __getitem__(self, docnum: int) -> StoredPassage:
        stored = self._read.get(docnum)
        if stored is None:
            shared = self._catalog.passages
            stored = shared.get(docnum)
            if stored is None:
                stored = StoredPassage.from_fields(self._searcher.stored_fields(docnum),
                                                   self.sketch(docnum))
                shared.put(docnum, stored)
            self._read[docnum] = stored
        return stored


class Ranking(NamedTuple):
    """The passages a plan matched: the best ones, and how many in all."""

    ranked: list[tuple[int, float]]
    """(document number, score) of the best passages, by score, best first
    (equal scores by passage id); with ``everything``, of every passage
    matched, equal scores in no set order (``in_order`` orders them)."""
    total: int
    """How many passages the plan matched."""
    passages: StoredPassages
    """Their stored fields, those read while executing kept."""


def execute(searcher, plan: Plan, fetch: int, everything: bool = False,
            loose: tuple[int, int] = (0, 0)) -> Ranking:
    """The ``fetch`` best passages of ``plan``, and how many it matches; with
    ``everything``, all of them (to sort otherwise, group or count). Equal
    scores are in passage id order, but for runs of them within the
    positions ``loose`` (see ``in_order``).

    The plan's filters are applied as a set of passages (``_passing``), so
    that a filtered query of words is still scored from the posting arrays.
    Past the plan's deadline, the passages matched by then are ranked by what
    they scored, without the steps that read more (quoted phrases word for
    word, proximity, the order of equal scores)."""
    passages = StoredPassages(searcher)
    if plan.query is None or searcher.doc_count() == 0:  # an empty index has no columns
        return Ranking([], 0, passages)
    allowed, forbidden = _passing(searcher, plan)
    # a quoted phrase with stop words is looked for in every passage holding
    # its other words: checking only the best would make pages disagree
    whole = everything or bool(plan.literals)
    wanted = searcher.doc_count_all() if whole else max(fetch, RERANKED)
    if plan.browse:  # filters alone: every passage they let through, unranked
        ranked = _browsed(searcher, plan, allowed, forbidden)
        total = len(ranked)
    elif plan.words is not None and (arrays_loaded() or worth_arrays(searcher, plan.words)):
        # words, phrases
        ranked, total = top_passages(searcher, plan.words, HELD_SCORE, wanted,
                                     plan.deadline.expired, allowed, forbidden)
    else:
        collecting = collector(plan.deadline, wanted, allowed, forbidden)
        searcher.search_with_collector(plan.query, collecting)
        ranked, total = collecting.ranked(), collecting.total
    expired = plan.deadline.expired
    if not expired() and plan.literals:
        ranked = _held_word_for_word(searcher, plan, ranked, passages)
        if not expired():
            total = len(ranked)
    if not expired() and len(plan.clauses) > 1:
        ranked = _nearer_first(searcher, plan, ranked)
    if everything:
        return Ranking(sorted(ranked, key=lambda pair: (-pair[1], pair[0])), total, passages)
    return Ranking(in_order(ranked, fetch, passages, expired, loose=loose), total, passages)


def _passing(searcher, plan: Plan) -> tuple[set[int] | None, set[int] | None]:
    """The passages every filter of the plan lets through (None: no filter),
    and those an excluded filter names (None: none)."""
    allowed: set[int] | None = None
    for query in plan.filters:
        found = set(searcher.docs_for_query(query))
        allowed = found if allowed is None else allowed & found
    forbidden: set[int] | None = None
    if plan.excluded:
        forbidden = set(searcher.docs_for_query(wq.Or(plan.excluded)))
    return allowed, forbidden


def _browsed(searcher, plan: Plan, allowed: set[int] | None,
             forbidden: set[int] | None) -> list[tuple[int, float]]:
    """Every passage the filters let through, less those the exclusions name,
    each scored 0: nothing was asked to rank them by."""
    if allowed is None:
        found = set(searcher.reader().all_doc_ids())
    else:
        found = set(allowed)
    if forbidden:
        found -= forbidden
    if not isinstance(plan.query, wq.Every):  # words excluded: -Russie
        assert isinstance(plan.query, wq.AndNot)
        found -= set(searcher.docs_for_query(plan.query.b))
    return [(docnum, 0.0) for docnum in sorted(found)]


def _held_word_for_word(searcher, plan: Plan, ranked: list[tuple[int, float]],
                        passages: StoredPassages) -> list[tuple[int, float]]:
    """``ranked`` (every passage matched) with each passage that lacks a
    quoted phrase word for word scored as if it did not hold that clause (the
    index took "à la fois" for "fois"), and left out if it holds nothing else
    of the query, as a passage lacking any other quoted phrase is. Sorted
    again by score."""
    docnums = [docnum for docnum, _ in ranked]
    holders = [(at, passages.holding(clause.literal, docnums, plan.deadline.expired))
               for at, clause in enumerate(plan.clauses) if clause.literal]
    lacking: dict[frozenset[int], list[int]] = {}
    if len(holders) == 1:  # the common case, a loop of set lookups
        (at, holding), = holders
        lacked = [docnum for docnum in docnums if docnum not in holding]
        if lacked:
            lacking[frozenset([at])] = lacked
    else:
        for docnum in docnums:
            missing = frozenset(at for at, holding in holders if docnum not in holding)
            if missing:
                lacking.setdefault(missing, []).append(docnum)
    rescored: dict[int, float | None] = {}
    for missing, lacked in lacking.items():
        if len(missing) == len(plan.clauses):  # nothing else to hold: no hit
            rescored.update(dict.fromkeys(lacked))
        else:
            found = _scores_at(searcher, plan.query_without(missing), lacked)
            rescored.update((docnum, found.get(docnum)) for docnum in lacked)
    if not rescored:
        return ranked
    kept = [(docnum, rescored.get(docnum, score)) for docnum, score in ranked]
    return sorted(((docnum, score) for docnum, score in kept if score is not None),
                  key=lambda pair: (-pair[1], pair[0]))


def _scores_at(searcher, query: wq.Query, docnums: Sequence[int]) -> dict[int, float]:
    """What ``query`` scores each of ``docnums`` it matches, as the collector
    would (the same matchers, stepped to those passages only)."""
    found: dict[int, float] = {}
    ordered = sorted(docnums)
    context = searcher.context()
    for leaf, offset in searcher.leaf_searchers():
        end = offset + leaf.doc_count_all()
        local = [docnum - offset for docnum in ordered if offset <= docnum < end]
        if not local:
            continue
        matcher = query.matcher(leaf, context)
        for docnum in at_documents(matcher, local):
            found[docnum + offset] = matcher.score()
    return found


def _nearer_first(searcher, plan: Plan,
                  ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``ranked`` with the proximity bonus added to the best ``RERANKED``
    passages (and those tied with the last of them)."""
    cut = _cut(ranked, RERANKED)
    bonuses = proximity(searcher, [docnum for docnum, _ in ranked[:cut]], plan.clauses)
    if not bonuses:
        return ranked
    return [(docnum, score + bonuses.get(docnum, 0.0)) for docnum, score in ranked[:cut]
            ] + ranked[cut:]


def in_order(ranked: list[tuple[int, float]], fetch: int, passages: StoredPassages,
             expired: Callable[[], bool],
             key: Callable[[tuple[int, float]], Any] | None = None,
             loose: tuple[int, int] = (0, 0)) -> list[tuple[int, float]]:
    """The first ``fetch`` of ``ranked`` in the order of ``key`` (None: the
    score, best first), equal keys by passage id.

    Ties that all fall within the positions ``loose`` (start, end) keep the
    order of document numbers: a deep page needs to know which passages come
    before it, not in which order (nor, with ``collapsing``, past the passages
    it groups)."""
    if key is None:  # by score, best first: equal ones keep their order
        key = _score
        ranked = sorted(ranked, key=key, reverse=True)
    else:
        ranked = sorted(ranked, key=key)
    if fetch < len(ranked):  # the first ``fetch`` and those tied with the last
        last = key(ranked[fetch - 1]) if fetch > 0 else None
        end = fetch
        while fetch > 0 and end < len(ranked) and key(ranked[end]) == last:
            end += 1
        ranked = ranked[:end]
    runs = [list(run) for _, run in groupby(ranked, key=key)]
    tied: list[list[tuple[int, float]]] = []
    start = 0
    for run in runs:
        if len(run) > 1 and not (loose[0] <= start and start + len(run) <= loose[1]):
            tied.append(run)
        start += len(run)
    if tied and not expired():
        _by_passage_id(tied, passages)
    return [pair for run in runs for pair in run][:fetch]


_score = itemgetter(1)


def _by_passage_id(runs: list[list[tuple[int, float]]], passages: StoredPassages) -> None:
    """Each of ``runs`` (of tied passages) ordered by passage id (article id,
    then paragraph), from the column that holds it (``Catalog.passage_order``):
    no stored passage is read, and a filter alone (``source:lemonde``), which
    ties every passage it lets through, costs a column value or two each. The
    orders of all the runs are looked up at once: a page's 210 passages make
    twenty runs."""
    orders = catalog(passages.reader).passage_orders(
        [docnum for run in runs for docnum, _ in run])
    at = 0
    for run in runs:
        keys = orders[at:at + len(run)]
        run[:] = [run[index] for index in sorted(range(len(run)), key=keys.__getitem__)]
        at += len(run)


def _cut(ranked: list[tuple[int, float]], count: int) -> int:
    """How many of ``ranked`` (best first) are the first ``count`` and those
    tied with the last of them."""
    if count >= len(ranked):
        return len(ranked)
    if count <= 0:
        return 0
    last = ranked[count - 1][1]
    while count < len(ranked) and ranked[count][1] == last:
        count += 1
    return count


def collector(deadline: Deadline, limit: int, allowed: set[int] | None = None,
              forbidden: set[int] | None = None) -> _CollectorWithDeadline:
    """A Whoosh collector of the ``limit`` best passages (and those tied with
    the last of them: ``ranked``), that stops at ``deadline``; with
    ``allowed``, of those passages only, and never of ``forbidden`` ones.

    Whoosh's search-time shortcuts (skipping blocks that cannot reach the
    current top scores, replacing matchers on the fly) do not know how a
    plan's clauses combine: it collects without them."""
    return _CollectorWithDeadline(deadline, allowed, forbidden, limit=limit,
                                  usequality=False, replace=0)


class _CollectorWithDeadline(TopCollector):
    """Whoosh's TopCollector, which stops collecting once ``deadline`` passes
    (its results are then the passages matched so far), and which keeps the
    passages tied with the last of the best."""

    def __init__(self, deadline: Deadline, allowed: set[int] | None = None,
                 forbidden: set[int] | None = None, **options):
        super().__init__(**options)
        self.deadline = deadline
        self.allowed = allowed
        self.forbidden = forbidden or set()
        self.tied: list[tuple[float, int]] = []
        """(score, negated document number) of the passages left out of the
        best ``limit`` with the same score as the last of them."""

    def prepare(self, top_searcher, q, context) -> None:
        super().prepare(top_searcher, q, context)
        self.tied = []

    def collect_matches(self) -> None:
        collect = self.collect
        allowed, forbidden, offset = self.allowed, self.forbidden, self.offset
        for count, docnum in enumerate(self.matches()):
            if count % DEADLINE_CHECK_EVERY == 0 and self.deadline.expired():
                return
            if (allowed is not None and docnum + offset not in allowed) or (
                    docnum + offset in forbidden):
                continue
            collect(docnum)

    def _collect(self, global_docnum: int, score: float) -> float:
        """As Whoosh's, keeping the ties with the lowest of the best in ``tied``."""
        items = self.items
        self.total += 1
        item = (score, 0 - global_docnum)
        if len(items) < self.limit:
            heappush(items, item)
            return 0 - score
        lowest = items[0][0]
        if score > lowest:
            left = heapreplace(items, item)
            if items[0][0] == lowest:
                self.tied.append(left)
            else:
                self.tied = []
            self.minscore = items[0][0]
            return 0 - score
        if score == lowest:
            self.tied.append(item)
        return 0

    def ranked(self) -> list[tuple[int, float]]:
        """(document number, score) of the best passages and their ties, best
        first, equal scores by document number."""
        return [(0 - negated, score) for score, negated in
                sorted(self.items + self.tied, reverse=True)]
