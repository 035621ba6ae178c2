"""What a search knows of every passage without reading its stored fields:
its article, its date, its metadata keywords. Sorting by date, grouping by
article and counting facets ask this of every passage a query matches, and
reading a stored passage costs a decompression: these come from the index's
terms instead (``date``, ``keywords``) and from its ``order`` column (the
article id), read once per commit and kept while its reader lives.

The catalog also keeps what searches of one commit share, so that a query
asked again, or a passage shown again, costs no second read: the passages
last decoded (``PASSAGES_KEPT``, least recently used first out), every
passage's MinHash sketch (its column read whole, one read a segment) and
what orders it among equal scores (``codec.passage_order``), the
plans of the queries last asked (``PLANS_KEPT``), how the passages of
their first pages group into near-duplicates, the highlights of the
passages last shown, which passages hold the quoted phrases last checked
word for word (``LITERAL_CHECKS_KEPT``), and the scored postings of the
terms last searched (``POSTINGS_BYTES_KEPT``).
A new commit has a new reader, so none of it is ever stale. Threads may
share it: each table is changed under a lock, or is a dictionary changed
one whole call at a time (``orders``).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from frsearch.codec import HEADLINE_ORDER, read_passage_order
from frsearch.errors import IndexDamagedError
from frsearch.whoosh_internals import column_parts, fixed_bytes_column, var_bytes_column

__all__ = ["LITERAL_CHECKS_KEPT", "ORDERS_KEPT", "PASSAGES_KEPT", "PLANS_KEPT",
           "POSTINGS_BYTES_KEPT", "Catalog", "Kept", "catalog"]

PASSAGES_KEPT = 4096
"""Decoded passages kept a commit: twenty queries' worth of the 210 a page of
hits ranks, about 4 MB of the Littré's short passages."""
PLANS_KEPT = 256
"""Query plans kept a commit."""
ORDERS_KEPT = 16_384
"""Passage orders kept a commit: the 36 benchmark queries tie 4,600 passages
(147 a query at the median); one costs 1.8 µs to read again from the column,
0.13 µs kept, about a hundred bytes."""
LITERAL_CHECKS_KEPT = 1 << 18
"""Passages whose holding a quoted phrase word for word is kept a commit, all
phrases together: ``"à la fois"`` reads the 9,000 passages of the whole
Littré holding *fois* (half a second); asked again, it reads none."""
POSTINGS_BYTES_KEPT = 32 << 20
"""Bytes of scored postings kept a commit (``scoring``'s arrays of a term):
the 36 benchmark queries' terms take 0.4 MB on 10 MB of the Littré;
reading a term again costs its lookup in the term table and the decoding of
its blocks, a third of a median query."""


class Kept:
    """At most ``size`` values by key (with ``weigh``, values weighing
    ``size`` in all), the least recently used dropped first; safe to share
    between threads."""

    __slots__ = ("_lock", "_size", "_values", "_weigh", "_weight")

    def __init__(self, size: int, weigh: Callable[[Any], int] | None = None) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._weigh = weigh
        self._weight = 0

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

    def put(self, key: Hashable, value: Any) -> None:
        weigh = self._weigh
        if weigh is None:
            with self._lock:
                self._values[key] = value
                self._values.move_to_end(key)
                if len(self._values) > self._size:
                    self._values.popitem(last=False)
            return
        weight = weigh(value)
        if weight > self._size:
            return
        with self._lock:
            replaced = self._values.pop(key, None)
            if replaced is not None:
                self._weight -= weigh(replaced)
            self._values[key] = value
            self._weight += weight
            while self._weight > self._size:
                self._weight -= weigh(self._values.popitem(last=False)[1])

    def __len__(self) -> int:
        return len(self._values)


_Columns = tuple[list[int], list[Callable[[int], bytes]]]
"""(number of each segment's first document, a function giving the segment's
value of a column by document number in the segment)."""


class Catalog:
    """Per document number, the terms one field gives it, read on first use."""

    __slots__ = ("__weakref__", "_columns", "_fields", "_headlines", "_keywords", "_lock",
                 "_reader", "frequencies", "groupings", "highlights", "literals", "orders",
                 "passages", "plans", "postings")

    def __init__(self, reader) -> None:
        self._reader = reader
        self._fields: dict[str, dict[int, str]] = {}
        self._keywords: dict[str, dict[str, frozenset[int]]] = {}
        self._columns: dict[str, _Columns] = {}
        """Field name → its column in every segment (sketches, passage orders)."""
        self._headlines: Any = None
        """``headlines``, once asked for."""
        self._lock = threading.Lock()
        self.passages = Kept(PASSAGES_KEPT)
        """Document number → its ``StoredPassage``, for ``execution.StoredPassages``."""
        self.plans = Kept(PLANS_KEPT)
        """A query and its options → its plan, for ``Index.search``."""
        self.literals = Kept(LITERAL_CHECKS_KEPT, lambda kept: len(kept[1]))
        """A quoted phrase's ``literal_form`` → the passages found holding it
        word for word and those looked at, for ``execution.StoredPassages.holding``."""
        self.highlights = Kept(PASSAGES_KEPT)
        """(document number, a plan's patterns) → the passage's marked spans
        and snippet, for ``execution.StoredPassages.highlighted``."""
        self.orders: dict[int, bytes] = {}
        """Document number → its ``passage_order`` as ``_order_key`` bytes,
        for the passages tied before: the same queries tie the same passages
        again. Emptied when it holds ``ORDERS_KEPT``: an order costs 1.8 µs to
        read again, less than keeping the least recently used would cost a
        lookup."""
        self.groupings = Kept(PLANS_KEPT)
        """The document numbers of a window of passages → its groups of
        near-duplicates, for ``collapsing.page``."""
        self.postings = Kept(POSTINGS_BYTES_KEPT, _weight_of_postings)
        """A term's field, text and scoring parameters → its passages' document
        numbers and BM25F (and values if asked), for ``scoring``."""
        self.frequencies = Kept(ORDERS_KEPT)
        """(field, term) → how many passages hold it, for ``scoring.worth_arrays``."""

    def sketch(self, docnum: int) -> bytes:
        """The MinHash sketch of a passage (the ``text`` field's column), from
        the column of each segment read whole on first use."""
        return _value(self._whole_columns("text", fixed_bytes_column), docnum)

    def _whole_columns(self, fieldname: str, kind) -> _Columns:
        """A field's column in every segment, read whole the first time a
        thread asks (the others wait for it)."""
        columns = self._columns.get(fieldname)
        if columns is None:
            with self._lock:
                columns = self._columns.get(fieldname)
                if columns is None:
                    columns = self._columns[fieldname] = _columns(self._reader, fieldname, kind)
        return columns

    def passage_order(self, docnum: int) -> tuple[bytes, int]:
        """What orders a passage among equal scores: its article id in UTF-8
        and its number, from the ``order`` column (``codec.passage_order``),
        which holds the id in the article's first passage only."""
        orders = self._whole_columns("order", var_bytes_column)
        back, number, article = read_passage_order(_value(orders, docnum))
        return _article_of(partial(_value, orders), docnum, back, article), number

    def is_headline(self, docnum: int) -> bool:
        """Whether the passage is its article's headline: the article's first
        passage and numbered 0, which only a headline is (``articles``), its
        value in the ``order`` column starting with two zero bytes
        (``codec.passage_order``)."""
        orders = self._whole_columns("order", var_bytes_column)
        return _value(orders, docnum)[:2] == HEADLINE_ORDER

    def knows_headlines(self) -> bool:
        """Whether ``headlines`` has been read (asking it costs nothing then)."""
        return self._headlines is not None

    def headlines(self) -> Any:
        """``is_headline`` of every passage, as a numpy array of booleans by
        document number: 10 ms for the 750,000 passages of the Littré once
        the ``order`` column is read (25 ms more if not), where asking
        passage by passage takes a second."""
        if self._headlines is None:
            import numpy as np  # imported by the first search scored from arrays

            found = np.zeros(self._reader.doc_count_all(), dtype=bool)
            starts, segments = self._whole_columns("order", var_bytes_column)
            for start, (segment, _), value in zip(starts, self._reader.leaf_readers(),
                                                  segments, strict=True):
                count = segment.doc_count_all()
                parts = column_parts(value)
                if parts is not None:
                    lengths = np.asarray(parts.lengths[:count], dtype=np.int64)
                    at = np.asarray(parts.offsets[:count], dtype=np.int64)[lengths >= 2]
                    data = np.frombuffer(parts.data, dtype=np.uint8)
                    held = np.zeros(count, dtype=bool)
                    held[lengths >= 2] = (data[at] == 0) & (data[at + 1] == 0)
                    found[start:start + len(held)] = held
                else:  # a column Whoosh reads value by value
                    found[start:start + count] = [
                        value(docnum)[:2] == HEADLINE_ORDER for docnum in range(count)]
            self._headlines = found
        return self._headlines

    def passage_orders(self, docnums: list[int]) -> list[bytes]:
        """``passage_order`` of each of ``docnums`` as bytes that sort as it
        does (``_order_key``), and compare faster: a page sorts two hundred
        tied passages. Kept for the commit (``orders``)."""
        get = self.orders.get
        found = [get(docnum) for docnum in docnums]
        return [order if order is not None else self._kept_order(docnum)
                for docnum, order in zip(docnums, found, strict=True)]

    def _kept_order(self, docnum: int) -> bytes:
        order = _order_key(*self.passage_order(docnum))
        if len(self.orders) >= ORDERS_KEPT:
            self.orders.clear()
        self.orders[docnum] = order
        return order

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
        """Document number → its article's id, for the passages not deleted:
        from the ``order`` column, which holds it (``codec.passage_order``),
        a fifth of the time the ``article_id`` terms take (67 against 363 ms
        on the 80,000 passages of 10 MB of the Littré)."""
        found = self._fields.get("article_id")
        if found is None:
            found = self._fields["article_id"] = _article_ids(self._reader)
        return found

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


def _weight_of_postings(arrays: tuple) -> int:
    """Bytes of a term's arrays as ``scoring`` keeps them (numpy arrays, and
    its values' bytes and arrays, or None)."""
    docnums, scores, values = arrays
    weight = docnums.nbytes + scores.nbytes
    if values is not None:
        weight += len(values.data) + values.starts.nbytes + values.lengths.nbytes
    return weight


_SEGMENT_COLUMNS: WeakKeyDictionary = WeakKeyDictionary()
"""Segment reader → field name → its column as ``_columns`` reads it: once a
segment, for the catalog of its commit and for its own (Whoosh's matchers
run on each segment's reader, and ask the segment's catalog)."""


def _columns(reader, fieldname: str, read: Callable) -> _Columns:
    """The column of ``fieldname`` in each segment of ``reader``, as ``read``
    (``whoosh_internals.fixed_bytes_column`` or ``var_bytes_column``) gives it."""
    starts: list[int] = []
    segments: list[Callable[[int], bytes]] = []
    for segment, offset in reader.leaf_readers():
        starts.append(offset)
        with _CATALOGS_LOCK:
            read_before = _SEGMENT_COLUMNS.setdefault(segment, {})
        column = read_before.get(fieldname)
        if column is None:
            column = read_before[fieldname] = read(segment, fieldname)
        segments.append(column)
    return starts, segments


def _value(columns: _Columns, docnum: int) -> bytes:
    starts, segments = columns
    at = bisect_right(starts, docnum) - 1 if len(starts) > 1 else 0
    return segments[at](docnum - starts[at])


def _order_key(article: bytes, number: int) -> bytes:
    """(article id, number) as bytes that sort as the pair does, compared
    faster than it (a page sorts two hundred tied passages): the id, its zero
    bytes escaped, ended by two zero bytes, then the number's length and its
    bytes, big-endian."""
    size = (number.bit_length() + 7) // 8
    return (article.replace(b"\0", b"\0\xff") + b"\0\0" + size.to_bytes(2, "big")
            + number.to_bytes(size, "big"))


def _article_of(column: Callable[[int], bytes], docnum: int, back: int,
                article: bytes) -> bytes:
    """The article id (UTF-8) of passage ``docnum``, whose value in the
    ``order`` column (``column``) gave ``back`` and ``article``: the id is
    held by the article's first passage, ``back`` passages before."""
    if back:
        first, _, article = read_passage_order(column(docnum - back))
        if first:
            article = b""
    if not article:
        raise IndexDamagedError("a passage's order value names no article")
    return article


def _article_ids(reader) -> dict[int, str]:
    """Document number → article id of the passages of ``reader`` not deleted."""
    found: dict[int, str] = {}
    for segment, offset in reader.leaf_readers():
        column = var_bytes_column(segment, "order")
        first, article_id = -1, ""
        for docnum in segment.all_doc_ids():
            back, _, article = read_passage_order(column(docnum))
            if docnum - back != first:  # the next article
                first = docnum - back
                try:
                    article_id = _article_of(column, docnum, back, article).decode("utf-8")
                except UnicodeDecodeError:
                    raise IndexDamagedError("an article id of the order column is not UTF-8"
                                            ) from None
            found[docnum + offset] = article_id
    return found


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
