"""Every use of Whoosh's internals, in one module.

frsearch keeps Whoosh's index format and readers, and extends Whoosh where it
has no public way to: its codec (compact posting blocks and term infos,
records as JSON), its storage (pickles read as data only, files fsynced), its
writers (checksums before a commit, every sub-writer accounted for), and a few
attributes of its readers that scoring from posting arrays needs. All of it is
written against Whoosh 2.7.4, the last release (2016): the version is checked
at import, so another one gives a clear error instead of wrong results.

Nothing outside this module reads or writes an underscored attribute of a
Whoosh object.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import queue
import signal
import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

import whoosh
import whoosh.codec.whoosh3
from whoosh import columns, fields
from whoosh import query as wq
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldCursor,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Existence
from whoosh.index import TOC, clean_files
from whoosh.matching import AndNotMatcher, ReadTooFar
from whoosh.matching.wrappers import FilterMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util import random_name
from whoosh.util.numeric import length_to_byte
from whoosh.writing import CLEAR, SegmentWriter

from frsearch.codec import (
    _BLOCK_HEADER,
    _COMPRESSED,
    BLOCK_POSTINGS,
    FORMAT_VERSION,
    RECORDS_PER_BLOCK,
    STORED_LEVEL,
    EncodedTerm,
    decode_block,
    decode_record,
    decode_term_count,
    decode_term_info,
    encode_block,
    encode_one_posting,
    encode_postings,
    encode_record,
    encode_term_info,
    gaps_and_weights,
    gaps_weights_and_values,
    held_block,
    join_records,
    split_records,
)
from frsearch.errors import IndexDamagedError, IndexWriteError
from frsearch.segments import (
    PostingsBuffer,
    TermPostings,
    pack_article,
    single_posting,
    trim_word_caches,
    unpack_article,
)
from frsearch.storage import (
    INDEX_NAME,
    data_loads,
    delete_old_checksums,
    read_data_only_pickle,
    sync_folder,
    write_checksums,
)
from frsearch.streams import sketches

__all__ = [
    "CompactLeafMatcher",
    "IndexStorage",
    "ParallelWriter",
    "PassageCodec",
    "ReferenceWriter",
    "SerialWriter",
    "VarBytes",
    "column_parts",
    "deleted_and_live",
    "field_b",
    "length_bytes",
    "open_searcher_of",
    "read_table_of_contents",
    "var_bytes_column",
]

WHOOSH_VERSION = (2, 7, 4)
if tuple(whoosh.__version__[:3]) != WHOOSH_VERSION:
    raise ImportError(
        f"frsearch needs Whoosh {'.'.join(map(str, WHOOSH_VERSION))}, found "
        f"{whoosh.versionstring()}: install it with pip install 'whoosh==2.7.4'")

_OUT_OF_MEMORY = 3
"""Exit status of a sub-writer that ran out of memory."""
SEGMENT_BYTES = 64_000_000
"""About how much memory a writer process's postings and word codes may take
(``PostingsBuffer.estimated_bytes``) before it writes them as a segment and
starts another. On the whole Littré (102 MB of text) two writer processes then
write seven segments between them, and all processes together peak at 374 MB
(883 MB with Whoosh's pool); a 10 MB corpus makes one segment a process."""
_POLL_SECONDS = 0.2
"""How often a blocked hand-over to the sub-writers checks they are alive."""


# -- the codec ------------------------------------------------------------------

class CompactPostingsWriter(W3PostingsWriter):
    """Writes a term's whole posting list at once, a block at a time."""

    def write_term(self, ids: list[int], weights: list[float], values: list[bytes]) -> bytes:
        """Write a term's postings (one, or one short block, only goes in its
        term info); returns its term info."""
        count = len(ids)
        if count == 1:
            return encode_one_posting(ids[0], weights[0], values[0])
        blocks = [encode_block(ids[first:first + BLOCK_POSTINGS],
                               weights[first:first + BLOCK_POSTINGS],
                               values[first:first + BLOCK_POSTINGS])
                  for first in range(0, count, BLOCK_POSTINGS)]
        weight, maxweight = float(sum(weights)), float(max(weights))
        held = held_block(blocks)
        if held is not None:
            return encode_term_info(count, weight, maxweight, ids[0], ids[-1], 0, 0, held)
        postfile = self._postfile
        start = postfile.tell()
        written = []
        for first, (data, flags) in zip(range(0, count, BLOCK_POSTINGS), blocks, strict=True):
            last = min(first + BLOCK_POSTINGS, count)
            length = _BLOCK_HEADER.size - 4 + len(data)
            written.append(_BLOCK_HEADER.pack(-length if last == count else length,
                                              last - first, ids[last - 1],
                                              max(weights[first:last]), flags))
            written.append(data)
        postfile.write(b"".join(written))
        return encode_term_info(count, weight, maxweight, ids[0], ids[-1],
                                start, postfile.tell() - start)

    def write_postings(self, terms) -> Iterator[tuple[bytes, bytes]]:
        """Write the postings of each (term, ``TermPostings``) of ``terms``
        from their arrays, a few hundred kilobytes at a time; yields each
        term and its term info (what ``write_term`` gives)."""
        postfile = self._postfile
        position = postfile.tell()
        pending: list[bytes] = []
        header = _BLOCK_HEADER.pack
        header_size = _BLOCK_HEADER.size - 4
        for term, postings in terms:
            if type(postings) is EncodedTerm:  # from word codes (``streams``)
                blocks, weight, maxweight, count, minid, maxid = postings
            elif type(postings) is TermPostings:
                ids = postings.ids
                blocks, weight, maxweight = encode_postings(
                    ids, postings.weights, postings.values, postings.lengths)
                count, minid, maxid = len(ids), ids[0], ids[-1]
            else:  # seen once: most terms
                yield term, encode_one_posting(*single_posting(postings))
                continue
            held = held_block(blocks)
            if held is not None:
                yield term, encode_term_info(count, weight, maxweight, minid, maxid, 0, 0, held)
                continue
            start = position
            for data, flags, size, last_id, block_max, first in blocks:
                length = header_size + len(data)
                pending.append(header(-length if first + size == count else length,
                                      size, last_id, block_max, flags))
                pending.append(data)
                position += length + 4
            if len(pending) > 4096:
                postfile.write(b"".join(pending))
                pending.clear()
            yield term, encode_term_info(count, weight, maxweight, minid, maxid,
                                         start, position - start)
        postfile.write(b"".join(pending))

class CompactFieldWriter(W3FieldWriter):
    """Takes the sorted postings of a segment a term at a time (Whoosh's own
    loop makes three calls per posting)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tindex = TermTable.taking_over(self._tindex)

    def add_postings(self, schema, lengths, items):
        field_name = None
        for (name, term), postings in groupby(items, key=itemgetter(0, 1)):
            if name != field_name:
                if field_name is not None:
                    self.finish_field()
                self.start_field(name, schema[name])
                field_name = name
            _, _, ids, weights, values = zip(*postings, strict=True)
            self._tindex.add(self._term_key(term),
                             self._postwriter.write_term(ids, weights, values))
        if field_name is not None:
            self.finish_field()

    def add_buffered(self, schema, buffer: PostingsBuffer) -> None:
        """Write the postings ``buffer`` holds, a term at a time."""
        for name, terms in buffer.sorted_terms():
            self.start_field(name, schema[name])
            key = struct.pack("!H", self._fieldid)
            self._tindex.add_all((key + term, info)
                                 for term, info in self._postwriter.write_postings(terms))
            self.finish_field()

    def _term_key(self, term: bytes) -> bytes:
        return struct.pack("!H", self._fieldid) + term


_TERM_LENGTHS = struct.Struct("!ii")
"""Whoosh's hash file: the lengths of a key and its value, before them."""
_SLOT = struct.Struct("!Iq")
"""Whoosh's hash file: a hash table's slot, a key's hash and position."""


class _HashBucket:
    """One of the 256 buckets of a hash file being written: each term's key
    hash and position, in two arrays (16 bytes a term) instead of a list of
    tuples (near 120: a writer process held 40 MB of them on the Littré)."""

    __slots__ = ("hashes", "positions")

    def __init__(self) -> None:
        self.hashes = array("Q")
        self.positions = array("q")

    def append(self, entry: tuple[int, int]) -> None:
        self.hashes.append(entry[0])
        self.positions.append(entry[1])

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.hashes, self.positions, strict=True)


class TermTable(OrderedHashWriter):
    """Whoosh's writer of a segment's term table (an ordered hash file, MD5
    hashes), writing the same file in a fraction of the calls: terms are
    added a thousand at a time (``add_all``), and each of the 256 hash tables
    is written at once. ``CompactFieldWriter`` makes Whoosh's writer one."""

    @classmethod
    def taking_over(cls, table: OrderedHashWriter) -> TermTable:
        """``table``, just made by Whoosh, as a ``TermTable``."""
        assert table.hashtype == 0 and not table.index, "a new MD5 table"
        table.__class__ = cls
        table.buckets = [_HashBucket() for _ in table.buckets]
        return table

    def add_all(self, items: Iterable[tuple[bytes, bytes]]) -> None:
        """``add(key, value)`` of each item, the key's MD5 hash taken from its
        digest's bytes instead of its hexadecimal text."""
        dbfile, buckets, positions = self.dbfile, self.buckets, self.index
        last: bytes = self.lastkey  # type: ignore[has-type]
        position = dbfile.tell()
        written: list[bytes] = []
        for key, value in items:
            if key <= last:
                raise ValueError(f"Keys must increase: {last!r}..{key!r}")
            positions.append(position)
            written += (_TERM_LENGTHS.pack(len(key), len(value)), key, value)
            hashed = int.from_bytes(hashlib.md5(key).digest()[-4:], "big")
            buckets[hashed & 255].append((hashed, position))
            position += 8 + len(key) + len(value)
            last = key
            if len(written) > 3000:
                dbfile.write(b"".join(written))
                written.clear()
        dbfile.write(b"".join(written))
        self.lastkey = last

    def _write_hashes(self) -> None:
        dbfile = self.dbfile
        for bucket in self.buckets:
            slots = 2 * len(bucket)
            self.directory.append((dbfile.tell(), slots))
            hashes, positions = [0] * slots, [0] * slots  # position 0: an empty slot
            for hashed, position in bucket:
                slot = (hashed >> 8) % slots
                while positions[slot]:
                    slot = (slot + 1) % slots
                hashes[slot], positions[slot] = hashed, position
            dbfile.write(b"".join(map(_SLOT.pack, hashes, positions)))


class CompactTermInfo(W3TermInfo):
    """A term info as ``codec.encode_term_info`` writes it; postings kept in
    it (a term's one posting, or one short block) read as Whoosh's inlined
    postings."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held: tuple | bytes | None = None

    @classmethod
    def from_bytes(cls, s):
        info = cls()
        (info._df, info._weight, info._maxweight, info._minid, info._maxid, info._offset,
         info._length, info._held) = decode_term_info(s)
        info._minlength = info._maxlength = 0  # no length statistics: as W3TermInfo reads them
        return info

    def is_inlined(self):
        return self._held is not None

    def held_postings(self) -> tuple:
        """The postings kept in the term info as ``codec.decode_block`` gives
        a block's: document numbers, weights (None: all 1), a function giving
        the values (None: all empty)."""
        if isinstance(self._held, bytes):
            return decode_block(self._held, self._df)
        docnum, weight, value = self._held  # type: ignore[misc]
        return (docnum,), None if weight == 1 else (weight,), \
            lambda: None if value is None else (value,)

    def inlined_postings(self):
        ids, weights, values = self.held_postings()
        count = len(ids)
        return ids, tuple(weights or (1.0,) * count), values() or (None,) * count


class CompactTermsReader(W3TermsReader):
    """Whoosh's term table reader, its term infos read as ``CompactTermInfo``
    (Whoosh's reads some figures at fixed offsets of its own layout)."""

    def items(self):
        decode = self._keydecoder
        return ((decode(key), CompactTermInfo.from_bytes(data))
                for key, data in self._tindex.items())

    def items_from(self, fieldname, prefix):
        decode = self._keydecoder
        return ((decode(key), CompactTermInfo.from_bytes(data))
                for key, data in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def term_info(self, fieldname, tbytes):
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def frequency(self, fieldname, tbytes):
        return decode_term_info(self._tindex[self._keycoder(fieldname, tbytes)])[1]

    def doc_frequency(self, fieldname, tbytes):
        return decode_term_count(self._tindex[self._keycoder(fieldname, tbytes)])

    def cursor(self, fieldname, fieldobj):
        return _CompactCursor(self._tindex, fieldname, self._keycoder, self._keydecoder,
                              fieldobj)


class _CompactCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class CompactLeafMatcher(W3LeafMatcher):
    """Reads the blocks ``CompactPostingsWriter`` writes."""

    def _read_header(self):
        self._baseoffset = self._startoffset

    def block_arrays(self) -> Iterator[tuple[array, array | None, int]]:
        """Document gaps and weights of all the postings as the codec's typed
        arrays (``codec.gaps_and_weights``), and the block's last document
        number, a block at a time: ``scoring`` reads them into numpy without a
        Python object per posting."""
        for count, last, block in self._stored_blocks():
            gaps, weights = gaps_and_weights(block(), count)
            yield gaps, weights, last

    def block_arrays_and_values(self) -> Iterator[
            tuple[array, array | None, int, tuple[array, bytes] | None]]:
        """``block_arrays``, and each block's values: their lengths, and
        the values one after another (``codec.gaps_weights_and_values``)."""
        for count, last, block in self._stored_blocks():
            gaps, weights, values = gaps_weights_and_values(block(), count)
            yield gaps, weights, last, values

    def values_of(self, docnums: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        """The value (the positions, as the format encodes them) of each of
        ``docnums`` (sorted) the postings hold: only the blocks that may hold
        one are decompressed (stepping a matcher to each reads every block
        header on the way, one read of the file each)."""
        wanted = 0
        for count, last, block in self._stored_blocks():
            if wanted == len(docnums):
                return
            if docnums[wanted] > last:
                continue
            ids, _, values = decode_block(block(), count)
            found: list[int] = []  # where the block holds the passages asked about
            while wanted < len(docnums) and docnums[wanted] <= last:
                at = bisect_left(ids, docnums[wanted])
                if at < count and ids[at] == docnums[wanted]:
                    found.append(at)
                wanted += 1
            if found:
                held = values(found)
                assert held is not None, "a field of positions has a value a posting"
                yield from zip([ids[at] for at in found], held, strict=True)

    def _stored_blocks(self) -> Iterator[tuple[int, int, Callable[[], bytes]]]:
        """Each block's number of postings, last document number and a
        function that gives its data, uncompressed; the term's blocks read from
        the file at once (Whoosh reads each block's header and data apart)."""
        length = self._length  # a 1-tuple as W3TermInfo.from_bytes unpacks it
        data = self._postfile.get(self._startoffset,
                                  length[0] if isinstance(length, tuple) else length)
        header = _BLOCK_HEADER.unpack_from
        at = 0
        while at < len(data):
            length, count, last, _, flags = header(data, at)
            end = at + 4 + abs(length)
            stored = data[at + _BLOCK_HEADER.size:end]
            yield count, last, (partial(zlib.decompress, stored) if flags & _COMPRESSED
                                else partial(bytes, stored))
            at = end

    def skip_to(self, targetid):
        """As Whoosh's, but the posting within the block is found by bisection
        (Whoosh steps to it one posting at a time): phrases and exclusions
        skip through long lists of passages."""
        if not self.is_active():
            raise ReadTooFar
        if self._ids is None:
            self._read_ids()
        if targetid <= self._ids[self._i]:
            return
        while targetid > self._maxid:
            self._next_block()
            if not self.is_active():
                return
        if self._ids is None:
            self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)
        if self._i == self._blocklength:  # only if a block's maximum were not its last id
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


class HeldPostingsMatcher(CompactLeafMatcher):
    """The postings a term info keeps (``CompactTermInfo.held_postings``): one
    block, read from the term table instead of the posting file."""

    def __init__(self, held: tuple, maxweight: float, format_, term=None, scorer=None):
        self._held, self._held_maxweight = held, maxweight
        super().__init__(None, 0, 0, format_, term=term, scorer=scorer)

    def block_arrays(self) -> Iterator[tuple[array, array | None, int]]:
        ids, weights, _ = self._held
        gaps = array("q", [ids[0]])  # as a block's: the first document, then the gaps
        gaps.extend(later - earlier for earlier, later in zip(ids, ids[1:], strict=False))
        yield gaps, None if weights is None else array("d", weights), ids[-1]

    def block_arrays_and_values(self) -> Iterator[
            tuple[array, array | None, int, tuple[array, bytes] | None]]:
        values = self._held[2]()
        for gaps, weights, last in self.block_arrays():
            yield gaps, weights, last, None if values is None else (
                array("q", map(len, values)), b"".join(values))

    def values_of(self, docnums: Sequence[int]) -> Iterator[tuple[int, bytes]]:
        ids, _, values = self._held
        held = None
        for docnum in docnums:
            at = bisect_left(ids, docnum)
            if at < len(ids) and ids[at] == docnum:
                if held is None:
                    held = values()
                yield docnum, held[at]

    def _goto(self, position):
        self._data = self._held
        self._ids = self._weights = self._values = None
        self._i = 0
        self._lastblock = True
        self._blocklength = len(self._held[0])
        self._maxid, self._maxweight, self._compression = \
            self._held[0][-1], self._held_maxweight, 0
        self._minlength, self._maxlength = 0, 0xFFFFFFFF


class StoredColumn(columns.Column):
    """Each document's stored fields as JSON, ``RECORDS_PER_BLOCK`` documents
    deflated together with a preset dictionary (b"" for none): value ``i`` of
    the column (Whoosh's variable-length bytes) is block ``i``."""

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
            # primed once: copying a compressor costs less than priming one per block
            self._primed = zlib.compressobj(STORED_LEVEL, zlib.DEFLATED, -15, 8,
                                            zlib.Z_DEFAULT_STRATEGY, **options)
            self._block = 0
            self._records: list[bytes] = []

        def add(self, docnum, value):
            block, at = divmod(docnum, RECORDS_PER_BLOCK)
            if block != self._block:
                self._write_block()
                self._block = block
            self._records += [b""] * (at - len(self._records))  # documents without a record
            self._records.append(encode_record(value))

        def _write_block(self):
            if self._records:
                compressor = self._primed.copy()
                data = compressor.compress(join_records(self._records))
                super().add(self._block, data + compressor.flush())
                self._records = []

        def finish(self, doccount):
            self._write_block()
            super().finish(_blocks(doccount))

    class Reader(columns.VarBytesColumn.Reader):
        def __init__(self, dbfile, basepos, length, doccount, dictionary: bytes):
            super().__init__(dbfile, basepos, length, _blocks(doccount))
            self._documents = doccount
            self._options = {"zdict": dictionary} if dictionary else {}
            self._last: tuple[int, list[bytes]] = (-1, [])
            """The last block read and its records (one tuple: threads share a reader)."""

        def __len__(self):
            return self._documents

        def __getitem__(self, docnum):
            block, at = divmod(docnum, RECORDS_PER_BLOCK)
            last = self._last
            if last[0] != block:
                last = self._last = (block, self._read_block(block))
            records = last[1]
            if at >= len(records) or not records[at]:
                return None
            return decode_record(records[at])

        def _read_block(self, block: int) -> list[bytes]:
            data = super().__getitem__(block)
            if not data:
                return []
            inflater = zlib.decompressobj(-15, **self._options)
            try:
                records = inflater.decompress(data)
            except zlib.error as error:
                raise IndexDamagedError(f"a stored passage cannot be read ({error})") from None
            if not inflater.eof or inflater.unused_data:
                raise IndexDamagedError("a block of stored passages is cut short or overlong")
            return split_records(records)

        def __iter__(self):
            for docnum in range(self._documents):
                yield self[docnum]


def _blocks(doccount: int) -> int:
    """Blocks of ``StoredColumn`` that ``doccount`` documents take."""
    return -(-doccount // RECORDS_PER_BLOCK)


_LENGTH_BYTES = bytes(length_to_byte(length) for length in range(1024))
"""Whoosh's one-byte approximation of each field length below 1024."""


class _LengthsWriter(columns.NumericColumn.Writer):
    """Whoosh's writer of a field's lengths column (one byte a document,
    nothing written after the last that is not 0), holding the bytes until the
    segment is written: Whoosh writes each to its file through three layers."""

    def __init__(self, dbfile):
        super().__init__(dbfile, "B", 0)
        self._bytes = bytearray()

    def add(self, docnum, v):
        if v:
            held = self._bytes
            if docnum > len(held):
                held += bytes(docnum - len(held))
            held.append(v)

    def finish(self, doccount):
        self._dbfile.write(self._bytes)


def _smallest_array(numbers: list[int]) -> array:
    """``numbers`` in the array type Whoosh's ``GrowableArray`` ends with
    when they are appended one by one."""
    top = max(numbers, default=0)
    return array("B" if top < 0x100 else "H" if top < 0x10000 else "i" if top < 2**31
                 else "I", numbers)


class _VarBytesWriter(columns.VarBytesColumn.Writer):
    """Whoosh's writer of a column of bytes of any length without offsets
    (``order``), the values held until the segment is written: the same file,
    in one write instead of five calls a document."""

    def __init__(self, dbfile):
        super().__init__(dbfile, allow_offsets=False)
        self._values: list[bytes] = []

    def add(self, docnum, v):
        if docnum > len(self._values):
            self._values += [b""] * (docnum - len(self._values))
        self._values.append(v)

    def finish(self, doccount):
        values = self._values
        values += [b""] * (doccount - len(values))
        dbfile = self._dbfile
        dbfile.write(b"".join(values))
        lengths = _smallest_array([len(value) for value in values])
        dbfile.write_array(lengths)
        dbfile.write(lengths.typecode.encode("ascii"))


class _PerDocWriter(W3PerDocWriter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lengths: dict[str, _LengthsWriter] = {}

    def _create_column(self, fieldname, column):
        if fieldname == "_stored":
            column = StoredColumn(self._codec.load_dictionary(self._storage))
        elif column is LENGTHS_COLUMN:
            file = self._cols.create_file(fieldname)
            self._colwriters[fieldname] = _LengthsWriter(file)
            return
        elif type(column) is columns.VarBytesColumn and not column.allow_offsets:
            self._colwriters[fieldname] = _VarBytesWriter(self._cols.create_file(fieldname))
            return
        super()._create_column(fieldname, column)

    def add_field(self, fieldname, fieldobj, value, length):
        """Whoosh's, in one call instead of six a field."""
        if value is not None:
            self._storedfields[fieldname] = value
        if length:
            lengths = self._lengths.get(fieldname)
            if lengths is None:
                self.add_column_value(f"_{fieldname}_len", LENGTHS_COLUMN, 0)
                lengths = self._lengths[fieldname] = self._colwriters[f"_{fieldname}_len"]
            lengths.add(self._docnum, _LENGTH_BYTES[length] if length < 1024
                        else length_to_byte(length))
            self._fieldlengths[fieldname] += length


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
            file.write(self._dictionary or b"")
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

    def terms_reader(self, storage, segment):
        name = segment.make_filename(self.TERMS_EXT)
        return CompactTermsReader(self, storage.open_file(name), storage.file_length(name),
                                  segment.open_file(storage, self.POSTS_EXT))

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return HeldPostingsMatcher(terminfo.held_postings(), terminfo.max_weight(), format_,
                                       term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


# -- storage -------------------------------------------------------------------

# Whoosh's term infos may inline a term's postings as a pickle of numbers; the
# codec reads its own term infos (``CompactTermInfo``), which never hold one, so
# Whoosh's would only be read if a segment named another codec.
whoosh.codec.whoosh3.loads = data_loads


class _IndexFile(StructFile):
    """A file of the index; its pickles are read as data only."""

    def read_pickle(self):
        try:
            return read_data_only_pickle(self.file)
        except IndexDamagedError as error:
            raise type(error)(f"{self._name}: {error}") from None


def _fsync_on_close(file: StructFile) -> None:
    file.file.flush()
    os.fsync(file.file.fileno())


class IndexStorage(FileStorage):
    """Whoosh's file storage, made safe to open and durable to write.

    It opens the index with frsearch's schema (``schema``), so the schema
    pickled in the table of contents is skipped, never unpickled.
    """

    def __init__(self, folder: str | os.PathLike, schema, readonly: bool = False):
        super().__init__(str(folder), readonly=readonly)
        self._schema = schema

    def open_file(self, name, **kwargs):
        return _IndexFile(open(self._fpath(name), "rb"), name=name, **kwargs)

    def create_file(self, name, excl=False, mode="wb", **kwargs):
        file = super().create_file(name, excl=excl, mode=mode, **kwargs)
        file.onclose = _fsync_on_close
        return file

    def rename_file(self, oldname, newname, safe=False):
        super().rename_file(oldname, newname, safe=safe)
        sync_folder(self.folder)

    def open_index(self, indexname=INDEX_NAME, schema=None, indexclass=None):
        return super().open_index(indexname, schema or self._schema, indexclass)


# -- writers -------------------------------------------------------------------

class _ChecksummedCommit:
    """Writes the checksums of a commit's files before the commit itself, and
    keeps the files of the commit it replaces; for a rebuild (``start_over``),
    it keeps none of that commit's segments in the new one, and deletes the
    files of the commits before that."""

    _replaced: Callable[[int, list], None] | None = None

    def start_over(self, delete_replaced: Callable[[int, list], None]) -> None:
        """Make the commit hold only what this writer adds (Whoosh's CLEAR
        merge policy); ``delete_replaced(generation, segments)`` is called once
        the commit is in place, before the lock is let go, with the segments
        to keep: the commit's and, as every commit keeps them, those of the
        commit it replaces (a searcher may be reading them)."""
        self.mergetype = CLEAR
        self._replaced = delete_replaced

    def _commit_toc(self, segments):
        folder = Path(self.storage.folder)
        write_checksums(folder, self.generation, segments)
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        if self._replaced is not None:
            self._replaced(self.generation, [*segments, *self.segments])
            return
        clean_files(self.storage, self.indexname, self.generation, [*segments, *self.segments])
        delete_old_checksums(folder, self.generation)


class _BufferedSegment(SegmentWriter):
    """Whoosh's segment writer with its postings in ``segments.PostingsBuffer``
    instead of a sorted pool of tuples, and a shorter way from a document to
    its postings (Whoosh's ``add_document`` does per field what a schema says
    once: here that is looked up once per field name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = PostingsBuffer()
        self._shapes: dict[tuple[str, ...], list[tuple]] = {}
        self._sketched: dict[str, object] = {}
        """Fields whose sketch column waits for ``settle``, and its type."""

    def add_article(self, article, documents) -> None:
        """Add the passages of ``article``: ``documents(article)`` gives
        their documents (field name → value)."""
        for document in documents(article):
            self.add_document(**document)

    def _shape(self, names) -> list[tuple] | None:
        """For a document of fields ``names``, each field in name order (as
        Whoosh takes them) with what adding it takes: (name, field, how its
        value is indexed, stored, scorable, column type); None if Whoosh's own
        ``add_document`` must take the document. Made once per set of names."""
        shape = []
        for name in sorted(names):
            if name.startswith("_"):  # boosts, custom stored values
                return None
            field = self.schema[name]  # raises for an unknown field, as Whoosh does
            if field.separate_spelling() or field.vector:
                return None
            coded_as = getattr(field, "coded_as", None)
            way = coded_as or ("id" if _is_plain_id(field) else
                               "postings" if field.indexed else None)
            shape.append((name, field, way, field.stored, field.scorable, field.column_type))
        if len(self._shapes) > 64:  # documents of many shapes: no cache
            self._shapes.clear()
        self._shapes[tuple(names)] = shape
        return shape

    def add_document(self, **fields):
        self._check_state()
        shape = self._shapes.get(tuple(fields)) or self._shape(fields)
        if shape is None:
            self.settle()
            return super().add_document(**fields)
        perdoc = self.perdocwriter
        docnum = self.docnum
        pool = self.pool
        perdoc.start_doc(docnum)
        for name, field, way, stored, scorable, column in shape:
            value = fields[name]
            if value is None:
                continue
            length = 0
            if way == "terms":
                value = field.codes_of(value)
                length = value.length
                pool.add_codes(name, docnum, value.codes, field.format.field_boost)
                if column:  # the sketch, made when the segment is: see ``settle``
                    self._sketched[name] = column
                    column = None
            elif way == "id" and type(value) is str:
                pool.add_term(name, docnum, value, field.format.field_boost)
                length = 1
            elif way == "forms":
                value = field.codes_of(value)
                if value.has_forms:
                    pool.add_codes(name, docnum, value.codes, None)
            elif way is not None:
                length = pool.add_field(name, docnum, field.index(value))
            if stored or (length and scorable):  # else Whoosh's per-document writer keeps nothing
                perdoc.add_field(name, field, value if stored else None,
                                 length if scorable else 0)
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def settle(self) -> None:
        """Make postings of the word codes added so far, and the sketch
        column values of their documents (``streams``): before a document is
        added another way, whose column values and postings come after."""
        self._write_sketches()
        self.pool.settle()

    def _write_sketches(self) -> None:
        """Write the sketches of the documents in the pool's word codes to
        their column (Whoosh's fixed-length bytes), as its ``add`` would, in
        one write instead of one a document."""
        for name, column in self._sketched.items():
            stream = self.pool.streams[name][0]
            perdoc = self.perdocwriter
            if not perdoc._has_column(name):
                perdoc._create_column(name, column)
            writer = perdoc._get_column(name)
            default, count = writer._default, writer._count
            written = []
            for docnum, sketch in zip(stream.docnums, sketches(stream, self.pool.words),
                                      strict=True):
                if sketch != default:
                    if docnum > count:
                        written.append(default * (docnum - count))
                    written.append(sketch)
                    count = docnum + 1
            writer._dbfile.write(b"".join(written))
            writer._count = count
        self._sketched.clear()

    def add_reader(self, reader):
        self.settle()  # merged documents come after those added
        super().add_reader(reader)

    def _flush_segment(self):
        self._write_sketches()
        self.perdocwriter.close()
        self.fieldwriter.add_buffered(self.schema, self.pool)
        self.fieldwriter.close()


def _is_plain_id(field) -> bool:
    """True for a Whoosh ID field as frsearch's schema makes them: its value
    is its one term, weighted by the field's boost, without a value."""
    return (type(field) is fields.ID and type(field.analyzer) is IDTokenizer
            and type(field.format) is Existence)


class SerialWriter(_ChecksummedCommit, _BufferedSegment):
    """frsearch's segment writer, in this process."""


class ReferenceWriter(_ChecksummedCommit, SegmentWriter):
    """Whoosh's own writer loop, in this process: a pool of posting tuples
    sorted at commit, as frsearch wrote before ``segments``. Kept as the
    reference that ``tests/test_segment_writer.py`` checks the buffered
    writers against, byte for byte."""


class ParallelWriter(_ChecksummedCommit, MpWriter, _BufferedSegment):
    """Whoosh's multi-process writer, made to account for each sub-writer.

    Articles (``add_article``) or documents go to the sub-writers in job files
    through a bounded queue; a hand-over that waits checks that they are
    alive, so a run whose sub-writers all died fails instead of waiting
    forever. Each sub-writer makes and analyses the documents of the articles
    it is given, and writes a segment of its own (another each time its
    postings reach ``SEGMENT_BYTES``).
    """

    ARTICLES_PER_JOB = 64

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # MpWriter's, which skips _BufferedSegment's
        self.pool = PostingsBuffer()
        self._shapes = {}
        self._sketched = {}
        self._articles: list[tuple] = []
        self._documents = None

    def add_article(self, article, documents) -> None:
        if self.docbuffer:  # documents added before: theirs is the next job
            self._enqueue()
        self._documents = documents
        self._articles.append(pack_article(article))
        if len(self._articles) >= self.ARTICLES_PER_JOB:
            self._enqueue()
        self._added_sub = True

    def add_document(self, **fields):
        if self._articles:
            self._enqueue()
        super().add_document(**fields)

    def _new_task(self):
        task = _SubWriter(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                          self.subargs, self.multisegment,
                          lock_descriptor=getattr(self.writelock, "fd", None))
        self.tasks.append(task)
        task.start()
        return task

    def _enqueue(self):
        """Hand the buffered articles, then the buffered documents, to the
        sub-writers (a job file each)."""
        for articles in (True, False):
            if not (self._articles if articles else self.docbuffer):
                continue
            name = f"{random_name()}.doclist"
            with self.temp_storage().create_file(name).raw_file() as jobfile:
                if articles:
                    job = (name, len(self._articles), self._documents)
                    pickle.dump(self._articles, jobfile, pickle.HIGHEST_PROTOCOL)
                    self._articles = []
                else:
                    job = (name, len(self.docbuffer), None)
                    for item in self.docbuffer:
                        pickle.dump(item, jobfile, pickle.HIGHEST_PROTOCOL)
                    self.docbuffer = []
            if len(self.tasks) < self.procs:
                self._new_task()
            self._hand_over(job)

    def _hand_over(self, job) -> None:
        """Put ``job`` on the queue, failing as soon as a sub-writer is found
        dead (a run goes on reading for nothing otherwise)."""
        while True:
            dead = [task for task in self.tasks if not task.is_alive()]
            if dead and job is not None:
                raise IndexWriteError(_failure(dead[0], None))
            try:
                self.jobqueue.put(job, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                if dead:
                    raise IndexWriteError(_failure(dead[0], None)) from None

    def _commit(self, mergetype, optimize, merge):
        try:
            if self.docbuffer or self._articles:
                self._enqueue()
            for _ in self.tasks:
                self._hand_over(None)
            segments = self._merge_segments(mergetype, optimize, merge)
            segments += self._sub_segments()
        except BaseException:
            self.cancel()
            raise
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def _sub_segments(self) -> list:
        """The segments of the sub-writers, once all have finished; raises
        IndexWriteError if any of them failed or died."""
        reported: dict[int, tuple[str, object]] = {}
        while len(reported) < len(self.tasks):
            try:
                pid, outcome, value = self.resultqueue.get(timeout=_POLL_SECONDS)
                reported[pid] = (outcome, value)
            except queue.Empty:
                if not any(task.is_alive() for task in self.tasks):
                    try:  # what the last of them sent just before exiting
                        pid, outcome, value = self.resultqueue.get(timeout=1.0)
                        reported[pid] = (outcome, value)
                        continue
                    except queue.Empty:
                        break
        for task in self.tasks:
            task.join()
        for task in self.tasks:
            outcome, value = reported.get(task.pid, ("missing", None))
            if outcome != "done" or task.exitcode != 0:
                raise IndexWriteError(_failure(task, str(value) if outcome == "failed" else None))
        written: list = []
        for task in self.tasks:
            written += reported[task.pid][1]  # type: ignore[arg-type]
        return written

    def cancel(self):
        for task in self.tasks:
            if task.is_alive():
                task.terminate()  # it waits on its job queue: nothing else would end it
        for task in self.tasks:
            task.join()
        SegmentWriter.cancel(self)


def _failure(task, reason: str | None) -> str:
    """A one-line account of a sub-writer that did not finish."""
    if reason is not None:
        what = f"failed ({reason})"
    elif task.exitcode is not None and task.exitcode < 0:
        name = signal.Signals(-task.exitcode).name
        what = f"was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    elif task.exitcode == _OUT_OF_MEMORY:
        what = "ran out of memory"
    elif task.exitcode is None:
        what = "stopped answering"
    else:
        what = f"exited with status {task.exitcode}"
    return (f"a writer process {what}; nothing of this run was committed, "
            "the index is as it was before it")


class _SubWriter(SubWriterTask):
    """A sub-writer process that always reports: its segment, or why it failed
    (instead of a traceback on the terminal and silence for the parent)."""

    def __init__(self, *args, lock_descriptor: int | None = None):
        super().__init__(*args)
        self._parent = os.getpid()
        self._lock_descriptor = lock_descriptor

    def run(self):
        try:
            self._detach_from_parent()
            ix = self.storage.open_index(self.indexname)
            self.writer = _BufferedSegment(ix, _lk=False, **self.kwargs)
            written = []
            while (job := self.jobqueue.get()) is not None:
                self._process_job(*job)
                if self.writer.pool.estimated_bytes() > SEGMENT_BYTES:
                    written.append(self.writer._finalize_segment())
                    self.writer = _BufferedSegment(ix, _lk=False, **self.kwargs)
            if self.writer.doc_count() or not written:
                written.append(self.writer._finalize_segment())
            else:
                self.writer._close_segment()
            self.resultqueue.put((os.getpid(), "done", written))
        except BaseException as error:
            try:  # out of memory, even this may fail: the exit status still tells
                self.resultqueue.put((os.getpid(), "failed", f"{type(error).__name__}: {error}"))
            except BaseException:
                pass
            raise SystemExit(_OUT_OF_MEMORY if isinstance(error, MemoryError) else 1) from None

    def _process_job(self, filename: str, count: int, documents) -> None:
        """Add what a job file holds: packed articles whose documents
        ``documents`` makes, or (without it) Whoosh's document entries."""
        if documents is None:
            self._process_file(filename, count)
            return
        storage = self.writer.temp_storage()
        with storage.open_file(filename).raw_file() as jobfile:
            articles = pickle.load(jobfile)
        storage.delete_file(filename)
        add_article = self.writer.add_article
        for packed in articles:
            add_article(unpack_article(packed), documents)
        trim_word_caches()
        # What survives a job is the segment's postings and the word caches,
        # freed by reference counting, never in a cycle: frozen, Python's
        # cyclic collector stops going through them again and again (a
        # twentieth of a writer's time on the Littré).
        gc.freeze()

    def _detach_from_parent(self) -> None:
        """Forked, this process holds the parent's lock file open: a parent
        killed with SIGKILL would leave it waiting on its job queue forever,
        and the index locked for every later writer. It closes its copy of the
        lock and dies with the parent. Ctrl-C is the parent's to handle (it
        cancels the whole write)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if self._lock_descriptor is not None:
            os.close(self._lock_descriptor)
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != self._parent:  # it died before that
            os._exit(1)


# -- readers -------------------------------------------------------------------

def read_table_of_contents(whoosh_ix):
    """The last commit's table of contents (generation, segments, schema),
    read once: a commit may replace it at any time."""
    return whoosh_ix._read_toc()


def open_searcher_of(whoosh_ix, toc) -> Searcher:
    """A searcher of exactly the commit ``toc`` describes."""
    reader = whoosh_ix._reader(whoosh_ix.storage, toc.schema, toc.segments, toc.generation)
    return Searcher(reader, fromindex=whoosh_ix)


def field_b(weighting, field: str) -> float:
    """BM25F's length-normalisation parameter B for ``field``."""
    return weighting._field_B.get(field, weighting.B)


def deleted_and_live(matcher) -> tuple[frozenset[int], object]:
    """The deleted documents Whoosh's filter skips, and the matcher of all
    postings under it (reset to its first posting)."""
    if not isinstance(matcher, FilterMatcher):
        return frozenset(), matcher
    live = matcher.child
    live.reset()  # the filter stepped over the deleted ones at the start
    return matcher._ids, live


def length_bytes(reader, field: str) -> bytes:
    """The length byte of every document of a segment in ``field``, as stored
    (Whoosh's ``_<field>_len`` column, one byte a document); documents past
    its end have Whoosh's default, 1."""
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    if column is None:
        _check_segment_present(reader)
    data = b"" if column is None else column._dbfile.get(column._basepos, column._count)
    return data + bytes([1]) * (count - len(data))


def _check_segment_present(reader) -> None:
    """Raise FileNotFoundError if the files of ``reader``'s segment are gone:
    commits replaced it since it was opened. Whoosh reads a missing column
    as its default for every document, without a word (every passage would
    look alike); a search that meets this error is run again on the last
    commit (``index._survives_commits``)."""
    perdoc = reader._perdoc
    stored = W3Codec.column_filename(perdoc._segment, "_stored")
    if not perdoc._storage.file_exists(stored):
        raise FileNotFoundError(f"{stored} is gone: a commit replaced its segment")


def fixed_bytes_column(reader, fieldname: str):
    """A function giving a segment's value of the fixed-size column of
    ``fieldname`` by document number, the column read whole at once (Whoosh's
    own reader seeks and reads the file for each value)."""
    column = reader.column_reader(fieldname, translate=False)
    if isinstance(column, columns.EmptyColumnReader):
        _check_segment_present(reader)
    if not isinstance(column, columns.FixedBytesColumn.Reader):
        return column.__getitem__
    size, default, count = column._fixedlen, column._default, column._count
    data = column._dbfile.get(column._basepos, size * count) if count else b""

    def value(docnum: int) -> bytes:
        if docnum >= count:
            return default
        at = docnum * size
        return data[at:at + size]
    return value


class VarBytes(NamedTuple):
    """A segment's variable-size column read whole: every value, one after the
    other in ``data``, the ``docnum``-th at ``offsets[docnum]``,
    ``lengths[docnum]`` bytes long."""

    data: bytes
    offsets: Sequence[int]
    lengths: Sequence[int]


def var_bytes_column(reader, fieldname: str) -> Callable[[int], bytes]:
    """A function giving a segment's value of the variable-size column of
    ``fieldname`` by document number, the column read whole at once (as
    ``fixed_bytes_column``). ``column_parts`` gives the column it reads, for
    reading every value at once (``Catalog.headlines``), unless the segment has
    no such column (the function is then Whoosh's reader of what it has).
    A closure rather than a callable object: a page orders 20,000 tied
    passages by their values, and a call costs half as much."""
    column = reader.column_reader(fieldname, translate=False)
    if isinstance(column, columns.EmptyColumnReader):
        _check_segment_present(reader)
    if not isinstance(column, columns.VarBytesColumn.Reader):
        return column.__getitem__
    offsets, lengths = column._offsets, column._lengths
    count = len(lengths)
    data = column._dbfile.get(column._basepos, offsets[-1] + lengths[-1]) if count else b""

    def value(docnum: int) -> bytes:
        if docnum >= count:
            return b""
        at = offsets[docnum]
        return data[at:at + lengths[docnum]]
    value.parts = VarBytes(data, offsets, lengths)  # type: ignore[attr-defined]
    return value


def column_parts(value: Callable[[int], bytes]) -> VarBytes | None:
    """The column a ``var_bytes_column`` function reads from, to read every
    value at once; None for a function over another kind of column."""
    parts = getattr(value, "parts", None)
    return parts if isinstance(parts, VarBytes) else None


class AndNot(wq.AndNot):
    """``a`` less the passages ``b`` matches. Whoosh's own ``AndNotMatcher``
    lets through ``a``'s first passage when ``b`` holds it but starts before
    it (``_find_first`` compares the two, and never moves ``b`` forward), so
    ``sanctions -Russie`` kept a passage holding Russie in a segment that
    happened to start so."""

    def matcher(self, searcher, context=None):
        return _AndNotMatcher(self.a.matcher(searcher, context),
                              self.b.matcher(searcher, searcher.boolean_context()))


class _AndNotMatcher(AndNotMatcher):
    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()  # moves ``b`` to ``a``'s first passage, then past both
