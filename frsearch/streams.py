"""A segment's text fields as word codes, turned into postings all at once.

Indexing a passage used to build, for each field, a dict of its terms and their
positions, then append each term's posting to that term's arrays: a few Python
operations per word and per posting, two fifths of a writer's time. Here a
passage's words are an array of integer codes (``analysis.word_codes``: one
dict lookup a word, the position is the index), appended end to end to one
array per field (``CodeStream``). When the segment is written, numpy sorts the
codes of the whole segment by term, groups them by passage, encodes the word
positions of every posting and lays out the posting blocks of a chunk of terms
in a few array operations (``term_postings``, ``codec.encode_terms_at_once``);
Python is left the work a term takes. The bytes and sketches are exactly those
the per-passage path made (``tests/test_segment_writer.py`` compares the
segment files byte for byte).

numpy's import takes longer than analysing a few articles: a field of fewer
than ``ARRAYS_FROM`` codes (an article added by an application, the seeds) is
made postings by a loop in Python instead, the same postings.
"""

from __future__ import annotations

import sys
import threading
import zlib
from array import array
from collections.abc import Iterator
from typing import TYPE_CHECKING

from frsearch.analysis import WordCodes
from frsearch.codec import encode_terms_at_once
from frsearch.duplicates import BINS, EMPTY_BIN, sketch

if TYPE_CHECKING:
    from frsearch.segments import Held

__all__ = ["CodeStream", "form_postings", "sketches", "term_postings"]

ARRAYS_FROM = 200_000
"""Word codes from which numpy makes a field's postings and sketches (about a
megabyte of text, which Python's loop takes 0.2 s for and numpy's import
0.05 s); fewer go through ``_postings_by_loop`` unless numpy is loaded
already (its arrays then hold them in less memory)."""
CHUNK_CODES = 1 << 16
"""Word codes sorted and encoded at a time: terms are taken in ranges holding
about this many occurrences, so that the arrays working on them (some 60
bytes an occurrence) stay near 4 MB however large the segment. With a quarter
of a million, a writer process's peak was 20 MB higher on 10 MB of the
Littré, for no measurable gain in speed."""


class CodeStream:
    """One field's word codes for the documents of a segment, end to end:
    document ``docnums[i]``'s codes start at ``starts[i]``."""

    __slots__ = ("codes", "docnums", "starts")

    def __init__(self) -> None:
        self.codes = array("i")
        self.docnums = array("q")
        self.starts = array("q")

    def add(self, docnum: int, codes: array) -> None:
        self.docnums.append(docnum)
        self.starts.append(len(self.codes))
        self.codes.extend(codes)

    def __len__(self) -> int:
        return len(self.docnums)


def _form_terms(np, words: WordCodes):
    """The term number of each accent form's code (``WordCodes.forms``)."""
    return np.array([term for term, _ in words.forms], dtype=np.int32)


def _term_numbers(np, codes, form_terms):
    """Each of ``codes``' term number (0: a stop word), as a numpy array."""
    terms = np.frombuffer(codes, dtype=np.int32).copy()
    accented = terms < 0
    terms[accented] = form_terms[-terms[accented]]
    return terms


def term_postings(stream: CodeStream, words: WordCodes, boost: float
                  ) -> Iterator[tuple[str, Held]]:
    """Each term of ``stream`` in order (as text, the order of its UTF-8
    bytes) and its postings as ``segments.PostingsBuffer`` holds them
    (``segments.Held``): document numbers, weights (occurrences times
    ``boost``) and word positions as ``codec.CompactPositions`` encodes them,
    a byte a gap (four when a gap passes 255). The codes of ``stream`` are
    let go (its last use): only a chunk's postings are held at a time,
    encoded already (``codec.EncodedTerm``)."""
    if not len(stream):
        return
    if _by_loop(stream) or boost != 1.0:  # numpy's encoding takes whole weights
        yield from _postings_by_loop(stream, words, boost)
        return
    import numpy as np

    terms = _term_numbers(np, stream.codes, _form_terms(np, words))
    stream.codes = array("i")
    starts = np.frombuffer(stream.starts, dtype=np.int64)
    docnums = np.frombuffer(stream.docnums, dtype=np.int64)
    # terms renumbered in their order, so that chunks come in that order
    occurrences = np.bincount(terms, minlength=len(words.terms))
    occurrences[0] = 0
    present = sorted(np.flatnonzero(occurrences).tolist(), key=words.terms.__getitem__)
    rank = np.zeros(len(occurrences), dtype=np.int32)
    rank[present] = np.arange(1, len(present) + 1, dtype=np.int32)
    terms = rank[terms]
    names = ["", *(words.terms[term] for term in present)]
    bounds = np.cumsum(occurrences[[0, *present]])
    low = 1
    while low < len(names):
        # the terms from ``low`` whose occurrences fill a chunk (one term at least)
        high = int(np.searchsorted(bounds, bounds[low - 1] + CHUNK_CODES, side="right"))
        high = max(high, low + 1)
        yield from _chunk(np, terms, starts, docnums, low, high, names)
        low = high


def _by_loop(stream: CodeStream) -> bool:
    """True if Python's loop is to make the postings or sketches of
    ``stream``: few codes, and numpy not imported yet."""
    return len(stream.codes) < ARRAYS_FROM and "numpy" not in sys.modules


def _documents(stream: CodeStream) -> Iterator[tuple[int, array]]:
    """Each document of ``stream`` and its codes."""
    codes, starts = stream.codes, stream.starts
    ends = [*starts[1:], len(codes)]
    for docnum, start, end in zip(stream.docnums, starts, ends, strict=True):
        yield docnum, codes[start:end]


def _postings_by_loop(stream: CodeStream, words: WordCodes, boost: float
                      ) -> Iterator[tuple[str, Held]]:
    """``term_postings`` of a small ``stream``, without numpy."""
    from frsearch.codec import CompactPositions
    from frsearch.segments import TermPostings

    encode = CompactPositions().encode
    forms = words.forms
    postings: dict[int, list[tuple[int, list[int]]]] = {}
    for docnum, codes in _documents(stream):
        positions: dict[int, list[int]] = {}
        for position, code in enumerate(codes):
            if code:
                positions.setdefault(code if code > 0 else forms[-code][0], []).append(position)
        for term, found in positions.items():
            postings.setdefault(term, []).append((docnum, found))
    for term in sorted(postings, key=words.terms.__getitem__):
        held = postings[term]
        if len(held) == 1:
            docnum, found = held[0]
            yield words.terms[term], (docnum, len(found) * boost, encode(found))
            continue
        kept = TermPostings()
        for docnum, found in held:
            kept.add(docnum, len(found) * boost, encode(found))
        yield words.terms[term], kept


def _chunk(np, terms, starts, docnums, low: int, high: int, names: list[str]
           ) -> Iterator[tuple[str, Held]]:
    """``term_postings`` of the terms numbered ``low`` to ``high``."""
    encoded = _encode(np, terms, starts, docnums, low, high)
    if encoded is None:
        return
    group_terms, ids, frequencies, lengths, values, value_starts = encoded
    term_firsts = np.flatnonzero(np.append(True, group_terms[1:] != group_terms[:-1]))
    term_ends = np.append(term_firsts[1:], len(ids))
    held = encode_terms_at_once(np, ids, frequencies, lengths, values, value_starts,
                                term_firsts, term_ends)
    for term, postings in zip(group_terms[term_firsts].tolist(), held, strict=True):
        yield names[term], postings


def _encode(np, terms, starts, docnums, low: int, high: int):
    """The postings of the terms numbered ``low`` to ``high``, one a (term,
    document) in term then document order: their terms, document numbers,
    frequencies, and values (encoded positions) end to end with the length
    and start of each; None if no word has such a term."""
    where = np.flatnonzero((terms >= low) & (terms < high))
    if not len(where):
        return None
    chunk = terms[where]
    order = np.argsort(chunk, kind="stable")  # stable: document, then position order kept
    where, chunk = where[order].astype(np.int32), chunk[order]
    del order
    document = (np.searchsorted(starts, where, side="right") - 1).astype(np.int32)
    position = where - starts[document].astype(np.int32)
    del where
    count = len(position)

    # a posting's first occurrence starts a group
    starts_group = np.ones(count, dtype=bool)
    starts_group[1:] = (chunk[1:] != chunk[:-1]) | (document[1:] != document[:-1])
    firsts = np.flatnonzero(starts_group).astype(np.int32)
    frequencies = np.diff(np.append(firsts, count)).astype(np.int32)
    gaps = position.copy()
    gaps[1:] -= position[:-1]
    gaps[firsts] = position[firsts]
    del position
    wide = np.maximum.reduceat(gaps, firsts) > 255
    lengths = np.where(wide, 1 + 4 * frequencies, 1 + frequencies).astype(np.uint32)
    value_starts = (np.cumsum(lengths, dtype=np.int64) - lengths)
    values = np.zeros(int(value_starts[-1] + lengths[-1]), dtype=np.uint8)  # narrow: 0 first
    group = (np.cumsum(starts_group, dtype=np.int32) - 1)
    del starts_group
    narrow = ~wide[group]
    offset = value_starts[group] + 1 + (np.arange(count, dtype=np.int32) - firsts[group])
    del group
    values[offset[narrow]] = gaps[narrow]
    del offset, narrow
    for each in np.flatnonzero(wide).tolist():
        wide_gaps = gaps[firsts[each]:firsts[each] + frequencies[each]].astype(np.uint32)
        values[value_starts[each]:value_starts[each] + lengths[each]] = np.frombuffer(
            b"\x01" + wide_gaps.tobytes(), dtype=np.uint8)
    ids = docnums[document[firsts]].astype(np.uint32)
    return chunk[firsts], ids, frequencies, lengths, values, value_starts


def form_postings(stream: CodeStream, words: WordCodes) -> Iterator[tuple[str, Held]]:
    """Each ``analysis.accent_form`` of the words of ``stream``, in order, and
    the documents holding it (weight 1, no value), as ``segments.Held``. Few
    words have one: a loop over them does."""
    from frsearch.segments import TermPostings

    documents: dict[int, list[int]] = {}
    for docnum, codes in _documents(stream):
        for code in {code for code in codes if code < 0}:
            documents.setdefault(-code, []).append(docnum)
    for form, held in sorted((words.forms[code][1], held) for code, held in documents.items()):
        if len(held) == 1:
            yield form, (held[0], 1.0, b"")
        else:
            postings = TermPostings()
            postings.ids.extend(held)
            yield form, postings


_HASHES = array("I")
"""CRC-32 of each term of ``analysis.WORD_CODES`` (``duplicates``' term hash),
made once a term."""
_HASHING = threading.Lock()
"""Threads writing two indexes at once extend ``_HASHES`` one at a time."""


def sketches(stream: CodeStream, words: WordCodes) -> list[bytes]:
    """The ``duplicates.sketch`` of each document of ``stream``, in its order:
    MinHash over the shingles (pairs of consecutive terms) of many documents
    at once, ``CHUNK_CODES`` words at a time."""
    if _by_loop(stream):
        forms = words.forms
        return [sketch([words.terms[code if code > 0 else forms[-code][0]]
                        for code in codes if code]) for _, codes in _documents(stream)]
    import numpy as np

    with _HASHING:
        if len(_HASHES) > len(words.terms):
            del _HASHES[:]
        _HASHES.extend(zlib.crc32(term.encode()) for term in words.terms[len(_HASHES):])
        hashes = np.frombuffer(_HASHES, dtype=np.uint32).copy()
    form_terms = _form_terms(np, words)
    starts = np.frombuffer(stream.starts, dtype=np.int64)
    made: list[bytes] = []
    first = 0
    while first < len(starts):
        end = int(np.searchsorted(starts, starts[first] + CHUNK_CODES, side="right"))
        end = max(end, first + 1)
        stop = int(starts[end]) if end < len(starts) else len(stream.codes)
        terms = _term_numbers(np, stream.codes[starts[first]:stop], form_terms)
        flat = _sketched(np, hashes, terms, starts[first:end] - starts[first])
        made += [flat[at:at + BINS] for at in range(0, len(flat), BINS)]
        first = end
    return made


def _sketched(np, hashes, terms, starts) -> bytes:
    """The sketches of the documents starting at ``starts`` in ``terms``, end to end."""
    where = np.flatnonzero(terms)
    document = np.searchsorted(starts, where, side="right") - 1
    term_hashes = hashes[terms[where]].astype(np.uint64)
    same = document[1:] == document[:-1]
    shingles = ((term_hashes[:-1][same] * 0x9E3779B1) ^ term_hashes[1:][same]) & 0xFFFFFFFF
    bins = document[1:][same] * BINS + (shingles % BINS).astype(np.int64)
    minima = np.full(len(starts) * BINS, 0xFFFFFFFF, dtype=np.uint64)
    np.minimum.at(minima, bins, shingles)
    sketched = np.where(minima == 0xFFFFFFFF, EMPTY_BIN, (minima >> 8) % EMPTY_BIN)
    return sketched.astype(np.uint8).tobytes()
