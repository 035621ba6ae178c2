"""The compact codec reads back exactly what Whoosh's own codec would, and its
dictionary files live and die with the segments that use them."""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.filestore import RamStorage

import frsearch
import frsearch.index
from frsearch.codec import (
    COMPRESS_FROM,
    RECORDS_PER_BLOCK,
    decode_block,
    decode_term_count,
    decode_term_info,
    encode_block,
    encode_one_posting,
    encode_term_info,
    held_block,
)
from frsearch.indexing import IndexReport, build_schema, codec_for, write_articles
from frsearch.store import DICTIONARY_PREFIX, INDEX_NAME, index_storage
from frsearch.whoosh_internals import PassageCodec, StoredColumn
from frsearch.writers import open_writer


def _article(number: int, text: str) -> dict:
    return {"id": f"essai-{number}", "title": f"Essai numéro {number}", "paragraphs": [text]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    """The seeds, plus passages that make long posting lists (a word in 400
    passages: several blocks), long values (a word 300 times in one passage) and
    gaps between positions over 255."""
    extra = tmp_path_factory.mktemp("codec") / "extra.jsonl"
    lines = [_article(n, f"Les sanctions du jour {n} contre la Russie.") for n in range(400)]
    lines.append(_article(400, " ".join(["sanctions"] * 300)))
    lines.append(_article(401, "Moscou " + "et encore " * 200 + "Genève"))
    extra.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                     encoding="utf-8")
    return [frsearch.seeds_dir(), extra]


def _build(folder: Path, paths: list[Path], codec) -> whoosh_index.FileIndex:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
    articles = frsearch.read_articles(paths)
    if codec is None:
        codec, articles = codec_for(articles, DICTIONARY_PREFIX)
        codec.write_dictionary(folder)
    writer = ix.writer(codec=codec)
    with ix.reader() as reader:
        write_articles(writer, reader, articles, IndexReport())
    writer.commit()
    return ix


def _postings(reader, field: str, term: bytes) -> list[tuple]:
    matcher = reader.postings(field, term)
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def test_compact_codec_reads_back_what_whoosh_codec_does(corpus, tmp_path):
    compact = _build(tmp_path / "compact", corpus, None)
    whoosh = _build(tmp_path / "whoosh", corpus, W3Codec())
    with compact.reader() as ours, whoosh.reader() as theirs:
        terms = list(theirs.all_terms())
        assert list(ours.all_terms()) == terms
        assert len(terms) > 1000
        for field, term in terms:
            assert ours.doc_frequency(field, term) == theirs.doc_frequency(field, term)
            assert ours.frequency(field, term) == theirs.frequency(field, term)
            assert _figures(ours.term_info(field, term)) == _figures(theirs.term_info(field, term))
            assert _postings(ours, field, term) == _postings(theirs, field, term), (field, term)
        assert [_figures(info) for _, info in ours.iter_prefix("text", "sanct")] == \
            [_figures(info) for _, info in theirs.iter_prefix("text", "sanct")]
        infos = [ours.term_info(field, term) for field, term in terms]
        held = [len(info.inlined_postings()[0]) for info in infos if info.is_inlined()]
        assert 1 in held and max(held) > 1  # one posting, and short blocks, in term infos
        assert len(held) < len(terms)  # the others in the posting file
        # stored as JSON, which has lists where Whoosh's pickles keep tuples
        as_written = [{name: list(value) for name, value in stored.items()}
                      for stored in theirs.all_stored_fields()]
        assert list(ours.all_stored_fields()) == as_written
        assert ours.doc_frequency("text", "sanction") > 400  # several blocks
    sizes = {name: sum(f.stat().st_size for f in (tmp_path / name).iterdir())
             for name in ("compact", "whoosh")}
    assert sizes["compact"] < sizes["whoosh"]


def _figures(info) -> tuple:
    """A term info's figures, less the length statistics the compact codec does not keep."""
    return info.doc_frequency(), info.weight(), info.max_weight(), info.min_id(), info.max_id()


def test_phrases_across_long_values_are_found(corpus, tmp_path):
    with frsearch.open_index(tmp_path / "index", create=True) as index:
        index.add(corpus)
        assert [hit.passage_id for hit in index.search('"encore Genève"').hits] == ["essai-401:1"]
        assert index.search("sanctions").total > 400


@pytest.mark.parametrize("ids, weights, values", [
    ([0], [1.0], [b""]),
    ([3, 4, 9], [1.0, 2.0, 1.0], [b"\x00\x05", b"\x00\x01\x02", b"\x00\x07"]),
    ([5, 70_000, 5_000_000], [1.5, 0.25, 3.0], [b"", b"", b""]),
    ([7, 8], [0.1, 2.7], [b"\x00\x03", b"\x01" + bytes(8)]),  # weights kept to the last bit
    (list(range(0, 256, 2)), [float(n % 7) for n in range(128)], [bytes(300)] * 128),
])
def test_blocks_round_trip(ids, weights, values):
    data, flags = encode_block(ids, weights, values)
    if flags:
        data = zlib.decompress(data)
        assert len(data) >= COMPRESS_FROM
    got_ids, got_weights, read_values = decode_block(data, len(ids))
    got_values = read_values()
    assert list(got_ids) == ids
    assert list(got_weights or [1.0] * len(ids)) == weights
    assert list(got_values or [b""] * len(ids)) == values


@pytest.mark.parametrize("count, weight, maxweight, minid, maxid", [
    (2, 2.0, 1.0, 0, 1),
    (3, 7.0, 4.0, 12, 70_000),
    (2, 3.0, 1.5, 5, 6),  # whole total, highest not whole
    (4, 0.1 + 2.7, 2.7, 2**31, 2**32 - 1),
    (5, 2.0**30, 2.0**29, 1, 2),  # whole but past a 32-bit float's whole numbers
])
def test_term_infos_read_back_as_whooshs(count, weight, maxweight, minid, maxid):
    """The figures Whoosh's own term info gives (weights as 32-bit floats)."""
    whoosh = W3TermInfo(weight=weight, df=count, maxweight=maxweight, minid=minid, maxid=maxid,
                        minlength=0, maxlength=0)
    whoosh.set_extent(123_456_789, 4_000)
    expected = W3TermInfo.from_bytes(whoosh.to_bytes())
    data = encode_term_info(count, weight, maxweight, minid, maxid, 123_456_789, 4_000)
    assert decode_term_info(data) == (count, expected.weight(), expected.max_weight(), minid,
                                      maxid, 123_456_789, 4_000, None)
    assert decode_term_count(data) == count
    assert len(data) < len(whoosh.to_bytes())


@pytest.mark.parametrize("docnum, weight, value", [
    (0, 1.0, None), (300, 1.0, b"\x00\x05"), (2**32 - 1, 3.0, b"\x00\x01\x02\x03"),
    (9, 0.1, b"\x01" + bytes(8)),  # the posting's weight kept to the last bit
])
def test_a_term_info_holds_a_terms_one_posting(docnum, weight, value):
    data = encode_one_posting(docnum, weight, value)
    (kept,) = struct.unpack("!f", struct.pack("!f", weight))  # as Whoosh's term info keeps it
    assert decode_term_info(data) == (1, kept, kept, docnum, docnum, 0, 0,
                                      (docnum, weight, value))
    assert decode_term_count(data) == 1
    assert len(data) <= 10 + len(value or b"")


def test_a_term_info_holds_a_short_block_and_a_longer_one_is_in_the_posting_file():
    data, flags = encode_block([3, 9], [1.0, 2.0], [b"\x00\x01", b"\x00\x02\x03"])
    assert held_block([(data, flags)]) == data
    info = encode_term_info(2, 3.0, 2.0, 3, 9, 0, 0, data)
    assert decode_term_info(info) == (2, 3.0, 2.0, 3, 9, 0, 0, data)
    assert decode_term_count(info) == 2
    assert held_block([(data, flags)] * 2) is None
    compressed = encode_block(list(range(0, 8000, 100)), [1.0] * 80, [b""] * 80)
    assert compressed[1] and held_block([compressed]) is None
    assert held_block([(bytes(COMPRESS_FROM), 0)]) is None  # stored as is, but not short


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00\x82", encode_term_info(2, 2.0, 1.0, 3, 4,
                                                                          500, 20)[:-1],
                                  encode_one_posting(9, 0.1, None)[:-1]])
def test_a_term_info_cut_short_is_damage(data):
    with pytest.raises(frsearch.IndexDamagedError):
        decode_term_info(data)


def _dictionaries(folder: Path) -> set[str]:
    return {f.name for f in folder.glob(f"{DICTIONARY_PREFIX}*")}


def test_a_cancelled_run_leaves_its_dictionary_until_the_next_write(tmp_path, corpus,
                                                                   monkeypatch):
    folder = tmp_path / "index"
    with frsearch.open_index(folder, create=True) as index:
        index.add([frsearch.seeds_dir()])
    first = _dictionaries(folder)
    assert len(first) == 1

    def interrupted(writer, reader, articles, report, progress=None, **options):
        for number, article in enumerate(articles):  # Ctrl-C after some passages
            if number == 100:
                raise KeyboardInterrupt
            write_articles(writer, reader, [article], report)

    with monkeypatch.context() as patch, frsearch.open_index(folder) as index:
        patch.setattr(frsearch.index, "write_articles", interrupted)
        with pytest.raises(KeyboardInterrupt):
            index.add(corpus[1:])
    assert len(_dictionaries(folder)) == 2  # the cancelled run's, not committed

    with frsearch.open_index(folder) as index:
        index.add(corpus[1:])
        assert len(_dictionaries(folder)) == 2  # the seeds', and this run's
        assert first <= _dictionaries(folder)
        assert index.search("Genève").total >= 2


def test_a_merged_index_keeps_only_the_dictionary_it_uses(tmp_path, corpus):
    folder = tmp_path / "index"
    with frsearch.open_index(folder, create=True) as index:
        index.add([frsearch.seeds_dir()])
    shutil.copytree(folder, tmp_path / "copy")
    ix = index_storage(folder).open_index(INDEX_NAME)
    writer = open_writer(ix, PassageCodec(b"un autre dictionnaire", DICTIONARY_PREFIX),
                         parallel=False, lock_timeout=0)
    writer.codec.write_dictionary(folder)
    writer.commit(optimize=True)  # every segment written again with the new codec
    with frsearch.open_index(folder) as index:
        index.add(corpus[1:])
        hits = index.search("sanctions").hits
        assert hits and hits[0].text
    used = {segment.codec().dictionary_file for segment in ix._segments()}
    assert _dictionaries(folder) == used


# -- stored records in blocks ------------------------------------------------------

def _stored_column(records: dict[int, dict], doccount: int, dictionary: bytes = b"",
                   damage=lambda data: data):
    """A ``StoredColumn`` reader of ``records`` (document number → stored
    fields) among ``doccount`` documents, its bytes passed through ``damage``."""
    storage = RamStorage()
    column = StoredColumn(dictionary)
    with storage.create_file("stored") as file:
        writer = column.writer(file)
        for docnum in sorted(records):
            writer.add(docnum, records[docnum])
        writer.finish(doccount)
    data = damage(storage.files["stored"])
    storage.files["stored"] = data
    return column.reader(storage.open_file("stored"), 0, len(data), doccount)


def _record(docnum: int) -> dict:
    return {"passage": [f"essai-{docnum // 3}", docnum % 3, f"Passage numéro {docnum}.\n"]}


def test_stored_records_read_back_across_block_boundaries():
    per = RECORDS_PER_BLOCK
    doccount = 3 * per + 5  # a last block part full
    # no record at the end of the first block, nor in the whole second block
    records = {docnum: _record(docnum) for docnum in range(doccount)
               if docnum != per - 1 and not per <= docnum < 2 * per}
    reader = _stored_column(records, doccount, dictionary="Passage numéro essai".encode())
    assert len(reader) == doccount
    order = [per, per - 1, 0, per - 2, 2 * per, 2 * per - 1, doccount - 1, 3 * per - 1, 3 * per]
    for docnum in order + list(range(doccount)):  # jumping between blocks, then in turn
        assert reader[docnum] == records.get(docnum)
    assert list(reader) == [records.get(docnum) for docnum in range(doccount)]


def test_a_stored_block_cut_short_is_damage():
    records = {docnum: _record(docnum) for docnum in range(RECORDS_PER_BLOCK + 1)}
    whole = _stored_column(records, len(records))
    first_block = whole._lengths[0]

    def cut(data: bytes) -> bytes:  # the first block's last bytes lost, the rest in place
        return data[:first_block - 3] + bytes(3) + data[first_block:]
    reader = _stored_column(records, len(records), damage=cut)
    assert reader[RECORDS_PER_BLOCK] == records[RECORDS_PER_BLOCK]  # the next block is sound
    with pytest.raises(frsearch.IndexDamagedError):
        reader[0]


@given(st.integers(0, 10**6), st.integers(1, 255))
@settings(max_examples=200, deadline=None)
def test_a_changed_byte_in_a_stored_block_is_damage_or_a_record(where, flip):
    records = {docnum: _record(docnum) for docnum in range(2 * RECORDS_PER_BLOCK)}
    whole = _stored_column(records, len(records))
    blocks_end = whole._lengths[0] + whole._lengths[1]
    at = where % blocks_end

    def changed(data: bytes) -> bytes:
        return data[:at] + bytes([data[at] ^ flip]) + data[at + 1:]
    reader = _stored_column(records, len(records), damage=changed)
    for docnum in range(len(records)):
        try:
            record = reader[docnum]
        except frsearch.IndexDamagedError:
            continue
        assert record is None or isinstance(record, dict)
