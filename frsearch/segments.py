"""A segment's postings held in typed arrays, term by term, until it is written.

Whoosh's writer keeps every posting as a tuple (field, term, document, weight,
value) in a pool, sorts the pool at commit (spilling it to disk, pickled, past a
memory budget) and hands the sorted tuples to the codec. On a corpus of short
passages that pool and its sort took two fifths of indexing. Here each term of a
field gets its postings in document order: document numbers, weights and value
bytes in arrays, a few bytes a posting instead of a tuple of five objects. The
text fields come as word codes, a passage's words end to end, which
``streams`` makes postings of for the whole segment at once (``settle``); ids
and keywords come a term at a time. Writing the segment sorts the terms only
(``sorted_terms``), and ``codec.encode_postings`` turns each term's arrays into
the same posting blocks the codec always wrote.

Articles cross to the writer processes as plain tuples (``pack_article``):
each process makes the passages' documents and analyses them itself, so the
process reading the input neither analyses nor pickles documents.
"""

from __future__ import annotations

import dataclasses
import zlib
from array import array
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Union

from frsearch import analysis, duplicates
from frsearch.articles import Article, Passage
from frsearch.codec import EncodedTerm, decode_block
from frsearch.streams import CodeStream, form_postings, term_postings

__all__ = ["Held", "PostingsBuffer", "TermPostings", "as_postings", "pack_article",
           "single_posting", "trim_word_caches", "unpack_article"]

WORD_CACHE_ENTRIES = 60_000
"""Entries a word cache of the analysis (``functools.lru_cache``) may hold in a
writer process before it is emptied (``trim_word_caches``). Full, the caches
of ``analysis`` and ``duplicates`` hold 1.3 million words: near 200 MB in each
writer process on the whole Littré. Emptied at 60,000, the words a text uses
most are back after a few passages."""


def trim_word_caches(modules: Iterable[ModuleType] = (analysis, duplicates),
                     limit: int = WORD_CACHE_ENTRIES) -> int:
    """Empty the word caches of ``modules`` that hold more than ``limit``
    entries (every ``lru_cache`` function of theirs, and what has its
    ``cache_info``); returns how many."""
    emptied = 0
    for module in modules:
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if info is not None and not isinstance(value, type) and info().currsize > limit:
                value.cache_clear()
                emptied += 1
    return emptied

CODE_BYTES = 12
"""What a word code counts for in a segment's memory: four bytes held, four
more for its term's number while the segment is written, and the postings of
the chunk being written (``streams.CHUNK_CODES``). A writer process's segment
then takes about 60 MB at its peak (``whoosh_internals.SEGMENT_BYTES``)."""

_ARTICLE_FIELDS = tuple(field.name for field in dataclasses.fields(Article))
_PASSAGE_FIELDS = tuple(field.name for field in dataclasses.fields(Passage))


def pack_article(article: Article) -> tuple:
    """``article`` as a tuple of plain values: pickled in a third of the time
    a dataclass takes, and read back by ``unpack_article``."""
    values = [getattr(article, name) for name in _ARTICLE_FIELDS]
    values[_ARTICLE_FIELDS.index("passages")] = tuple(
        tuple(getattr(passage, name) for name in _PASSAGE_FIELDS)
        for passage in article.passages)
    return tuple(values)


def unpack_article(values: tuple) -> Article:
    fields = dict(zip(_ARTICLE_FIELDS, values, strict=True))
    fields["passages"] = tuple(Passage(*passage) for passage in fields["passages"])
    return Article(**fields)


Held = Union["TermPostings", EncodedTerm, int, tuple[int, float, "bytes | None"]]
"""A term's postings as the buffer holds them: ``TermPostings``, or for a
term seen once its document number (weight 1, no value) or (document,
weight, value), a third of the memory: most terms of a corpus are seen once
(every article's version and origin, the rare words). Terms from word codes
come encoded already (``codec.EncodedTerm``)."""


def _in_order(terms: dict) -> Iterator[tuple[bytes, Held]]:
    for term in sorted(terms):
        yield (term.encode("utf-8") if isinstance(term, str) else term), terms.pop(term)


def single_posting(held: int | tuple) -> tuple[int, float, bytes | None]:
    """(document, weight, value) of a term seen once (``Held``)."""
    if type(held) is int:
        return held, 1.0, None
    return held  # type: ignore[return-value]


def as_postings(held: Held) -> TermPostings:
    """``held`` as ``TermPostings``."""
    if type(held) is TermPostings:
        return held
    postings = TermPostings()
    if type(held) is not EncodedTerm:
        postings.add(*single_posting(held))  # type: ignore[arg-type]
        return postings
    for data, flags, count, *_ in held.blocks:
        ids, weights, values = decode_block(zlib.decompress(data) if flags else data, count)
        for index, (docnum, value) in enumerate(zip(ids, values(), strict=True)):
            postings.add(docnum, 1.0 if weights is None else weights[index], value)
    return postings



def _joined(before: Held, after: Held) -> TermPostings:
    """One term's postings: those held ``before``, then those ``after`` (of
    later documents). Only a write that settles twice joins postings."""
    joined = as_postings(before)
    later = as_postings(after)
    start = 0
    for index, docnum in enumerate(later.ids):
        value = None
        if later.lengths is not None:
            end = start + later.lengths[index]
            value = bytes(later.values[start:end])  # type: ignore[index]
            start = end
        joined.add(docnum, 1.0 if later.weights is None else later.weights[index], value)
    return joined


class TermPostings:
    """One term's postings: document numbers; weights, None while all are 1
    (most terms: a word once in each passage), else whole numbers in two bytes
    while they fit, else doubles; values end to end and each one's length,
    both None while every value is empty (fields that keep no positions).
    A term seen once costs an object and one small array."""

    __slots__ = ("ids", "weights", "values", "lengths")

    def __init__(self) -> None:
        self.ids = array("I")
        self.weights: array | None = None
        self.values: bytearray | None = None
        self.lengths: array | None = None

    def add(self, docnum: int, weight: float, value: bytes | None) -> None:
        self.ids.append(docnum)
        if weight != 1 or self.weights is not None:
            self.add_weight(weight)
        if value:
            self.add_value(value)
        elif self.lengths is not None:
            self.lengths.append(0)

    def add_weight(self, weight: float) -> None:
        """Record the weight of the posting just added (its id is in ``ids``)."""
        weights = self.weights
        if weights is None:
            weights = self.weights = array("H", [1]) * (len(self.ids) - 1)
        if weights.typecode == "H" and weight == int(weight):
            try:
                weights.append(int(weight))
                return
            except OverflowError:
                pass
        if weights.typecode == "H":
            weights = self.weights = array("d", weights)
        weights.append(weight)  # type: ignore[arg-type]

    def add_value(self, value: bytes) -> None:
        """Record the value of the posting just added (its id is in ``ids``)."""
        if self.lengths is None:
            self.values = bytearray()
            self.lengths = array("B", bytes(len(self.ids) - 1))
        self.values += value  # type: ignore[operator]
        try:
            self.lengths.append(len(value))
        except OverflowError:
            self.lengths = array("I", self.lengths)
            self.lengths.append(len(value))


class PostingsBuffer:
    """The postings of the segment being written, by field and term.

    Takes the place of Whoosh's posting pool in ``whoosh_internals``' writers:
    ``add_codes`` for a text field as ``indexing.FrenchText`` analyses it
    (word codes, made postings by ``settle``), ``add_term`` for a field whose
    value is its one term (an id), ``add_field`` for what any Whoosh field's
    ``index`` yields, ``add`` for Whoosh's posting tuples (a merge of older
    segments passes through it). Terms are kept as text where they come as
    text (see ``sorted_terms``).
    """

    def __init__(self) -> None:
        self.fields: dict[str, dict] = {}
        self.streams: dict[str, tuple[CodeStream, float | None]] = {}
        """Fields given as word codes (``add_codes``), each with its boost
        (None: an accent-form field), until ``settle`` makes them postings."""
        self.postings = 0
        self.codes = 0
        self.words = analysis.WORD_CODES
        """What the codes of ``streams`` stand for."""
        self.fieldnames: set[str] = set()  # Whoosh's multiprocessing writer reads it
        self._text_keys: set[str] = set()
        """Fields whose terms are kept as text, not UTF-8."""

    def _terms(self, fieldname: str, text: bool) -> dict:
        """The terms of ``fieldname``, keyed by text or by UTF-8 (converting
        those already held if they were keyed the other way)."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
            self.fieldnames.add(fieldname)
            if text:
                self._text_keys.add(fieldname)
        elif text != (fieldname in self._text_keys):
            if text:
                self._text_keys.add(fieldname)
                terms = {term.decode("utf-8"): postings for term, postings in terms.items()}
            else:
                self._text_keys.discard(fieldname)
                terms = {term.encode("utf-8"): postings for term, postings in terms.items()}
            self.fields[fieldname] = terms
        return terms

    def add_codes(self, fieldname: str, docnum: int, codes, boost: float | None) -> None:
        """Add a document's word codes (``analysis.word_codes``) to field
        ``fieldname``: its terms and positions with ``boost`` as their
        weight, or (``boost`` None) the accent forms of its words. Made
        postings by ``settle``, all of a field's at once."""
        held = self.streams.get(fieldname)
        if held is None:
            held = self.streams[fieldname] = (CodeStream(), boost)
            self.fieldnames.add(fieldname)
        held[0].add(docnum, codes)
        self.codes += len(codes)

    def settle(self) -> None:
        """Turn the word codes of every field into postings (``streams``),
        after those the field holds already: before a document is added
        another way (a merge), whose postings come after. Writing the segment
        needs no settling: ``sorted_terms`` takes a field's codes a chunk of
        terms at a time."""
        for fieldname in list(self.streams):
            self._settle(fieldname)

    def _settle(self, fieldname: str) -> None:
        terms = self._terms(fieldname, text=True)
        for term, postings in self._from_codes(fieldname):
            before = terms.get(term)
            terms[term] = postings if before is None else _joined(before, postings)
            self.postings += len(postings.ids) if isinstance(postings, TermPostings) else 1

    def _from_codes(self, fieldname: str) -> Iterator[tuple[str, Held]]:
        """The postings of field ``fieldname``'s word codes, in term order;
        the codes are let go."""
        stream, boost = self.streams.pop(fieldname)
        self.codes -= len(stream.codes)
        if boost is None:
            return form_postings(stream, self.words)
        return term_postings(stream, self.words, boost)

    def add_term(self, fieldname: str, docnum: int, term: str, weight: float) -> None:
        """Add a document's one term, without a value (an id field's)."""
        terms = self.fields.get(fieldname)
        if terms is None or fieldname not in self._text_keys:
            terms = self._terms(fieldname, text=True)
        postings = terms.get(term)
        self.postings += 1
        if postings is None:
            terms[term] = docnum if weight == 1 else (docnum, weight, None)
            return
        if type(postings) is not TermPostings:
            postings = terms[term] = as_postings(postings)
        postings.add(docnum, weight, None)

    def add_field(self, fieldname: str, docnum: int,
                  items: Iterable[tuple[bytes, int, float, bytes | None]]) -> int:
        """Add the postings a field's ``index(value)`` gave for one document;
        returns the field's length in that document (its terms' frequencies)."""
        terms = self._terms(fieldname, text=False)
        length = 0
        for term, frequency, weight, value in items:
            length += frequency
            self._add(terms, term, docnum, weight, value)
        return length

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting as Whoosh's pool takes it: (field, term, document, weight, value)."""
        fieldname, term, docnum, weight, value = item
        self._add(self._terms(fieldname, text=False), term, docnum, weight, value)

    def _add(self, terms: dict, term, docnum: int, weight: float, value: bytes | None) -> None:
        postings = terms.get(term)
        self.postings += 1
        if postings is None:
            terms[term] = (docnum, weight, value)
            return
        if type(postings) is not TermPostings:
            postings = terms[term] = as_postings(postings)
        postings.add(docnum, weight, value)

    def sorted_terms(self) -> Iterator[tuple[str, Iterator[tuple[bytes, Held]]]]:
        """Each field in name order, with its terms as UTF-8 in byte order (the
        order of Whoosh's term table: text's code point order is UTF-8's byte
        order) and their postings (``Held``). A term's postings are let go
        once written."""
        for fieldname in sorted({*self.fields, *self.streams}):
            if fieldname in self.streams and fieldname not in self.fields:
                yield fieldname, ((term.encode("utf-8"), postings)
                                  for term, postings in self._from_codes(fieldname))
                continue
            if fieldname in self.streams:
                self._settle(fieldname)
            yield fieldname, _in_order(self.fields[fieldname])
            del self.fields[fieldname]

    def estimated_bytes(self) -> int:
        """About how much memory the postings take: a posting holds ten bytes
        or so in the arrays, a term a hundred and fifty (its key, its entry,
        its arrays' headers; less while it is seen once); a word code
        ``CODE_BYTES``."""
        return 10 * self.postings + 150 * sum(len(terms) for terms in self.fields.values()) \
            + CODE_BYTES * self.codes

    def cleanup(self) -> None:
        self.fields.clear()
        self.streams.clear()
        self._text_keys.clear()
