"""frsearch's own segment writer (``segments``, the writers of ``whoosh_internals``)
against the reference path, Whoosh's writer loop (``ReferenceWriter``: posting
tuples in a pool, sorted at commit).

The same articles give the same segment files byte for byte, in one commit or
in two (the second merges the first segment through the buffer), and the
writer processes give every judged query the same hits, scores and snippets.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import frsearch
from frsearch import analysis, index, streams, whoosh_internals, writers
from frsearch.codec import BLOCK_POSTINGS, encode_block, encode_postings
from frsearch.segments import (
    PostingsBuffer,
    TermPostings,
    as_postings,
    pack_article,
    trim_word_caches,
    unpack_article,
)
from frsearch.whoosh_internals import ReferenceWriter

ROOT = Path(__file__).resolve().parent.parent
JUDGED = [judgment["query"] for judgment in
          json.loads((ROOT / "benchmarks" / "judgments.json").read_text(encoding="utf-8"))]
MORE = ['"à la fois" fois', '"de la Russie"', "sanct*", "Etats-Un*", "title:sanctions",
        "troupes frontière menace", "sanctions -Russie", "Kiev Kyiv"]


def _corpus(folder: Path) -> list[Path]:
    """The seeds, 300 articles of their sentences shuffled, and passages that
    make long posting lists, long values and position gaps over 255."""
    sentences = [sentence.strip() + "."
                 for article in frsearch.read_articles([frsearch.seeds_dir()])
                 for passage in article.passages for sentence in passage.text.split(".")
                 if len(sentence.split()) > 3]
    shuffle = random.Random(13)
    lines = []
    for number in range(300):
        paragraphs = [" ".join(shuffle.sample(sentences, 2)) for _ in range(3)]
        lines.append({"id": f"mix-{number:03}", "title": shuffle.choice(sentences),
                      "paragraphs": paragraphs, "date": f"2022-0{1 + number % 9}-1{number % 10}"})
    lines.append({"id": "long", "title": "Répétitions",
                  "paragraphs": [" ".join(["sanctions"] * 300),
                                 "Moscou " + "et encore " * 200 + "Genève"]})
    corpus = folder / "mixed.jsonl"
    corpus.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                      encoding="utf-8")
    return [frsearch.seeds_dir(), corpus]


def _segment_files(folder: Path) -> list[tuple[str, bytes]]:
    """Each segment file's kind (its name less the segment's random name) and bytes."""
    return sorted((path.name.split(".", 1)[1], path.read_bytes())
                  for path in folder.iterdir() if path.name.startswith("passages_")
                  and "." in path.name and not path.name.endswith(".toc"))


def _build(folder: Path, batches: list[list[Path]], reference: bool, parallel: bool,
           patch: pytest.MonkeyPatch) -> frsearch.Index:
    with patch.context() as context:
        if reference:
            context.setattr(writers, "SerialWriter", ReferenceWriter)
        context.setattr(index, "PARALLEL_FROM_BYTES", 1 if parallel else 10**12)
        built = frsearch.open_index(folder, create=True)
        for batch in batches:
            built.add(batch)
    return built


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("commits", [1, 2])
@pytest.mark.parametrize("arrays", [False, True], ids=["loop", "numpy"])
def test_the_same_segment_files_as_whooshs_writer_loop(corpus, tmp_path, commits, arrays,
                                                       monkeypatch):
    """Word codes made postings by Python's loop (a small segment) or by
    numpy's arrays (``streams.ARRAYS_FROM``), in chunks of a few terms
    (``CHUNK_CODES``): the same bytes."""
    monkeypatch.setattr(streams, "_by_loop", lambda stream: not arrays)
    monkeypatch.setattr(streams, "CHUNK_CODES", 5_000)
    batches = [corpus] if commits == 1 else [[corpus[0]], [corpus[1]]]
    patch = pytest.MonkeyPatch()
    reference = _build(tmp_path / "reference", batches, True, False, patch)
    ours = _build(tmp_path / "ours", batches, False, False, patch)
    try:
        expected = _segment_files(tmp_path / "reference")
        assert {"_stored.col", "_heading_len.col", "_text_len.col", "_title_len.col", "pst",
                "text.col", "trm"} <= {kind for kind, _ in expected}
        assert _segment_files(tmp_path / "ours") == expected
        theirs_reader = reference._current_searcher().reader()
        our_reader = ours._current_searcher().reader()
        for field in ("text", "title", "heading"):
            assert our_reader.field_length(field) == theirs_reader.field_length(field)
        assert our_reader.doc_count_all() == theirs_reader.doc_count_all() == 46 + 300 * 4 + 3
    finally:
        reference.close()
        ours.close()


@pytest.fixture(scope="module")
def builds(corpus, tmp_path_factory):
    root = tmp_path_factory.mktemp("builds")
    patch = pytest.MonkeyPatch()
    built = {
        "reference": _build(root / "reference", [corpus], True, False, patch),
        "parallel": _build(root / "parallel", [corpus], False, True, patch),
        "serial": _build(root / "serial", [corpus], False, False, patch),
    }
    with patch.context() as small:  # writer processes forked after this see it
        small.setattr(whoosh_internals, "SEGMENT_BYTES", 200_000)
        built["segmented"] = _build(root / "segmented", [corpus], False, True, patch)
    yield built
    for one in built.values():
        one.close()


def test_writer_processes_write_a_segment_each_or_more_past_their_memory(builds):
    searcher = builds["parallel"]._current_searcher()
    assert len(list(searcher.leaf_searchers())) == writers.writer_processes()
    segmented = builds["segmented"]._current_searcher()
    assert len(list(segmented.leaf_searchers())) > writers.writer_processes()
    assert segmented.doc_count_all() == searcher.doc_count_all()


@pytest.mark.parametrize("query", JUDGED + MORE)
def test_every_judged_query_finds_what_the_reference_path_finds(builds, query):
    def hits(name: str) -> list[tuple]:
        found = builds[name].search(query, limit=30)
        return [(hit.passage_id, hit.score, hit.snippet, hit.date,
                 [copy.passage_id for copy in hit.duplicates]) for hit in found.hits]

    expected = hits("reference")
    assert hits("serial") == expected
    assert hits("parallel") == expected
    assert hits("segmented") == expected


def test_articles_cross_to_writer_processes_whole():
    for article in frsearch.read_articles([frsearch.seeds_dir()]):
        back = unpack_article(pack_article(article))
        assert back == article and back.meta == article.meta


# -- the buffer and the codec, on postings no corpus above makes -----------------

_postings = st.lists(
    st.tuples(st.integers(1, 70_000),  # gap to the previous document
              st.one_of(st.just(1.0), st.integers(1, 70_000).map(float),
                        st.floats(0.01, 50, allow_nan=False)),
              st.one_of(st.just(b""), st.binary(min_size=1, max_size=300))),
    min_size=1, max_size=3 * BLOCK_POSTINGS + 5)


def _reference_blocks(ids, weights, values) -> list[tuple[bytes, int]]:
    return [encode_block(ids[first:first + BLOCK_POSTINGS], weights[first:first + BLOCK_POSTINGS],
                         values[first:first + BLOCK_POSTINGS])
            for first in range(0, len(ids), BLOCK_POSTINGS)]


@settings(max_examples=150, deadline=None)
@given(_postings)
def test_blocks_from_the_buffer_are_those_of_encode_block(postings):
    """Weights whole, large or not whole; values empty, short or longer than
    255 bytes; several blocks: the buffer's arrays encode as the tuples do."""
    ids, docnum = [], -1
    for gap, _, _ in postings:
        docnum += gap
        ids.append(docnum)
    weights = [weight for _, weight, _ in postings]
    values = [value for _, _, value in postings]
    buffer = PostingsBuffer()
    for docnum, weight, value in zip(ids, weights, values, strict=True):
        buffer.add(("field", b"term", docnum, weight, value))
    [(field, terms)] = list(buffer.sorted_terms())
    [(term, kept)] = list(terms)
    held = as_postings(kept)
    assert isinstance(held, TermPostings) and list(held.ids) == ids
    blocks, total, highest = encode_postings(held.ids, held.weights, held.values, held.lengths)
    assert [(data, flags) for data, flags, *_ in blocks] == _reference_blocks(ids, weights, values)
    assert [size for _, _, size, *_ in blocks] == [
        len(ids[first:first + BLOCK_POSTINGS]) for first in range(0, len(ids), BLOCK_POSTINGS)]
    assert (total, highest) == (float(sum(weights)), float(max(weights)))


def test_text_and_utf8_terms_of_one_field_are_one_list():
    """A merge adds an older segment's postings as UTF-8 to a field whose
    terms came as text: one term table, in byte order, each term once."""
    buffer = PostingsBuffer()
    buffer.add_term("article_id", 0, "été", 1.0)
    buffer.add_term("article_id", 1, "ete", 1.0)
    buffer.add(("article_id", "été".encode(), 2, 1.0, b""))
    buffer.add(("article_id", b"zz", 3, 1.0, b""))
    [(field, terms)] = list(buffer.sorted_terms())
    assert [(term, list(as_postings(held).ids)) for term, held in terms] == [
        (b"ete", [1]), (b"zz", [3]), ("été".encode(), [0, 2])]


def test_word_caches_past_their_limit_are_emptied():
    analysis.analyze("Les sanctions contre la Russie, et d'autres mesures encore")
    assert analysis.term_for_word.cache_info().currsize > 3
    assert trim_word_caches(limit=3) >= 1
    assert analysis.term_for_word.cache_info().currsize == 0
    assert analysis.analyze("sanctions") == ["sanction"]  # analysis the same after


def test_a_parallel_writer_takes_articles_and_documents_mixed(tmp_path):
    """Articles (made into documents by the writer processes) and documents
    given one by one, in any order: every passage is committed once."""
    from frsearch.indexing import _documents, codec_for
    from frsearch.store import DICTIONARY_PREFIX

    articles = list(frsearch.read_articles([frsearch.seeds_dir()]))
    codec, _ = codec_for(iter(articles), DICTIONARY_PREFIX)
    folder = tmp_path / "index"
    with frsearch.open_index(folder, create=True) as built:
        codec.write_dictionary(folder)
        writer = writers.open_writer(built._ix, codec, parallel=True, lock_timeout=0.0)
        for number, article in enumerate(articles):
            if number % 2:
                writer.add_article(article, _documents)
            else:
                for document in _documents(article):
                    writer.add_document(**document)
        writer.commit()
    with frsearch.open_index(folder) as reopened:
        assert reopened.stats().passages == sum(len(a.passages) for a in articles) == 46
        assert {hit.passage_id for hit in reopened.search("sanctions").hits} == {
            "000_6f9472f48d466d8a:0", "001_6c41907e8ecef70d:6", "002_5304680d689b3a2e:3",
            "004_b987cb3fb497488e:0"}
