"""What a search knows of every passage without reading its stored fields:
its article, its date, its metadata keywords. Sorting by date, grouping by
article and counting facets ask this of every passage a query matches, and
reading a stored passage costs a decompression: these come from the index's
terms instead (``article_id``, ``date``, ``keywords``), read once per commit
and kept while its reader lives.

The catalog also keeps what searches of one commit share, so that a query
asked again, or a passage shown again, costs no second read: the passages
last decoded (``PASSAGES_KEPT``, least recently used first out) and, many
more, their passage ids (``PASSAGE_IDS_KEPT``), every
passage's MinHash sketch (its column read whole, one read a segment), the
plans of the queries last asked (``PLANS_KEPT``), how the passages of
their first pages group into near-duplicates, and the highlights of the
passages last shown. A new commit has a new
reader, so none of it is ever stale. Threads may share it: each table is
changed under a lock.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any
from weakref import WeakKeyDictionary

from frsearch.whoosh_internals import fixed_bytes_column

__all__ = ["PASSAGES_KEPT", "PASSAGE_IDS_KEPT", "PLANS_KEPT", "Catalog", "Kept", "catalog"]

PASSAGES_KEPT = 4096
"""Decoded passages kept a commit: twenty queries' worth of the 210 a page of
hits ranks, about 4 MB of the Littré's short passages."""
PASSAGE_IDS_KEPT = 65536
"""Passage ids, as (article id, paragraph), kept a commit apart from whole
passages: equal scores are ordered by them, and a common word's first 210
passages are nearly all ties, so a query reads some 200 passages for their
ids alone (the whole Littré's benchmark queries read 7,000 in turn, which
``PASSAGES_KEPT`` cannot hold, and every read missed). A tenth of a passage's
memory each: about 8 MB."""
PLANS_KEPT = 256
"""Query plans kept a commit."""


class Kept:
    """At most ``size`` values by key, the least recently used dropped first;
    safe to share between threads."""

    __slots__ = ("_lock", "_size", "_values")

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The value kept for ``key``, None if none. Without the lock: each
        step is one call of the dictionary, whole under the interpreter's
        lock, and a search asks thousands of times."""
        values = self._values
        value = values.get(key)
        if value is not None:
            try:
                values.move_to_end(key)
            except KeyError:  # dropped by another thread meanwhile
                pass
        return value

    def get_many(self, keys: Iterable[Hashable]) -> list[Any]:
        """The values kept for ``keys`` (None for those not kept), in one call,
        without counting them as used: for many small values read at once,
        which the table then drops oldest first."""
        return list(map(self._values.get, keys))

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            if len(self._values) > self._size:
                self._values.popitem(last=False)

    def __len__(self) -> int:
        return len(self._values)


class Catalog:
    """Per document number, the terms one field gives it, read on first use."""

    __slots__ = ("__weakref__", "_fields", "_keywords", "_lock", "_reader", "_sketches",
                 "groupings", "highlights", "passage_ids", "passages", "plans")

    def __init__(self, reader) -> None:
        self._reader = reader
        self._fields: dict[str, dict[int, str]] = {}
        self._keywords: dict[str, dict[str, frozenset[int]]] = {}
        self._sketches: tuple[list[int], list[Callable[[int], bytes]]] | None = None
        self._lock = threading.Lock()
        self.passages = Kept(PASSAGES_KEPT)
        """Document number → its ``StoredPassage``, for ``execution.StoredPassages``."""
        self.passage_ids = Kept(PASSAGE_IDS_KEPT)
        """Document number → its passage's (article id, paragraph), for
        ``execution.StoredPassages.passage_ids``."""
        self.plans = Kept(PLANS_KEPT)
        """A query and its options → its plan, for ``Index.search``."""
        self.highlights = Kept(PASSAGES_KEPT)
        """(document number, a plan's patterns) → the passage's marked spans
        and snippet, for ``execution.StoredPassages.highlighted``."""
        self.groupings = Kept(PLANS_KEPT)
        """The document numbers of a window of passages → its groups of
        near-duplicates, for ``collapsing.page``."""

    def sketch(self, docnum: int) -> bytes:
        """The MinHash sketch of a passage (the ``text`` field's column), from
        the column of each segment read whole on first use."""
        sketches = self._sketches
        if sketches is None:
            with self._lock:
                if self._sketches is None:
                    self._sketches = _sketch_columns(self._reader)
                sketches = self._sketches
        starts, segments = sketches
        at = bisect_right(starts, docnum) - 1 if len(starts) > 1 else 0
        return segments[at](docnum - starts[at])

    def _of(self, fieldname: str) -> dict[int, str]:
        """Document number → its term in ``fieldname`` (an ID field, one term a
        passage), for the passages not deleted."""
        found = self._fields.get(fieldname)
        if found is None:
            found = self._fields[fieldname] = {}
            if fieldname in self._reader.schema:
                for segment, offset in self._reader.leaf_readers():
                    for term in segment.lexicon(fieldname):
                        text = term.decode("utf-8")
                        found.update((docnum + offset, text) for docnum
                                     in segment.postings(fieldname, term).all_ids())
        return found

    def dates(self) -> dict[int, str]:
        """Document number → the date of its article as written (``2021-12``)."""
        return self._of("date")

    def articles(self) -> dict[int, str]:
        """Document number → its article's id."""
        return self._of("article_id")

    def keyword(self, name: str) -> dict[str, frozenset[int]]:
        """Each value of metadata ``name`` (as ``indexing.keyword_term`` writes
        it, lowercased) → the document numbers holding it."""
        found = self._keywords.get(name)
        if found is None:
            held: dict[str, set[int]] = {}
            prefix = f"{name}="
            if "keywords" in self._reader.schema:
                for segment, offset in self._reader.leaf_readers():
                    for term in segment.expand_prefix("keywords", prefix):
                        text = term.decode("utf-8") if isinstance(term, bytes) else term
                        held.setdefault(text[len(prefix):], set()).update(
                            docnum + offset for docnum
                            in segment.postings("keywords", term).all_ids())
            found = self._keywords[name] = {value: frozenset(docnums)
                                            for value, docnums in held.items()}
        return found


def _sketch_columns(reader) -> tuple[list[int], list[Callable[[int], bytes]]]:
    """(number of each segment's first document, a function giving a sketch
    by document number in the segment) for the segments of ``reader``."""
    starts: list[int] = []
    segments: list[Callable[[int], bytes]] = []
    for segment, offset in reader.leaf_readers():
        starts.append(offset)
        segments.append(fixed_bytes_column(segment, "text"))
    return starts, segments


_CATALOGS: WeakKeyDictionary = WeakKeyDictionary()
_CATALOGS_LOCK = threading.Lock()


def catalog(reader) -> Catalog:
    """The catalog of ``reader``'s commit, made once while the reader lives."""
    found = _CATALOGS.get(reader)
    if found is None:
        with _CATALOGS_LOCK:  # one a reader, so that threads share its tables
            found = _CATALOGS.get(reader)
            if found is None:
                found = _CATALOGS[reader] = Catalog(reader)
    return found
