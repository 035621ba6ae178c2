"""Near-duplicate passages: wire copy repeated across articles, told apart by content.

At indexing time each passage gets a small MinHash sketch of its shingles (pairs
of consecutive index terms), so the differences that analysis already erases
(``13’000``/``13.000``, ``Otan``/``OTAN``, quote marks) cost nothing and a changed
word changes only the shingles around it. At query time, hits whose sketches
estimate a Jaccard similarity of at least ``MIN_SIMILARITY`` are grouped under
the best ranked.

The sketch is one-permutation MinHash: each shingle's hash (from its terms'
CRC-32) picks one of
``BINS`` bins by its low bits and the bin keeps the smallest hash it sees;
one byte of each minimum is stored. Two passages agree on a bin with a
probability equal to their Jaccard similarity (plus 1/256 by chance).
Indexing pays a multiplication per shingle; a sketch is ``BINS`` bytes.

On the seeds, copies of one wire paragraph have similarities of 0.83 and 1.0;
a paragraph that merges two others scores 0.6 and 0.47 against them, and
distinct paragraphs that share a sentence 0.38 at most (``tests/test_duplicates.py``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import lru_cache

__all__ = [
    "BINS", "EMPTY_BIN", "MIN_SIMILARITY", "are_near_duplicates", "is_comparable", "similarity",
    "sketch",
]

BINS = 16
MIN_SIMILARITY = 0.7
EMPTY_BIN = 255
_MIN_FILLED = 8
"""Sketches with fewer filled bins (headings, short lines) are never grouped."""


@lru_cache(maxsize=200_000)
def _term_hash(term: str) -> int:
    return zlib.crc32(term.encode())


def sketch(terms: Sequence[str]) -> bytes:
    """MinHash sketch of a passage's index terms, ``BINS`` bytes."""
    minima = [0xFFFFFFFF] * BINS
    hashes = [_term_hash(term) for term in terms]
    for first, second in zip(hashes, hashes[1:], strict=False):
        # a shingle's hash from its two terms' hashes (odd multiplier, xor):
        # stable across processes, unlike Python's hash()
        value = (first * 0x9E3779B1 ^ second) & 0xFFFFFFFF
        slot = value % BINS
        if value < minima[slot]:
            minima[slot] = value
    return bytes(EMPTY_BIN if m == 0xFFFFFFFF else (m >> 8) % EMPTY_BIN for m in minima)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingles of two sketched passages;
    0 when either is too short to judge."""
    filled_a = len(a) - a.count(EMPTY_BIN)
    filled_b = len(b) - b.count(EMPTY_BIN)
    if min(filled_a, filled_b) < _MIN_FILLED:
        return 0.0
    same = sum(1 for x, y in zip(a, b, strict=False) if x == y and x != EMPTY_BIN)
    return same / max(filled_a, filled_b)


def is_comparable(a: bytes) -> bool:
    """True if the sketch is full enough to be compared at all (see ``similarity``)."""
    return len(a) - a.count(EMPTY_BIN) >= _MIN_FILLED


def are_near_duplicates(a: bytes | None, b: bytes | None) -> bool:
    if not a or not b:
        return False
    return similarity(a, b) >= MIN_SIMILARITY
