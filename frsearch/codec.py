"""How the index lays its bytes on disk: Whoosh's codec, made compact for passages.

This module holds the formats; ``whoosh_internals.PassageCodec`` and its
readers and writers plug them into Whoosh.

Whoosh's own format (``W3Codec``) pickles each posting block and each document's
stored fields, then compresses them one by one. On a corpus of short passages
most blocks hold a handful of postings and most records a hundred bytes, so the
pickle framing and the per-block zlib header cost more than the data, and zlib
cannot compress a record of a hundred bytes on its own. Here:

- a posting block is a small fixed header and typed arrays (document gaps,
  weights, value lengths, then the values), compressed only when that pays;
- a term's postings are written a block at a time, not a posting at a time;
- a term's entry in the term table (its term info) is a flags byte and
  varints, not Whoosh's fixed 35 bytes, and a term seen in one passage only
  (near half the terms: rare words, every article's version and origin) keeps
  that posting in its term info instead of a block of the posting file, as a
  term whose postings make one block too short to compress keeps that block;
- a passage's stored record is JSON (data only: reading an index never runs
  code, see ``storage``), compressed with the records of its neighbours
  (``RECORDS_PER_BLOCK``) and a preset dictionary (zlib's ``zdict``) sampled
  from the first passages indexed, so that the words and the framing its
  records share with the others cost almost nothing.
- what orders a passage among equal scores (its passage id) is a column of
  a few bytes (``passage_order``), so that ranking never inflates a block of
  records to break a tie.

The dictionary belongs to the codec object, which Whoosh keeps with each segment
in the table of contents: every segment can be read with the dictionary it was
written with, and a merge writes its records again with the newest one.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array
from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import NamedTuple

from whoosh.formats import Positions

from frsearch.errors import IndexDamagedError

__all__ = [
    "FORMAT_VERSION",
    "HEADLINE_ORDER",
    "RECORDS_PER_BLOCK",
    "STORED_LEVEL",
    "CompactPositions",
    "decode_block",
    "decode_record",
    "decode_term_count",
    "decode_term_info",
    "EncodedTerm",
    "encode_terms_at_once",
    "dictionary_sample",
    "encode_block",
    "encode_one_posting",
    "encode_postings",
    "encode_record",
    "encode_term_info",
    "held_block",
    "gaps_and_weights",
    "gaps_weights_and_values",
    "join_records",
    "passage_order",
    "read_passage_order",
    "split_records",
]

FORMAT_VERSION = 7
"""Version of the bytes this codec writes, kept with each segment: 2 stores
records as JSON (1 pickled them); 3 marks the terms of words stemmed like
function words (``analysis.COLLISION_MARK``), which a query for one would not
find in an index of 2; 4 gives each passage its article's metadata as
``keywords`` terms (``indexing.keyword_terms``): a filter ``source:lemonde``
would miss every article of an index of 3; 5 writes term infos as varints,
a term's one posting or short block inside its term info (``encode_term_info``);
6 gives each passage a column of what orders it among equal scores
(``passage_order``): an index of 5 has none, and its ties would
fall in document order; 7 deflates stored records a block at a time
(``RECORDS_PER_BLOCK``)."""

BLOCK_POSTINGS = 128
"""Postings per block: Whoosh's default, a block decoded at a time when searching."""
DICTIONARY_BYTES = 32 * 1024
"""Size of the preset dictionary: zlib's window, all it can refer back to."""
RECORDS_PER_BLOCK = 16
"""Stored records deflated together, a value of the stored column. On a 10 MB
Littré segment (39,000 passages) the records took 3.64 MB deflated one at a
time with the preset dictionary, 2.50 MB sixteen at a time (2.31 MB 32 at a
time, 2.17 MB 64), in half the compressor's time. Reading a record inflates
its block (25 µs, 3 µs for a record alone): ties are broken without reading
records (``passage_order``), a reader keeps the last block it read, and an
article's passages are neighbours. On the whole 10 MB index, blocks of 8, 16
and 32 made the stored column 5.60, 5.08 and 4.68 MB, and the benchmark's
first runs of a query 3.5, 3.7 and 3.9 ms at the median (4.3 a record at a
time)."""
STORED_LEVEL = 4
"""zlib's level for blocks of stored records. On the 10 MB Littré, level 4
deflates them in half the time level 6 takes (0.29 s against 0.58 s) for 3 %
more bytes (5.22 MB against 5.06 MB; level 1: 0.20 s, 5.66 MB). Inflating
costs the same whatever the level."""
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

    BYTE_GAPS, INT_GAPS = 0, 1
    """A value's first byte: the gaps that follow take a byte each, or four
    (a little-endian unsigned int). ``scoring`` reads many values at once so."""

    def encode(self, poslist):
        if len(poslist) == 1 and poslist[0] < 256:  # most postings: a word once
            return _ONE_POSITION[poslist[0]]
        gaps = [poslist[0], *(b - a for a, b in zip(poslist, poslist[1:], strict=False))]
        if max(gaps) < 256:
            return b"\x00" + bytes(gaps)
        return b"\x01" + array("I", gaps).tobytes()

    def decode_positions(self, valuestring):
        if valuestring[0] == self.BYTE_GAPS:
            gaps = valuestring[1:]
        else:
            gaps = array("I")
            gaps.frombytes(valuestring[1:])
        return list(accumulate(gaps))

    def decode_frequency(self, valuestring):
        if valuestring[0] == self.BYTE_GAPS:
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
    return _compressed(b"".join(parts))


def _compressed(data: bytes) -> tuple[bytes, int]:
    """A block's data and flags: deflated when that makes it shorter."""
    if len(data) >= COMPRESS_FROM:
        packed = zlib.compress(data, 6)
        if len(packed) < len(data):
            return packed, _COMPRESSED
    return data, 0


_SMALL_INTS = [b"B" + bytes((number,)) for number in range(256)]
"""``_pack_ints([number])`` of the numbers below 256: one-posting blocks."""


def _packed_ints(values: array) -> bytes:
    """``_pack_ints`` of an array, its bytes taken as they are when it has the
    type code the values need."""
    top = max(values)
    code = "B" if top < 0x100 else "H" if top < 0x10000 else "I"
    packed = values if values.typecode == code else array(code, values)
    if _BIG_ENDIAN and code != "B":
        packed = array(code, packed)
        packed.byteswap()
    return code.encode() + packed.tobytes()


def _single(docnum: int, weight: float, value: bytes | bytearray | None) -> bytes:
    """The data of a one-posting block, before compression."""
    parts: list[bytes | bytearray] = [
        _SMALL_INTS[docnum] if docnum < 0x100 else _pack_ints((docnum,)),
        _ALL_ONE if weight == 1 else _pack_weights((float(weight),))]
    if value:
        length = len(value)
        parts += [_SMALL_INTS[length] if length < 0x100 else _pack_ints((length,)), value]
    else:
        parts.append(_NONE)
    return b"".join(parts)


def encode_postings(ids: array, weights: array | None, values: bytes | bytearray | None,
                    lengths: array | None
                    ) -> tuple[list[tuple[bytes, int, int, int, float, int]], float, float]:
    """A term's posting blocks from its arrays (``segments.TermPostings``;
    weights None: all 1; lengths None: no values): for each block its data
    (as ``encode_block`` makes it), flags, postings, last document number,
    highest weight and number of its first posting; and the term's weight and
    highest weight. Byte for byte what ``encode_block`` writes of the same
    postings, without a Python object per posting."""
    count = len(ids)
    whole_weights = weights is None or weights.typecode != "d"
    blocks = []
    value_start = 0
    for first in range(0, count, BLOCK_POSTINGS):
        last = min(first + BLOCK_POSTINGS, count)
        size = last - first
        parts: list[bytes | bytearray]
        if size == 1:
            weight = 1 if weights is None else weights[first]
            block_max = weight
            length = lengths[first] if lengths is not None else 0
            value = values[value_start:value_start + length] if length else None  # type: ignore[index]
            value_start += length
            parts = [_single(ids[first], weight, value)]
        else:
            block_ids = ids[first:last]
            gaps = array("I", [block_ids[0]])
            gaps.extend([b - a for a, b in zip(block_ids, block_ids[1:], strict=False)])
            parts = [_packed_ints(gaps)]
            if weights is None:
                block_max = 1
                parts.append(_ALL_ONE)
            else:
                block_weights = weights[first:last]
                block_max = max(block_weights)
                if block_weights.count(1) == size:
                    parts.append(_ALL_ONE)
                elif whole_weights:
                    parts.append(_packed_ints(block_weights))
                else:
                    parts.append(_pack_weights(block_weights))
            block_lengths = lengths[first:last] if lengths is not None else None
            if block_lengths is not None and block_lengths.count(0) != size:
                end = value_start + sum(block_lengths)
                parts += [_packed_ints(block_lengths),
                          values[value_start:end]]  # type: ignore[index]
                value_start = end
            else:
                parts.append(_NONE)
        data, flags = _compressed(b"".join(parts))
        blocks.append((data, flags, size, ids[last - 1], float(block_max), first))
    if weights is None:
        return blocks, float(count), 1.0
    return blocks, float(sum(weights)), float(max(weights))


class EncodedTerm(NamedTuple):
    """A term's postings encoded already: its blocks as ``encode_postings``
    gives them, its total and highest weight, how many postings, and its
    first and last documents."""

    blocks: list[tuple[bytes, int, int, int, float, int]]
    weight: float
    maxweight: float
    postings: int
    minid: int
    maxid: int


def encode_terms_at_once(np, ids, weights, lengths, values, value_starts, term_firsts,
                         term_ends) -> Iterator[tuple[int, float, bytes] | EncodedTerm]:
    """The postings of many terms, encoded with numpy's arrays: for each term
    (its postings ``term_firsts[i]`` to ``term_ends[i]`` of the arrays, in
    document order), its one posting (document, weight, value), or an
    ``EncodedTerm`` whose blocks are, byte for byte, those ``encode_postings``
    makes of the same postings. ``weights`` are whole numbers from 1, every
    value is at least a byte (word positions), ``values`` holds them end to
    end from ``value_starts``. Python only compresses the blocks long
    enough and cuts the bytes."""
    def one_posting(at: int) -> tuple[int, float, bytes]:
        start = int(value_starts[at])
        return int(ids[at]), float(weights[at]), values[start:start + int(lengths[at])].tobytes()

    width_codes = np.frombuffer(b"1BH?I", dtype=np.uint8)  # by width; 0: every weight 1
    counts = term_ends - term_firsts
    several = counts > 1
    if not several.any():
        yield from map(one_posting, term_firsts.tolist())
        return
    # the postings of terms with several, their term, block, and place in it
    posting = np.flatnonzero(np.repeat(several, counts))
    term_counts = counts[several]
    term_of = np.repeat(np.arange(len(term_counts)), term_counts)
    within = posting - np.repeat(term_firsts[several], term_counts)
    place = within % BLOCK_POSTINGS
    term_blocks = (term_counts + BLOCK_POSTINGS - 1) // BLOCK_POSTINGS
    block = (np.cumsum(term_blocks) - term_blocks)[term_of] + within // BLOCK_POSTINGS
    firsts = np.flatnonzero(place == 0)
    sizes = np.diff(np.append(firsts, len(posting)))

    block_ids = ids[posting].astype(np.int64)
    gaps = block_ids.copy()
    gaps[place > 0] -= block_ids[np.flatnonzero(place > 0) - 1]
    block_weights = weights[posting].astype(np.int64)
    block_lengths = lengths[posting].astype(np.int64)
    top_weights = np.maximum.reduceat(block_weights, firsts)

    def width(top):
        return np.where(top < 0x100, 1, np.where(top < 0x10000, 2, 4))

    gap_width = width(np.maximum.reduceat(gaps, firsts))
    weight_width = np.where(top_weights == 1, 0, width(top_weights))  # 0: all 1, "1"
    length_width = width(np.maximum.reduceat(block_lengths, firsts))
    value_bytes = np.add.reduceat(block_lengths, firsts)
    at_weights = 1 + sizes * gap_width
    at_lengths = at_weights + 1 + sizes * weight_width
    at_values = at_lengths + 1 + sizes * length_width
    sizes_in_bytes = at_values + value_bytes
    starts = np.cumsum(sizes_in_bytes) - sizes_in_bytes
    data = np.zeros(int(sizes_in_bytes.sum()), dtype=np.uint8)

    def put(offsets, widths, numbers):
        """At each block's ``offsets``, the type code of its width, then its
        numbers little-endian in that width (none for width 0: "1")."""
        data[starts + offsets] = width_codes[widths]
        spot = (starts + offsets)[block] + 1 + place * widths[block]
        for size in (1, 2, 4):
            chosen = widths[block] == size
            if chosen.any():
                for byte in range(size):
                    data[spot[chosen] + byte] = (numbers[chosen] >> (8 * byte)) & 0xFF

    put(np.zeros_like(starts), gap_width, gaps)
    put(at_weights, weight_width, block_weights)
    put(at_lengths, length_width, block_lengths)
    # each block's values, end to end, as they are in ``values``
    source = value_starts[posting]
    target = (starts + at_values)[block] + (source - source[firsts][block])
    offset_in_value = np.arange(int(block_lengths.sum())) - np.repeat(
        np.cumsum(block_lengths) - block_lengths, block_lengths)
    data[np.repeat(target, block_lengths) + offset_in_value] = \
        values[np.repeat(source, block_lengths) + offset_in_value]

    raw = data.tobytes()
    block_starts, block_sizes = starts.tolist(), sizes_in_bytes.tolist()
    posting_counts, block_tops = sizes.tolist(), top_weights.tolist()
    last_ids = block_ids[np.append(firsts[1:], len(posting)) - 1].tolist()
    term_weights = np.add.reduceat(block_weights, np.flatnonzero(within == 0)).tolist()
    term_tops = np.maximum.reduceat(top_weights, np.cumsum(term_blocks) - term_blocks).tolist()
    first_ids = block_ids[within == 0].tolist()
    next_block = 0
    several_index = 0
    for first, count in zip(term_firsts.tolist(), counts.tolist(), strict=True):
        if count == 1:
            yield one_posting(first)
            continue
        blocks = []
        for number in range(next_block, next_block + (count + BLOCK_POSTINGS - 1)
                            // BLOCK_POSTINGS):
            start = block_starts[number]
            packed, flags = _compressed(raw[start:start + block_sizes[number]])
            blocks.append((packed, flags, posting_counts[number], last_ids[number],
                           float(block_tops[number]), (number - next_block) * BLOCK_POSTINGS))
        next_block += len(blocks)
        yield EncodedTerm(blocks, float(term_weights[several_index]),
                          float(term_tops[several_index]), count, first_ids[several_index],
                          blocks[-1][3])
        several_index += 1


def decode_block(data: bytes, count: int):
    """Document numbers and weights (None: all 1.0) of a block, and a function
    that returns its values (None: empty), or those at the indexes it is
    given: only phrases need them, and slicing them all out costs as much as
    the rest."""
    gaps, at = _unpack(data, 0, count)
    assert gaps is not None, "document gaps are always written"
    weights, at = _unpack(data, at, count)
    lengths, at = _unpack(data, at, count)

    def values(wanted: Sequence[int] | None = None) -> tuple | None:
        if lengths is None:
            return None
        ends = list(accumulate(lengths, initial=at))
        if wanted is not None:
            return tuple(data[ends[index]:ends[index + 1]] for index in wanted)
        return tuple(data[start:end] for start, end in zip(ends, ends[1:], strict=False))

    return tuple(accumulate(gaps)), weights, values


# -- term infos ------------------------------------------------------------------
#
# What Whoosh's ``W3TermInfo`` keeps of a term, in as few bytes as it takes: a
# flags byte, then varints. Whoosh packs it in a fixed 35 bytes; its length
# statistics are not kept here (``PassageCodec.length_stats``). A term's total
# and highest weights read back as Whoosh's 32-bit floats would give them.

_ONE_POSTING = 1
"""The term's one posting follows: its document, weight and value."""
_WEIGHTS_ONE = 2
"""Every weight is 1: the term's weight is its count, its highest 1; not written."""
_FLOAT_WEIGHTS = 4
"""Weights as floats (a term's two as 32-bit, a posting's as 64-bit); else varints."""
_BLOCK_FOLLOWS = 8
"""The term's one block (its data as ``encode_block`` makes it) follows, in
place of where its postings are in the posting file."""
_FLOAT32, _FLOAT64 = struct.Struct("<f"), struct.Struct("<d")
_WHOLE_UP_TO = 1 << 24
"""Whole weights below this are exact in a 32-bit float: written as varints."""


def _varints(numbers) -> bytearray:
    """Non-negative ints, seven bits a byte, the high bit set on all but the last."""
    out = bytearray()
    for number in numbers:
        while number > 0x7F:
            out.append(number & 0x7F | 0x80)
            number >>= 7
        out.append(number)
    return out


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    number = shift = 0
    while True:
        byte = data[at]
        at += 1
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            return number, at
        shift += 7


def _whole(*weights: float) -> bool:
    return all(weight == int(weight) and 0 <= weight < _WHOLE_UP_TO for weight in weights)


def encode_term_info(count: int, weight: float, maxweight: float, minid: int, maxid: int,
                     offset: int, length: int, block: bytes | None = None) -> bytes:
    """A term info for several postings: their count, total and highest
    weight, first and last documents, and where they start in the posting file
    and how many bytes they take there, or (``block``) their one block's data,
    uncompressed, kept in the term info (see ``held_block``)."""
    weights: bytes | bytearray
    if maxweight == 1 and weight == count:
        flags, weights = _WEIGHTS_ONE, b""
    elif _whole(weight, maxweight):
        flags, weights = 0, _varints((int(weight), int(maxweight)))
    else:
        flags, weights = _FLOAT_WEIGHTS, _FLOAT32.pack(weight) + _FLOAT32.pack(maxweight)
    if block is not None:
        return b"".join((bytes((flags | _BLOCK_FOLLOWS,)), _varints((count,)), weights,
                         _varints((minid, maxid - minid)), block))
    return b"".join((bytes((flags,)), _varints((count,)), weights,
                     _varints((minid, maxid - minid, offset, length))))


def held_block(blocks: Sequence[tuple]) -> bytes | None:
    """The data of a term's blocks (data and flags first of each) if the term info
    is to keep them: one block, short enough to be stored uncompressed
    (``COMPRESS_FROM``). A term seen in a few passages then takes no
    block header and no place in the posting file."""
    if len(blocks) == 1 and not blocks[0][1] and len(blocks[0][0]) < COMPRESS_FROM:
        return blocks[0][0]
    return None


def encode_one_posting(docnum: int, weight: float, value: bytes | bytearray | None) -> bytes:
    """The term info of a term with one posting, the posting in it: its
    document, its weight (64-bit if not whole, as in a block) and value."""
    if weight == 1:
        head = bytearray((_ONE_POSTING | _WEIGHTS_ONE,)) + _varints((docnum,))
    elif _whole(weight):
        head = bytearray((_ONE_POSTING,)) + _varints((docnum, int(weight)))
    else:
        head = bytearray((_ONE_POSTING | _FLOAT_WEIGHTS,)) + _varints((docnum,)) \
            + _FLOAT64.pack(weight)
    return bytes(head + value) if value else bytes(head)


OnePosting = tuple[int, float, bytes | None]
TermFigures = tuple[int, float, float, int, int, int, int, OnePosting | bytes | None]
"""What ``decode_term_info`` reads: count, total and highest weight, first and
last documents, offset and length in the posting file (0 for postings kept in
the term info), and the postings kept in it: the one posting (document,
weight, value), or the data of the one block; None if they are in the posting file."""


def decode_term_info(data: bytes) -> TermFigures:
    """The figures of a term info ``encode_term_info`` or ``encode_one_posting`` wrote."""
    try:
        flags = data[0]
        if flags & _ONE_POSTING:
            docnum, at = _read_varint(data, 1)
            weight: float
            if flags & _WEIGHTS_ONE:
                weight = 1.0
            elif flags & _FLOAT_WEIGHTS:
                (weight,), at = _FLOAT64.unpack_from(data, at), at + 8
            else:
                number, at = _read_varint(data, at)
                weight = float(number)
            kept = _FLOAT32.unpack(_FLOAT32.pack(weight))[0]  # as a term info keeps it
            return (1, kept, kept, docnum, docnum, 0, 0,
                    (docnum, weight, data[at:] if at < len(data) else None))
        count, at = _read_varint(data, 1)
        if flags & _WEIGHTS_ONE:
            weight, maxweight = float(count), 1.0
        elif flags & _FLOAT_WEIGHTS:
            (weight,), (maxweight,) = _FLOAT32.unpack_from(data, at), \
                _FLOAT32.unpack_from(data, at + 4)
            at += 8
        else:
            number, at = _read_varint(data, at)
            top, at = _read_varint(data, at)
            weight, maxweight = float(number), float(top)
        minid, at = _read_varint(data, at)
        span, at = _read_varint(data, at)
        if flags & _BLOCK_FOLLOWS:
            return count, weight, maxweight, minid, minid + span, 0, 0, data[at:]
        offset, at = _read_varint(data, at)
        length, at = _read_varint(data, at)
    except (IndexError, struct.error):
        raise IndexDamagedError("a term info of the term table is cut short") from None
    return count, weight, maxweight, minid, minid + span, offset, length, None


def decode_term_count(data: bytes) -> int:
    """The count of postings of a term info, read without the rest."""
    try:
        return 1 if data[0] & _ONE_POSTING else _read_varint(data, 1)[0]
    except IndexError:
        raise IndexDamagedError("a term info of the term table is cut short") from None


def gaps_and_weights(data: bytes, count: int) -> tuple[array, array | None]:
    """The document gaps (the first one the block's first document number) and
    the weights (None: all 1.0) of a block, as the typed arrays it holds: for
    scoring a block at once (``scoring``), without a Python int per posting."""
    gaps, at = _unpack(data, 0, count)
    assert gaps is not None, "document gaps are always written"
    weights, _ = _unpack(data, at, count)
    return gaps, weights


def gaps_weights_and_values(data: bytes, count: int
                            ) -> tuple[array, array | None, tuple[array, bytes] | None]:
    """``gaps_and_weights``, and the values of the block (None: none): the
    length of each, and all of them one after another; a phrase reads the
    positions of some postings from the blocks its words were scored from."""
    gaps, at = _unpack(data, 0, count)
    assert gaps is not None, "document gaps are always written"
    weights, at = _unpack(data, at, count)
    lengths, at = _unpack(data, at, count)
    return gaps, weights, None if lengths is None else (lengths, data[at:])


# -- stored records ----------------------------------------------------------------

_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_MAKE_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_C_RECORD_ENCODER = None if _MAKE_C_ENCODER is None else _MAKE_C_ENCODER(
    None, _RECORD_ENCODER.default, getattr(json.encoder, "c_encode_basestring", None), None,
    ":", ",", False, False, True)
"""``_RECORD_ENCODER``'s C encoder, made once: ``JSONEncoder.encode`` makes
it again for every record, a third of the time a record takes."""


def encode_record(stored: dict) -> bytes:
    """A document's stored fields as compact JSON (tuples come back as lists)."""
    if _C_RECORD_ENCODER is None:
        return _RECORD_ENCODER.encode(stored).encode("utf-8")
    return "".join(_C_RECORD_ENCODER(stored, 0)).encode("utf-8")


def decode_record(data: bytes) -> dict:
    try:
        record = json.loads(data)
    except ValueError as error:
        raise IndexDamagedError(f"a stored passage cannot be read ({error})") from None
    if not isinstance(record, dict):
        raise IndexDamagedError("a stored passage is not a record")
    return record


_RECORD_END = b"\n"
"""Between two records of a block: compact JSON never holds a newline (it
escapes those of its strings)."""


def join_records(records: list[bytes]) -> bytes:
    """The encoded records of a block as one string (b"" for a document
    without one)."""
    return _RECORD_END.join(records)


def split_records(data: bytes) -> list[bytes]:
    """The encoded records of a block (``join_records``)."""
    records = data.split(_RECORD_END)
    if len(records) > RECORDS_PER_BLOCK:
        raise IndexDamagedError("a block of stored passages holds too many")
    return records


def dictionary_sample(records, size: int = DICTIONARY_BYTES) -> bytes:
    """A preset dictionary for ``StoredColumn``: stored records as the column
    encodes them, up to ``size`` bytes (zlib looks for matches in its last 32 KiB)."""
    sample = bytearray()
    for record in records:
        if len(sample) >= size:
            break
        sample += encode_record(record)
    return bytes(sample[:size])


# -- passage order -----------------------------------------------------------------

def passage_order(article_id: str, number: int, position: int) -> bytes:
    """What orders a passage among equal scores (its passage id: article id,
    then number), in a few bytes: how many passages back its article's first
    one is (``position``, 0 for that one), its number, and for the first
    passage only, the article id in UTF-8 (whose byte order is code point
    order). An article's passages are written one after the other, and
    deleted together (by article id), so the first is always that far back
    in the segment; the id is not repeated in every passage."""
    head = article_id.encode("utf-8") if position == 0 else b""
    return bytes(_varints((position, number))) + head


HEADLINE_ORDER = bytes(_varints((0, 0)))
"""How a headline's ``passage_order`` starts: the first passage of its
article, numbered 0 (``articles`` numbers the other passages from 1)."""


def read_passage_order(value: bytes) -> tuple[int, int, bytes]:
    """(passages back to the article's first one, number, article id in
    UTF-8: b"" but in the first) of a ``passage_order`` value."""
    try:
        back, at = _read_varint(value, 0)
        number, at = _read_varint(value, at)
    except IndexError:
        raise IndexDamagedError("a passage's order value is cut short") from None
    return back, number, value[at:]
