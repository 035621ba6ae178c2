"""How the index lays its bytes on disk: Whoosh's codec, made compact for passages.

Whoosh's own format (``W3Codec``) pickles each posting block and each document's
stored fields, then compresses them one by one. On a corpus of short passages
most blocks hold a handful of postings and most records a hundred bytes, so the
pickle framing and the per-block zlib header cost more than the data, and zlib
cannot compress a record of a hundred bytes on its own. Here:

- a posting block is a small fixed header and typed arrays (document gaps,
  weights, value lengths, then the values), compressed only when that pays;
- a term's postings are written a block at a time, not a posting at a time;
- a passage's stored record is JSON (data only: reading an index never runs
  code, see ``storage``), compressed with a preset dictionary (zlib's
  ``zdict``) sampled from the first passages indexed, so that the words and the
  framing its records share with the others cost almost nothing.

The dictionary belongs to the codec object, which Whoosh keeps with each segment
in the table of contents: every segment can be read with the dictionary it was
written with, and a merge writes its records again with the newest one.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import zlib
from array import array
from collections.abc import Iterator, Sequence
from itertools import accumulate, groupby
from operator import itemgetter
from pathlib import Path

from whoosh import columns
from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.formats import Positions

from frsearch.errors import IndexDamagedError

__all__ = ["FORMAT_VERSION", "CompactPositions", "PassageCodec", "dictionary_sample"]

FORMAT_VERSION = 2
"""Version of the bytes this codec writes, kept with each segment: 2 stores
records as JSON (1 pickled them)."""

BLOCK_POSTINGS = 128
"""Postings per block: Whoosh's default, a block decoded at a time when searching."""
DICTIONARY_BYTES = 32 * 1024
"""Size of the preset dictionary: zlib's window, all it can refer back to."""
COMPRESS_FROM = 48
"""Blocks shorter than this are stored as they are: zlib would not shrink them."""

_BLOCK_HEADER = struct.Struct("<iBIfB")
"""Signed length of the rest of the block (negative for a term's last block),
postings in it, last document number, highest weight, flags."""
_COMPRESSED = 1
_BIG_ENDIAN = sys.byteorder == "big"
_ALL_ONE, _NONE = b"1", b"0"
"""Marks of an array that is not written: every weight 1.0; no values."""


# -- word positions -----------------------------------------------------------

_ONE_POSITION = [bytes((0, position)) for position in range(256)]


class CompactPositions(Positions):
    """Word positions of a posting as bytes: one byte per gap when all gaps are
    under 256, as nearly all are (Whoosh's own format pickles a list of ints).
    Indexing encodes millions of these; it saves a quarter of the postings' size."""

    _BYTE_GAPS, _INT_GAPS = 0, 1

    def encode(self, poslist):
        if len(poslist) == 1 and poslist[0] < 256:  # most postings: a word once
            return _ONE_POSITION[poslist[0]]
        gaps = [poslist[0], *(b - a for a, b in zip(poslist, poslist[1:], strict=False))]
        if max(gaps) < 256:
            return b"\x00" + bytes(gaps)
        return b"\x01" + array("I", gaps).tobytes()

    def decode_positions(self, valuestring):
        if valuestring[0] == self._BYTE_GAPS:
            gaps = valuestring[1:]
        else:
            gaps = array("I")
            gaps.frombytes(valuestring[1:])
        return list(accumulate(gaps))

    def decode_frequency(self, valuestring):
        if valuestring[0] == self._BYTE_GAPS:
            return len(valuestring) - 1
        return (len(valuestring) - 1) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


# -- typed arrays ---------------------------------------------------------------

def _pack_ints(values) -> bytes:
    """Non-negative ints as a type code and the smallest array that holds them."""
    top = max(values)
    code = "B" if top < 0x100 else "H" if top < 0x10000 else "I"
    packed = array(code, values)
    if _BIG_ENDIAN and code != "B":
        packed.byteswap()
    return code.encode() + packed.tobytes()


def _pack_weights(weights) -> bytes:
    if all(weight == 1.0 for weight in weights):
        return _ALL_ONE
    if all(weight == int(weight) and 0 <= weight < 0x10000 for weight in weights):
        return _pack_ints([int(weight) for weight in weights])
    packed = array("d", weights)  # as Whoosh keeps them: 64-bit
    if _BIG_ENDIAN:
        packed.byteswap()
    return b"d" + packed.tobytes()


def _unpack(data: bytes, at: int, count: int) -> tuple[array | None, int]:
    """The array of ``count`` items written at ``at`` (None for a mark), and
    where the next one starts."""
    code = chr(data[at])
    if code in "10":
        return None, at + 1
    items = array(code)
    end = at + 1 + count * items.itemsize
    items.frombytes(data[at + 1:end])
    if _BIG_ENDIAN and items.itemsize > 1:
        items.byteswap()
    return items, end


# -- posting blocks -------------------------------------------------------------

def encode_block(ids, weights, values) -> tuple[bytes, int]:
    """The data of one block and its flags: gaps between document numbers,
    weights, value lengths, values; compressed when that makes it shorter."""
    gaps = [ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))]
    lengths = [len(value) if value else 0 for value in values]  # None: no value
    parts = [_pack_ints(gaps), _pack_weights(weights)]
    if any(lengths):
        parts += [_pack_ints(lengths), *(value for value in values if value)]
    else:
        parts.append(_NONE)
    data = b"".join(parts)
    if len(data) >= COMPRESS_FROM:
        packed = zlib.compress(data, 6)
        if len(packed) < len(data):
            return packed, _COMPRESSED
    return data, 0


def decode_block(data: bytes, count: int):
    """Document numbers and weights (None: all 1.0) of a block, and a function
    that returns its values (None: empty): only phrases need them, and slicing
    them out costs as much as the rest."""
    gaps, at = _unpack(data, 0, count)
    weights, at = _unpack(data, at, count)
    lengths, at = _unpack(data, at, count)

    def values() -> tuple | None:
        if lengths is None:
            return None
        ends = list(accumulate(lengths, initial=at))
        return tuple(data[start:end] for start, end in zip(ends, ends[1:], strict=False))

    return tuple(accumulate(gaps)), weights, values


class CompactPostingsWriter(W3PostingsWriter):
    """Writes a term's whole posting list at once, a block at a time."""

    def write_term(self, terminfo, ids: list[int], weights: list[float], values: list[bytes]):
        postfile = self._postfile
        start = postfile.tell()
        count = len(ids)
        blocks = []
        for first in range(0, count, BLOCK_POSTINGS):
            last = min(first + BLOCK_POSTINGS, count)
            block_weights = weights[first:last]
            data, flags = encode_block(ids[first:last], block_weights, values[first:last])
            length = _BLOCK_HEADER.size - 4 + len(data)
            blocks.append(_BLOCK_HEADER.pack(-length if last == count else length,
                                             last - first, ids[last - 1],
                                             max(block_weights), flags))
            blocks.append(data)
        postfile.write(b"".join(blocks))
        terminfo._weight = float(sum(weights))
        terminfo._df = count
        terminfo._maxweight = float(max(weights))
        terminfo._minid, terminfo._maxid = ids[0], ids[-1]
        terminfo.set_extent(start, postfile.tell() - start)
        return terminfo


class CompactFieldWriter(W3FieldWriter):
    """Takes the sorted postings of a segment a term at a time (Whoosh's own
    loop makes three calls per posting)."""

    def add_postings(self, schema, lengths, items):
        field_name = None
        for (name, term), postings in groupby(items, key=itemgetter(0, 1)):
            if name != field_name:
                if field_name is not None:
                    self.finish_field()
                self.start_field(name, schema[name])
                field_name = name
            _, _, ids, weights, values = zip(*postings, strict=True)
            terminfo = self._postwriter.write_term(W3TermInfo(), ids, weights, values)
            self._tindex.add(self._term_key(term), terminfo.to_bytes())
        if field_name is not None:
            self.finish_field()

    def _term_key(self, term: bytes) -> bytes:
        return struct.pack("!H", self._fieldid) + term


class CompactLeafMatcher(W3LeafMatcher):
    """Reads the blocks ``CompactPostingsWriter`` writes."""

    def _read_header(self):
        self._baseoffset = self._startoffset

    def blocks(self) -> Iterator[tuple[tuple, Sequence[float]]]:
        """Document numbers and weights of the postings, a block at a time, from
        the current block on (for scoring without stepping posting by posting)."""
        while self.is_active():
            self._read_ids()
            self._read_weights()
            yield self._ids, self._weights
            self._next_block()

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        header = self._postfile.get(position, _BLOCK_HEADER.size)
        length, count, self._maxid, self._maxweight, self._compression = \
            _BLOCK_HEADER.unpack(header)
        self._lastblock = length < 0
        self._blocklength = count
        self._dataoffset = position + _BLOCK_HEADER.size
        self._nextoffset = position + 4 + abs(length)
        # no length statistics (PassageCodec.length_stats): bounds that hold for any block
        self._minlength, self._maxlength = 0, 0xFFFFFFFF

    def _read_data(self):
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        if self._compression & _COMPRESSED:
            data = zlib.decompress(data)
        self._data = decode_block(data, self._blocklength)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = self._data[0]

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        self._weights = (1.0,) * self._blocklength if weights is None else weights

    def _read_values(self):
        if self._data is None:
            self._read_data()
        values = self._data[2]()
        self._values = (None,) * self._blocklength if values is None else values


# -- stored records ----------------------------------------------------------------

def encode_record(stored: dict) -> bytes:
    """A document's stored fields as compact JSON (tuples come back as lists)."""
    return json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_record(data: bytes) -> dict:
    try:
        record = json.loads(data)
    except ValueError as error:
        raise IndexDamagedError(f"a stored passage cannot be read ({error})") from None
    if not isinstance(record, dict):
        raise IndexDamagedError("a stored passage is not a record")
    return record


def dictionary_sample(records, size: int = DICTIONARY_BYTES) -> bytes:
    """A preset dictionary for ``StoredColumn``: stored records as the column
    encodes them, up to ``size`` bytes (zlib looks for matches in its last 32 KiB)."""
    sample = bytearray()
    for record in records:
        if len(sample) >= size:
            break
        sample += encode_record(record)
    return bytes(sample[:size])


class StoredColumn(columns.Column):
    """Each document's stored fields as JSON, deflated with a preset
    dictionary (b"" for none)."""

    def __init__(self, dictionary: bytes):
        self._dictionary = dictionary

    def writer(self, dbfile):
        return self.Writer(dbfile, self._dictionary)

    def reader(self, dbfile, basepos, length, doccount):
        return self.Reader(dbfile, basepos, length, doccount, self._dictionary)

    class Writer(columns.VarBytesColumn.Writer):
        def __init__(self, dbfile, dictionary: bytes):
            super().__init__(dbfile)
            options = {"zdict": dictionary} if dictionary else {}
            # primed once: copying a compressor costs less than priming one per record
            self._primed = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY,
                                            **options)

        def add(self, docnum, value):
            compressor = self._primed.copy()
            data = compressor.compress(encode_record(value))
            super().add(docnum, data + compressor.flush())

    class Reader(columns.VarBytesColumn.Reader):
        def __init__(self, dbfile, basepos, length, doccount, dictionary: bytes):
            super().__init__(dbfile, basepos, length, doccount)
            self._options = {"zdict": dictionary} if dictionary else {}

        def __getitem__(self, docnum):
            data = super().__getitem__(docnum)
            if not data:
                return None
            try:
                record = zlib.decompressobj(-15, **self._options).decompress(data)
            except zlib.error as error:
                raise IndexDamagedError(f"a stored passage cannot be read ({error})") from None
            return decode_record(record)

        def __iter__(self):
            for docnum in range(self._doccount):
                yield self[docnum]


class _PerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        if fieldname == "_stored":
            column = StoredColumn(self._codec.load_dictionary(self._storage))
        super()._create_column(fieldname, column)


class _PerDocReader(W3PerDocReader):
    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        # read now: a later commit may delete the file once no segment uses it
        self._stored_column = StoredColumn(segment.codec().load_dictionary(storage))

    def stored_fields(self, docnum):
        return self._cached_reader("_stored", self._stored_column)[docnum] or {}


class PassageCodec(W3Codec):
    """Whoosh's codec with compact posting blocks and dictionary-compressed
    stored records (see the module's docstring), and no per-block length
    statistics: they only serve Whoosh's score-bound shortcuts, which frsearch's
    ranking cannot use (see ``index.Index.search``).

    The dictionary is kept in a file of the index folder, ``dictionary_file``,
    which the caller writes (``write_dictionary``) before the first segment is
    committed; the codec, kept with each segment in the table of contents,
    holds only its name.
    """

    length_stats = False

    def __init__(self, dictionary: bytes = b"", file_prefix: str = "dictionary-"):
        super().__init__(blocklimit=BLOCK_POSTINGS)
        self.format_version = FORMAT_VERSION
        self._dictionary: bytes | None = dictionary
        self.dictionary_file = (
            f"{file_prefix}{hashlib.sha256(dictionary).hexdigest()}.zdict" if dictionary else None)
        """Name of the file holding the preset dictionary of the stored records:
        its SHA-256, so two different dictionaries never share a name (a file
        of the same name is never overwritten: older segments are read with it)."""

    def __getstate__(self):
        return {**self.__dict__, "_dictionary": None}  # the name, not the bytes

    def load_dictionary(self, storage) -> bytes:
        """The preset dictionary, read from ``storage`` (a Whoosh storage) once."""
        if self._dictionary is None:
            if self.dictionary_file is None:
                self._dictionary = b""
            else:
                with storage.open_file(self.dictionary_file) as file:
                    self._dictionary = file.read()
        return self._dictionary

    def write_dictionary(self, folder) -> None:
        """Write the dictionary file into ``folder`` (a path), whole or not at all."""
        if self.dictionary_file is None:
            return
        target = Path(folder) / self.dictionary_file
        if target.exists():
            if hashlib.sha256(target.read_bytes()).hexdigest() not in target.name:
                raise IndexDamagedError(f"{target} is not the dictionary its name says; "
                                        "open it with rebuild=True to start over")
            return
        temporary = target.with_name(target.name + ".tmp")
        with temporary.open("wb") as file:
            file.write(self._dictionary)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)

    def per_document_writer(self, storage, segment):
        return _PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)

    def field_writer(self, storage, segment):
        return CompactFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return CompactPostingsWriter(dbfile, blocklimit=BLOCK_POSTINGS, byteids=byteids)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
