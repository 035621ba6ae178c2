"""Scoring queries of words and quoted phrases straight from the posting
arrays: the faster of the two ways ``execution`` runs a plan; and proximity,
read from the positions of the best passages, for both.

Whoosh scores a query by walking a tree of matcher objects, several Python
calls per passage and per node: most of a search's time for a common word. A
query made only of words (with their accent spellings, name variants or typo
corrections), the commonest kind, needs none of that machinery: each term's
postings are read whole, its blocks' typed arrays taken into numpy as they are,
and scored with the same BM25F as Whoosh's (same statistics, same field
lengths, the same float operations in the same order), then combined per
passage by the same ``planning.Coordination`` as the plan's Whoosh query. A
quoted phrase is looked for only in the passages holding all its words (their
document arrays intersected), from their positions alone, and scored as
Whoosh's phrase matchers score it (``_phrase``). The ranking and the scores
are the same; ``tests/test_scoring.py`` compares the two on every judged query
and on drawn phrases.

numpy is required, not optional: a pure-Python twin of this path would be a
second ranking to keep equal to the first and to test, for a platform numpy
has no wheel for; the scoring loop in numpy takes a long posting list in a
tenth of the time the Python loop took.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from itertools import combinations
from typing import TYPE_CHECKING, Any, NamedTuple
from weakref import WeakKeyDictionary

from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from frsearch.catalog import catalog
from frsearch.codec import CompactPositions
from frsearch.planning import (
    PROXIMITY,
    PROXIMITY_WINDOW,
    Coordination,
    PhrasePart,
    PlannedClause,
    WordClause,
)
from frsearch.whoosh_internals import (
    CompactLeafMatcher,
    deleted_and_live,
    field_b,
    length_bytes,
)

__all__ = ["ARRAYS_FROM", "arrays_loaded", "proximity", "top_passages", "worth_arrays"]

_LENGTHS = [byte_to_length(byte) for byte in range(256)]
"""Field length of each length byte, as Whoosh decodes it."""


class _ImportedOnFirstUse:
    """numpy, imported when a search first needs it, then in this module's
    globals as itself. Indexing never scores: with numpy loaded in ``frsearch
    index`` (and so in the writer processes it forks), a writer process
    starved of memory hung in 3 of 6 runs of ``tests/test_index_safety``
    instead of failing (in none of 11 without it)."""

    def __getattr__(self, name: str) -> Any:
        import numpy

        globals()["np"] = numpy
        return getattr(numpy, name)


if TYPE_CHECKING:
    import numpy as np
else:
    np = _ImportedOnFirstUse()


ARRAYS_FROM = 64
"""Postings (all a query's terms together) from which ``top_passages`` scores a
query of words; below, Whoosh's matchers do, with the same scores. On 10 MB of
the Littré, a word in 50 passages takes 0.41 ms through the matchers and 0.19
ms as arrays, one in 5 passages 0.14 and 0.15 ms; and a search that stays
below never imports numpy, which takes 50 ms: a third of a whole ``frsearch
query`` process on the seeds. Once a search has imported it (``arrays_loaded``),
every query of words takes the arrays: the scores are the same floats either way
(``tests/test_scoring.py``), so the order never depends on which path ran."""


def arrays_loaded() -> bool:
    """Whether numpy is imported already, by an earlier search of this
    process: then the arrays score a query of words whatever its postings,
    its terms' kept for the commit (``Catalog.postings``), where Whoosh's
    matchers read and score them every time. On 10 MB of the Littré, a word
    in 21 passages (a whole search) takes 0.36 ms through the matchers, 0.16
    ms as arrays."""
    return not isinstance(np, _ImportedOnFirstUse)


def worth_arrays(searcher, clauses: Sequence[WordClause]) -> bool:
    """Whether a query of words and phrases has ``ARRAYS_FROM`` postings or
    more; each term's count kept for the commit (``Catalog.frequencies``)."""
    reader = searcher.reader()
    frequencies = catalog(reader).frequencies
    total = 0
    for clause in clauses:
        leaves = [(field, term) for field, term, _ in clause.scored] + [
            (phrase.field, term) for phrase in clause.phrases
            for terms in phrase.words for term in terms]
        for leaf in leaves:
            frequency = frequencies.get(leaf)
            if frequency is None:
                frequency = reader.doc_frequency(*leaf)
                frequencies.put(leaf, frequency)
            total += frequency
            if total >= ARRAYS_FROM:
                return True
    return False


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

    Each term's postings are scored as whole numpy arrays, then summed per
    passage in the order Whoosh's matchers add them (clause by clause, term by
    term), so that every float is the one the matchers compute and equal
    scores stay equal. A phrase counts as one more term, held by the passages
    it is found in (``_phrase``).
    """
    weighting = searcher.weighting
    if not isinstance(weighting, BM25F):
        raise TypeError("top_passages scores with BM25F only")
    coordination = Coordination(clauses, held_score)
    postings: list[np.ndarray] = []  # every term's passages, clause by clause
    fits: list[np.ndarray] = []  # and their BM25F
    holders: list[tuple[list[int], list[int], float]] = []
    """For each clause, which of ``postings`` hold it in the passage's own
    text, which in its context, and the clause's weight."""
    for clause in clauses:
        if expired():
            break
        held_by = frozenset(clause.held_by)  # a prefix's clause holds a thousand terms
        holding: list[int] = []
        context: list[int] = []
        for field, term, boost in clause.scored:
            docnums, scores, _ = _bm25(searcher, weighting, field, term, boost, expired)
            if field != "text":
                docnums, scores = _not_headlines(searcher, docnums, scores, expired)
                context.append(len(postings))
            elif term in held_by:
                holding.append(len(postings))
            postings.append(docnums)
            fits.append(scores)
        for phrase in clause.phrases:
            docnums, scores = _phrase(searcher, weighting, phrase, expired)
            if phrase.field != "text":
                docnums, scores = _not_headlines(searcher, docnums, scores, expired)
            (holding if phrase.field == "text" else context).append(len(postings))
            postings.append(docnums)
            fits.append(scores)
        holders.append((holding, context, clause.weight))
    at: list[Any]  # where each term's passages are among all of them
    if len(postings) == 1:  # one word of one spelling, the commonest query
        docnums, at = postings[0], [slice(None)]
    else:
        every = np.concatenate(postings) if postings else np.zeros(0, np.int64)
        every.sort()
        docnums = every[np.flatnonzero(np.diff(every, prepend=-1))]  # each passage once
        at = [np.searchsorted(docnums, term_docnums) for term_docnums in postings]
    fit = np.zeros(len(docnums))
    for term_at, scores in zip(at, fits, strict=True):  # a term holds a passage once
        fit[term_at] += scores
    held = np.zeros(len(docnums))
    in_context = np.zeros(len(docnums))
    found = np.zeros(len(docnums), dtype=bool)
    for holding, context, weight in holders:  # in clause order, as the matchers add
        holds = np.zeros(len(docnums), dtype=bool)
        for leaf in holding:
            holds[at[leaf]] = True
        found |= holds
        if context:
            in_its_context = np.zeros(len(docnums), dtype=bool)
            for leaf in context:
                in_its_context[at[leaf]] = True
            in_context[in_its_context] += weight
            holds |= in_its_context
        held[holds] += weight
    if allowed is not None:
        found &= np.isin(docnums, np.fromiter(allowed, np.int64, len(allowed)))
    if forbidden:
        found &= ~np.isin(docnums, np.fromiter(forbidden, np.int64, len(forbidden)))
    docnums, fit, held, in_context = docnums[found], fit[found], held[found], in_context[found]
    # a query's passages hold a few sums of weights: each factor computed once
    sums = _distinct(held)
    factors = np.array([coordination.factor(h) for h in sums.tolist()])
    sums_in_context = _distinct(in_context)
    bonuses = np.array([coordination.bonus(c) for c in sums_in_context.tolist()])
    finals = ((held_score + fit * _of_each(factors, sums, held))
              + _of_each(bonuses, sums_in_context, in_context))
    return _best(finals, docnums, limit), len(docnums)


def _not_headlines(searcher, docnums: np.ndarray, scores: np.ndarray,
                   expired: Callable[[], bool]) -> tuple[np.ndarray, np.ndarray]:
    """The passages (and scores) of a term of the context, less the headlines:
    a headline is the context of the other passages of its article, not its
    own, or its words would count twice and it would draw the bonus of a
    headline holding the query (``planning._CoordinatedMatcher`` does the same).

    Which passages are headlines is read once a commit (``Catalog.headlines``,
    40 ms for the 750,000 passages of the Littré): not past the deadline, when
    a search ranks what it has by what it scored."""
    if not len(docnums):
        return docnums, scores
    board = catalog(searcher.reader())
    if not board.knows_headlines() and expired():
        return docnums, scores
    kept = ~board.headlines()[docnums]
    if kept.all():
        return docnums, scores
    return docnums[kept], scores[kept]


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct ``values``, sorted: most often one (every passage of a
    query of one clause holds it), found without sorting them."""
    if len(values) and values.min() == values.max():
        return values[:1]
    return np.unique(values)


def _of_each(results: np.ndarray, distinct: np.ndarray, values: np.ndarray) -> Any:
    """The result of each of ``values``, given those of the ``distinct`` ones:
    the one result itself if there is one (the same float in every sum)."""
    if len(distinct) == 1:
        return results[0]
    return results[np.searchsorted(distinct, values)]


def _nothing() -> tuple[np.ndarray, np.ndarray]:
    """No document numbers, no scores."""
    return np.zeros(0, np.int64), np.zeros(0, np.float64)


def _best(scores: np.ndarray, docnums: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (document number, score) pairs, best first (equal
    scores by document number), and those tied with the last of them: every
    passage scoring at least the ``limit``-th best score."""
    if limit <= 0 or not len(scores):
        return []
    if limit < len(scores):
        last = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        kept = scores >= last
        scores, docnums = scores[kept], docnums[kept]
    order = np.lexsort((docnums, -scores))
    return list(zip(docnums[order].tolist(), scores[order].tolist(), strict=True))


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
    one, sorted."""
    found: dict[int, list[int]] = {}
    ordered = sorted(docnums)
    for number, (reader, offset) in enumerate(segments):
        end = segments[number + 1][1] if number + 1 < len(segments) else None
        local = [d - offset for d in ordered if d >= offset and (end is None or d < end)]
        if not local:
            continue
        for term in terms:
            for docnum, held in _term_positions(reader, "text", term, local):
                found.setdefault(docnum + offset, []).extend(held)
    if len(terms) > 1:
        for held in found.values():
            held.sort()
    return found


def _term_positions(reader, field: str, term: str, docnums: Sequence[int]
                    ) -> Iterator[tuple[int, list[int]]]:
    """Each of ``docnums`` (sorted, live, in the segment) holding ``term``, and
    the term's positions in it; read from the postings (the codec's block
    values), only the blocks holding those passages decompressed."""
    try:
        matcher = reader.postings(field, term)
    except TermNotFound:
        return
    _, live = deleted_and_live(matcher)  # the passages asked about are live
    if not isinstance(live, CompactLeafMatcher):
        raise TypeError(f"not an frsearch index segment: {type(live).__name__}")
    decode = live.format.decode_positions
    for docnum, value in live.values_of(docnums):
        yield docnum, decode(value)


_ROW = 1 << 32
"""A phrase's positions in its ``i``-th candidate passage are read as ``i *
_ROW + position``: those of all the candidates in one sorted array, where a
passage's are never within a phrase's reach of another's."""


def _phrase(searcher, weighting: BM25F, phrase: PhrasePart, expired: Callable[[], bool]
            ) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and scores of the passages holding ``phrase``, as
    Whoosh's ``Phrase`` or ``SpanNear2`` matches and scores them.

    The candidates are the passages holding a spelling of every word (the
    words' document arrays intersected); only theirs are positions decoded
    (from the blocks the words were scored from), and a candidate holds the
    phrase if its words follow each other within the slop (``_in_sequence``).
    Whoosh scores a phrase by its words, not by how often it occurs: the BM25F
    of each of the passage's spellings of a word, the words' sums added up, in
    the order of Whoosh's binary trees of matchers (``_tree_sum``), times the
    phrase's boost.
    """
    scored: dict[str, tuple[np.ndarray, np.ndarray, _Values | None]] = {}
    for terms in phrase.words:
        for term in terms:
            if term not in scored:
                scored[term] = _bm25(searcher, weighting, phrase.field, term, 1.0, expired,
                                     values=True)
    held = []  # the passages holding a spelling of each word
    for terms in phrase.words:
        spellings = [scored[term][0] for term in terms]
        held.append(spellings[0] if len(spellings) == 1 else _union(spellings))
    candidates = held[0]
    for word_held in held[1:]:
        candidates = np.intersect1d(candidates, word_held, assume_unique=True)
    if not len(candidates) or expired():
        return _nothing()
    scores = _tree_sum([_tree_sum([_at(candidates, *scored[term][:2]) for term in terms])
                        for terms in phrase.words])
    if phrase.boost != 1.0:
        scores = scores * phrase.boost
    spans = []
    for terms in phrase.words:
        keys = [_position_keys(candidates, scored[term][0], scored[term][2]) for term in terms]
        spans.append((keys[0], keys[0]) if len(keys) == 1 else _runs(_union(keys)))
    found = np.zeros(len(candidates), dtype=bool)
    found[_in_sequence(spans, phrase.slop) // _ROW] = True
    return candidates[found], scores[found]


def _at(candidates: np.ndarray, docnums: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The score of each candidate in ``docnums`` (sorted), 0 for one not in it."""
    if not len(docnums):
        return np.zeros(len(candidates))
    at = np.minimum(np.searchsorted(docnums, candidates), len(docnums) - 1)
    return np.where(docnums[at] == candidates, scores[at], 0.0)


def _tree_sum(scores: list[np.ndarray]) -> np.ndarray:
    """The sum of ``scores`` added as Whoosh's ``make_binary_tree`` of matchers
    adds them (first half, second half, each so), so that it is the same float;
    a matcher not on a passage adds nothing there, as 0 does."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


def _in_sequence(spans: list[tuple[np.ndarray, np.ndarray]], slop: int) -> np.ndarray:
    """The ends of the phrases the words' ``spans`` (the first and last
    position of each, as ``_position_keys`` gives them, in order) make: each
    word starting 1 to ``slop`` positions after the end of the one before, as
    SpanNear2 matches them. A word's spans are its positions, or for a word
    of several spellings the runs of consecutive positions of any of them
    (Whoosh's SpanOr merges spans that touch): ``_runs``."""
    ends = spans[0][1]
    for starts, word_ends in spans[1:]:
        if not len(ends):
            break
        before = np.searchsorted(ends, starts) - 1  # the last end before each start
        near = (before >= 0) & (starts - ends[np.maximum(before, 0)] <= slop)
        ends = word_ends[near]
    return ends


def _position_keys(candidates: np.ndarray, docnums: np.ndarray, values: _Values | None
                   ) -> np.ndarray:
    """``i * _ROW + position`` for each position of a term (its postings'
    ``docnums`` and ``values``) in each of the ``candidates`` it is in, ``i``
    the candidate's index, in order."""
    assert values is not None, "read with its values"
    _, rows, at = np.intersect1d(candidates, docnums, assume_unique=True,
                                 return_indices=True)
    if not len(at):
        return np.zeros(0, np.int64)
    lengths = values.lengths[at]
    total = int(lengths.sum())
    # each byte of those values: its value's start, plus how far into it it is
    wanted = np.repeat(values.starts[at] - (np.cumsum(lengths) - lengths), lengths)
    wanted += np.arange(total)
    counts, positions = _decoded_positions(np.frombuffer(values.data, np.uint8)[wanted],
                                           lengths)
    return np.repeat(rows.astype(np.int64), counts) * _ROW + positions


def _decoded_positions(raw: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many positions each of the values (``CompactPositions``'s, ``raw``
    bytes one after another, ``lengths`` long) holds, and all of them in
    order: the gaps of the values read at once, then added up value by value
    (a value's first gap is its first position)."""
    starts = np.cumsum(lengths) - lengths
    wide = np.flatnonzero(raw[starts] != CompactPositions.BYTE_GAPS)
    counts = lengths - 1
    kept = np.ones(len(raw), dtype=bool)  # the bytes that are gaps of a byte
    kept[starts] = False
    if not len(wide):
        steps = raw[kept].astype(np.int64)
    else:  # a gap of 256 words or more: rare
        counts[wide] //= 4
        for at in wide.tolist():
            kept[starts[at]:starts[at] + lengths[at]] = False
        steps = np.empty(int(counts.sum()), np.int64)
        narrow = np.ones(len(lengths), dtype=bool)
        narrow[wide] = False
        in_narrow = np.repeat(narrow, counts)
        steps[in_narrow] = raw[kept]
        steps[~in_narrow] = np.concatenate([
            np.frombuffer(raw[starts[at] + 1:starts[at] + lengths[at]].tobytes(), "<u4")
            for at in wide.tolist()])
    positions = np.cumsum(steps)
    firsts = np.cumsum(counts) - counts
    positions -= np.repeat(positions[firsts] - steps[firsts], counts)
    return counts, positions


def _union(arrays: list[np.ndarray]) -> np.ndarray:
    """The numbers (none negative) of sorted ``arrays``, each once, in order:
    sorted and told apart by their differences, faster than ``np.unique``."""
    every = np.concatenate(arrays)
    every.sort()
    return every[np.flatnonzero(np.diff(every, prepend=-1))]


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and last of each run of consecutive ``keys`` (sorted, each
    once), in order."""
    if not len(keys):
        return keys, keys
    breaks = np.flatnonzero(np.diff(keys) != 1) + 1
    return keys[np.r_[0, breaks]], keys[np.r_[breaks - 1, len(keys) - 1]]


class _Values(NamedTuple):
    """The values (positions, as ``codec.CompactPositions`` writes them) of a
    term's postings: each posting's at ``starts`` in ``data``, ``lengths`` long."""

    data: bytes
    starts: np.ndarray
    lengths: np.ndarray


def _bm25(searcher, weighting: BM25F, field: str, term: str, boost: float,
          expired: Callable[[], bool], values: bool = False
          ) -> tuple[np.ndarray, np.ndarray, _Values | None]:
    """Document numbers and boosted BM25F scores of the passages holding
    ``term``, computed as Whoosh's ``BM25FScorer`` computes each of them (the
    same operations in the same order, so the same floats); those of the blocks
    read before ``expired()`` if it comes first. With ``values``, the
    postings' values too, read from the same blocks.

    A term read whole is kept for the commit (``Catalog.postings``), its
    scores before the boost, which Whoosh multiplies last: the next query of
    the same word reads nothing. The arrays kept are read-only."""
    key = (field, term, values, weighting.K1, field_b(weighting, field))
    kept = catalog(searcher.reader()).postings
    found = kept.get(key)
    if found is None:
        found = _read_bm25(searcher, weighting, field, term, expired, values)
        if not expired():
            held = found[2]
            for array in (found[0], found[1], *((held.starts, held.lengths) if held else ())):
                array.flags.writeable = False
            kept.put(key, found)
    docnums, scores, held = found
    return docnums, scores * boost if boost != 1.0 else scores, held


def _read_bm25(searcher, weighting: BM25F, field: str, term: str,
               expired: Callable[[], bool], values: bool
               ) -> tuple[np.ndarray, np.ndarray, _Values | None]:
    """``_bm25`` read from the postings, unboosted."""
    found: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    held: list[_Values] = []
    idf = None
    for reader, offset in _segments(searcher):
        docnums, weights, segment_values = _segment_postings(reader, field, term, expired,
                                                             values)
        if not len(docnums):
            continue
        if idf is None:  # statistics of the whole index, as Whoosh's scorer takes them
            idf = searcher.idf(field, term)
            k1 = weighting.K1
            norms = _norm_array(k1, field_b(weighting, field),
                                searcher.avg_field_length(field) or 1)
        norm = norms[np.frombuffer(_length_bytes(reader, field), np.uint8)[docnums]]
        scores.append(idf * ((weights * (k1 + 1)) / (weights + norm)))
        found.append(docnums + offset if offset else docnums)
        if segment_values is not None:
            held.append(segment_values)
        if expired():
            break
    if not found:
        none = np.zeros(0, np.int64)
        return none, np.zeros(0), _Values(b"", none, none) if values else None
    joined = None
    if values:
        before = np.cumsum([0] + [len(part.data) for part in held[:-1]])
        joined = _Values(b"".join(part.data for part in held),
                         np.concatenate([part.starts + shift
                                         for part, shift in zip(held, before, strict=True)]),
                         np.concatenate([part.lengths for part in held]))
    if len(found) == 1:
        return found[0], scores[0], joined
    return np.concatenate(found), np.concatenate(scores), joined


def _length_norms(weighting: BM25F, field: str, average: float) -> list[float]:
    """BM25's length normalisation, ``K1 * (1 - B + B * length / average)``, for
    each length byte: the same floats as Whoosh's ``bm25`` computes per posting."""
    return _norms(weighting.K1, field_b(weighting, field), average)


@lru_cache(maxsize=64)
def _norms(k1: float, b: float, average: float) -> list[float]:
    """``_length_norms``, made once for a commit's averages (every term asks)."""
    return [k1 * ((1 - b) + b * length / average) for length in _LENGTHS]


@lru_cache(maxsize=64)
def _norm_array(k1: float, b: float, average: float) -> np.ndarray:
    """``_length_norms`` as an array, to look up a whole block's at once."""
    return np.array(_norms(k1, b, average))


def _segments(searcher) -> Iterator[tuple[object, int]]:
    """(segment reader, number of its first document in the index) of each segment."""
    for leaf, offset in searcher.leaf_searchers():
        yield leaf.reader(), offset


def _segment_postings(reader, field: str, term: str, expired: Callable[[], bool],
                      values: bool = False) -> tuple[np.ndarray, np.ndarray, _Values | None]:
    """Document numbers (in the segment) and weights of ``term``'s postings in
    one segment, deleted passages left out; those of the blocks read before
    ``expired()`` if it comes first. With ``values``, their values too."""
    try:
        matcher = reader.postings(field, term)
    except TermNotFound:
        return *_nothing(), None
    deleted, live = deleted_and_live(matcher)
    if not isinstance(live, CompactLeafMatcher):
        raise TypeError(f"not an frsearch index segment: {type(live).__name__}")
    docnums, weights, held = _block_arrays(live, expired, values)
    if deleted:
        kept = ~np.isin(docnums, np.fromiter(deleted, np.int64, len(deleted)))
        docnums, weights = docnums[kept], weights[kept]
        if held is not None:
            held = _Values(held.data, held.starts[kept], held.lengths[kept])
    return docnums, weights, held


def _block_arrays(matcher: CompactLeafMatcher, expired: Callable[[], bool],
                  values: bool = False) -> tuple[np.ndarray, np.ndarray, _Values | None]:
    """Document numbers and weights of a term's postings in a segment, its
    blocks' typed arrays joined as they are: one prefix sum turns the gaps into
    document numbers, once each block's first gap (its first document number)
    is made relative to the last document of the block before. With
    ``values``, the postings' values, their blocks' joined."""
    gaps: list[array] = []
    weights: list[array | None] = []
    lasts: list[int] = []
    lengths: list[array] = []
    data: list[bytes] = []
    blocks = (matcher.block_arrays_and_values() if values
              else ((*arrays, None) for arrays in matcher.block_arrays()))
    for block_gaps, block_weights, last, block_values in blocks:
        gaps.append(block_gaps)
        weights.append(block_weights)
        lasts.append(last)
        if values:
            if block_values is None:
                raise TypeError("a phrase's field must keep positions")
            lengths.append(block_values[0])
            data.append(block_values[1])
        if expired():
            break
    if not gaps:
        return *_nothing(), None
    docnums = np.concatenate(gaps, dtype=np.int64)
    counts = [len(block) for block in gaps]
    if len(gaps) > 1:
        docnums[np.cumsum(counts[:-1])] -= lasts[:-1]
    np.cumsum(docnums, out=docnums)
    held = None
    if values:
        sizes = np.concatenate(lengths, dtype=np.int64)
        held = _Values(b"".join(data), np.cumsum(sizes) - sizes, sizes)
    if all(block is None for block in weights):  # the commonest: every word once
        return docnums, np.ones(len(docnums)), held
    return docnums, np.concatenate([np.ones(count) if block is None else block
                                    for block, count in zip(weights, counts, strict=True)],
                                   dtype=np.float64), held


_LENGTH_BYTES: WeakKeyDictionary = WeakKeyDictionary()


def _length_bytes(reader, field: str) -> bytes:
    """The length byte of every document of a segment in ``field``: Whoosh's
    ``_<field>_len`` column, one byte a document, read whole once per reader
    (the column's own reader decodes a byte per call)."""
    cache = _LENGTH_BYTES.setdefault(reader, {})
    if field not in cache:
        cache[field] = length_bytes(reader, field)
    return cache[field]
