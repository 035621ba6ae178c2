"""Scoring queries of plain words straight from the posting arrays: the
faster of the two ways ``execution`` runs a plan; and proximity, read from the
positions of the best passages, for both.

Whoosh scores a query by walking a tree of matcher objects, several Python
calls per passage and per node: most of a search's time for a common word. A
query made only of words (with their accent spellings, name variants or typo
corrections), the commonest kind, needs none of that machinery: each term's
postings are read a block at a time and scored with the same BM25F as Whoosh's
(same statistics, same field lengths), then combined per passage by the same
``planning.Coordination`` as the plan's Whoosh query. The ranking and the
scores are the same; ``tests/test_scoring.py`` compares the two on every
judged query.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import combinations, repeat
from operator import add, mul, neg
from typing import Any
from weakref import WeakKeyDictionary

from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from frsearch.planning import (
    PROXIMITY,
    PROXIMITY_WINDOW,
    Coordination,
    PlannedClause,
    WordClause,
)
from frsearch.whoosh_internals import (
    CompactLeafMatcher,
    deleted_and_live,
    field_b,
    length_bytes,
)

__all__ = ["proximity", "top_passages"]

_LENGTHS = [byte_to_length(byte) for byte in range(256)]
"""Field length of each length byte, as Whoosh decodes it."""


def top_passages(searcher, clauses: Sequence[WordClause], held_score: float,
                 limit: int, expired: Callable[[], bool] = lambda: False,
                 allowed: set[int] | None = None, forbidden: set[int] | None = None,
                 ) -> tuple[list[tuple[int, float]], int]:
    """The ``limit`` best (document number, score) pairs, best first, with
    those tied with the last of them, and how many passages hold a clause;
    with ``allowed``, among those passages only, never ``forbidden`` ones
    (a query's filters).

    A passage's score is what ``planning.Coordination`` makes of the BM25F of
    all its terms and of the clauses it holds, as the plan's Whoosh query
    scores it. Ties go to the lower document number, as with Whoosh's
    collector; the tied passages past ``limit`` are kept so that the caller can
    order them by something that does not depend on how the index was written.

    Once ``expired()`` says so (it is asked between clauses and between blocks
    of postings), the passages scored so far are ranked, by what they scored.
    """
    weighting = searcher.weighting
    if not isinstance(weighting, BM25F):
        raise TypeError("top_passages scores with BM25F only")
    coordination = Coordination(clauses, held_score)
    fits: dict[int, float] = {}
    held: dict[int, float] = {}
    in_context: dict[int, float] = {}
    found: set[int] = set()
    for clause in clauses:
        if expired():
            break
        leaves = [(field, term, _bm25(searcher, weighting, field, term, boost, expired))
                  for field, term, boost in clause.scored]
        held_by = frozenset(clause.held_by)  # a prefix's clause holds a thousand terms
        holding: set[int] = set()
        context: set[int] = set()
        for field, term, blocks in leaves:
            into = holding if field == "text" else context
            if field != "text" or term in held_by:
                for ids, _ in blocks:
                    into.update(ids)
            for ids, values in blocks:
                _add(fits, ids, values)
        _add(held, list(holding | context), repeat(clause.weight))
        _add(in_context, list(context), repeat(clause.weight))
        found |= holding
    if allowed is not None:
        found &= allowed
    if forbidden:
        found -= forbidden
    docnums = list(found)
    # a query's passages hold a few sums of weights: each factor computed once,
    # then looked up in C, as are the rest (a common word has 10⁵ passages)
    factor = {h: coordination.factor(h) for h in set(map(held.__getitem__, docnums))}
    bonus = {c: coordination.bonus(c) for c in {0.0, *in_context.values()}}
    factors = map(factor.__getitem__, map(held.__getitem__, docnums))
    bonuses = map(bonus.__getitem__, map(in_context.get, docnums, repeat(0.0)))
    finals = list(map(add, map(add, repeat(held_score),
                               map(mul, map(fits.__getitem__, docnums), factors)), bonuses))
    return _best(finals, docnums, limit), len(found)


def _best(scores: list[float], docnums: list[int], limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (document number, score) pairs, best first (equal
    scores by document number), and those tied with the last of them."""
    if limit <= 0:
        return []
    best = heapq.nsmallest(limit + 1, zip(map(neg, scores), docnums, strict=True))
    if len(best) > limit:
        last = best[limit - 1][0]
        if best[limit][0] == last:  # a tie across the cut: all of it
            best = sorted(pair for pair in zip(map(neg, scores), docnums, strict=True)
                          if pair[0] <= last)
        else:
            best.pop()
    return [(docnum, -negated) for negated, docnum in best]


def proximity(searcher, docnums: Sequence[int],
              clauses: Sequence[PlannedClause]) -> dict[int, float]:
    """A bonus for each of ``docnums`` whose passage holds words of different
    clauses close together, in order or not: BM25TP (Rasolofo and Savoy, 2003),
    the pairs of clauses within ``PROXIMITY_WINDOW`` words, each pair of
    occurrences counting ``1 / distance²``, saturated and normalised by the
    passage's length as BM25 is, weighted by the rarer clause's plain idf
    (Whoosh's less one, so that the pairs of common words questions are made
    of count little), times ``PROXIMITY``. Passages with no such pair are
    left out."""
    weighting = searcher.weighting
    if not docnums or not isinstance(weighting, BM25F):
        return {}
    # Whoosh's idf is log(N / (n + 1)) + 1: less its floor of 1, a pair of
    # words most passages hold counts nothing ("installation d'un paquet")
    usable = [clause for clause in clauses if clause.terms and clause.idf > 1]
    pairs = [(i, j, min(usable[i].idf, usable[j].idf) - 1)
             for i, j in combinations(range(len(usable)), 2)]
    if not pairs:
        return {}
    segments = [(reader, offset) for reader, offset in _segments(searcher)]
    positions: list[dict[int, list[int]]] = []
    for clause in usable:  # the last clause only pairs with passages holding another
        wanted = docnums if len(positions) < len(usable) - 1 else [
            docnum for docnum in docnums if any(docnum in held for held in positions)]
        positions.append(_positions(segments, clause.terms, wanted))
    norms = _length_norms(weighting, "text", searcher.avg_field_length("text") or 1)
    saturation = weighting.K1 + 1
    starts = [offset for _, offset in segments]
    bonuses: dict[int, float] = {}
    for docnum in docnums:
        total = 0.0
        for i, j, idf in pairs:
            first, second = positions[i].get(docnum), positions[j].get(docnum)
            if not first or not second:
                continue
            near = sum(1.0 / (a - b) ** 2 for a in first for b in second
                       if 0 < abs(a - b) <= PROXIMITY_WINDOW)
            if near:
                reader, offset = segments[bisect_right(starts, docnum) - 1]
                norm = norms[_length_bytes(reader, "text")[docnum - offset]]
                total += idf * saturation * near / (norm + near)
        if total:
            bonuses[docnum] = PROXIMITY * total
    return bonuses


def at_documents(matcher, docnums: Sequence[int]) -> Iterator[int]:
    """Those of ``docnums`` (sorted, in the matcher's segment) that ``matcher``
    matches, with the matcher standing on each as it is yielded: a few
    passages are read without stepping through every posting."""
    for docnum in docnums:
        if matcher.is_active() and matcher.id() < docnum:
            matcher.skip_to(docnum)
        if not matcher.is_active():
            return
        if matcher.id() == docnum:
            yield docnum


def _positions(segments: Sequence[tuple[Any, int]], terms: Sequence[str],
               docnums: Sequence[int]) -> dict[int, list[int]]:
    """The positions of ``terms`` in the text of each of ``docnums`` holding
    one, sorted; read from the postings (the codec's block values)."""
    found: dict[int, list[int]] = {}
    ordered = sorted(docnums)
    for number, (reader, offset) in enumerate(segments):
        end = segments[number + 1][1] if number + 1 < len(segments) else None
        local = [d - offset for d in ordered if d >= offset and (end is None or d < end)]
        if not local:
            continue
        for term in terms:
            try:
                matcher = reader.postings("text", term)
            except TermNotFound:
                continue
            for docnum in at_documents(matcher, local):
                found.setdefault(docnum + offset, []).extend(matcher.value_as("positions"))
    if len(terms) > 1:
        for held in found.values():
            held.sort()
    return found


def _add(scores: dict[int, float], docnums: Sequence[int], values: Iterable[float]) -> None:
    """``scores[d] += v`` for each pair (``docnums`` all different), looping in C:
    a search adds up thousands of postings."""
    scores.update(zip(docnums, map(add, map(scores.get, docnums, repeat(0.0)), values),
                      strict=True))


def _bm25(searcher, weighting: BM25F, field: str, term: str, boost: float,
          expired: Callable[[], bool]) -> list[tuple[list[int], list[float]]]:
    """Document numbers and boosted BM25F scores of the passages holding ``term``,
    a block at a time, computed as Whoosh's ``BM25FScorer`` computes them; the
    blocks before ``expired()`` if it comes first."""
    blocks: list[tuple[list[int], list[float]]] = []
    idf = None
    for reader, offset in _segments(searcher):
        lengths = None
        for ids, weights in _segment_postings(reader, field, term):
            if expired():
                return blocks
            if idf is None:  # statistics of the whole index, as Whoosh's scorer takes them
                idf = searcher.idf(field, term)
                k1 = weighting.K1
                norms = _length_norms(weighting, field, searcher.avg_field_length(field) or 1)
                # a word once in the passage, the commonest posting: a score per length byte
                once = [idf * ((1.0 * (k1 + 1)) / (1.0 + norm)) * boost for norm in norms]
            if lengths is None:
                lengths = _length_bytes(reader, field)
            scores = [once[lengths[d]] if w == 1
                      else idf * ((w * (k1 + 1)) / (w + norms[lengths[d]])) * boost
                      for d, w in zip(ids, weights, strict=True)]
            blocks.append(([d + offset for d in ids] if offset else list(ids), scores))
    return blocks


def _length_norms(weighting: BM25F, field: str, average: float) -> list[float]:
    """BM25's length normalisation, ``K1 * (1 - B + B * length / average)``, for
    each length byte: the same floats as Whoosh's ``bm25`` computes per posting."""
    b = field_b(weighting, field)
    k1 = weighting.K1
    return [k1 * ((1 - b) + b * length / average) for length in _LENGTHS]


def _segments(searcher) -> Iterator[tuple[object, int]]:
    """(segment reader, number of its first document in the index) of each segment."""
    for leaf, offset in searcher.leaf_searchers():
        yield leaf.reader(), offset


def _segment_postings(reader, field: str, term: str):
    """Document numbers (in the segment) and weights of ``term``'s postings in
    one segment, a block at a time, deleted passages left out."""
    try:
        matcher = reader.postings(field, term)
    except TermNotFound:
        return
    deleted, matcher = deleted_and_live(matcher)
    if not isinstance(matcher, CompactLeafMatcher):
        raise TypeError(f"not an frsearch index segment: {type(matcher).__name__}")
    for ids, weights in matcher.blocks():
        if deleted:
            kept = [i for i, d in enumerate(ids) if d not in deleted]
            yield [ids[i] for i in kept], [weights[i] for i in kept]
        else:
            yield ids, weights


_LENGTH_BYTES: WeakKeyDictionary = WeakKeyDictionary()


def _length_bytes(reader, field: str) -> bytes:
    """The length byte of every document of a segment in ``field``: Whoosh's
    ``_<field>_len`` column, one byte a document, read whole once per reader
    (the column's own reader decodes a byte per call)."""
    cache = _LENGTH_BYTES.setdefault(reader, {})
    if field not in cache:
        cache[field] = length_bytes(reader, field)
    return cache[field]
