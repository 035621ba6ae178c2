"""Indexing: articles in, one Whoosh document per passage out, one commit per run.

The schema keeps what a hit shows (ids, title, date, heading, paragraph number,
the passage as written) and indexes three text fields with the French analysis:
the passage itself, and its headline and section heading as context. Each
passage also holds its article's metadata as ``keywords`` terms (``source=lemonde``,
``keyword_term``), for filters.

Re-indexing is by article: each article's first passage carries a version term
(``<article id>`` + fingerprint of its content). An article whose version is
already in the index is skipped; a changed one has all its passages deleted and
added again in the same commit, so a run never leaves duplicates and never
leaves half an update visible.
"""

from __future__ import annotations

import json
import os
import re
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import NamedTuple

from whoosh import columns, fields
from whoosh.analysis import Analyzer
from whoosh.analysis import Token as WhooshToken
from whoosh.formats import Positions

from frsearch.analysis import (
    accent_forms,
    indexed_terms,
    normalize,
    tokenize,
    word_codes,
)
from frsearch.articles import Article, InputProblem
from frsearch.codec import (
    DICTIONARY_BYTES,
    CompactPositions,
    dictionary_sample,
    passage_order,
)
from frsearch.duplicates import BINS, sketch
from frsearch.whoosh_internals import PassageCodec

__all__ = [
    "FrenchAnalyzer",
    "FrenchText",
    "IndexProgress",
    "IndexReport",
    "codec_for",
    "StoredPassage",
    "build_schema",
    "keyword_term",
    "keyword_terms",
]

VERSION_SEPARATOR = "\x1f"


class FrenchAnalyzer(Analyzer):
    """Whoosh adapter of ``frsearch.analysis.tokenize``. frsearch never calls it
    (``FrenchText.index`` and searching analyse text themselves), but a Whoosh
    TEXT field needs an analyzer, and each index's pickled schema names this
    class: it stays, and gives Whoosh's own tools (``field.process_text``) the
    terms frsearch indexes."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchAnalyzer)

    def __hash__(self) -> int:
        return hash(FrenchAnalyzer)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, mode="", **kwargs):
        token = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for found in tokenize(normalize(value)):
            token.text = found.term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[found.start:found.end]
            if positions:
                token.pos = start_pos + found.position
            if chars:
                token.startchar = start_char + found.start
                token.endchar = start_char + found.end
            yield token


class AnalysedText(str):
    """A field value that carries its word codes (``analysis.word_codes``),
    so that a passage's text is analysed once for its text and forms fields,
    and a headline or a heading once for all the passages it heads."""

    codes: array
    length: int
    """Words that have a term (not stop words): the field's length."""
    has_forms: bool
    """True if a word has an ``accent_form``."""

    def __new__(cls, text: str):
        value = super().__new__(cls, text)
        codes = value.codes = word_codes(normalize(text))
        value.length = len(codes) - codes.count(0)
        value.has_forms = bool(codes) and min(codes) < 0
        return value

    def __reduce__(self):
        # Sent to a writer process as plain text: codes belong to the process
        # that made them, and analysing again there (words are cached) costs
        # less than pickling them.
        return (str, (str(self),))


class FrenchText(fields.TEXT):
    """A TEXT field analysed by ``frsearch.analysis``.

    frsearch's writers take its values as word codes (``codes_of``), which
    ``streams`` makes postings of; ``index``, for Whoosh's own writer, gives the
    same terms and positions as going through ``FrenchAnalyzer``, without a
    Whoosh token object per word.

    With ``sketched``, each document also gets the MinHash sketch of the field's
    terms (``duplicates``) in a column of fixed-size values, made by
    whichever process writes the document: the one that reads the input never
    analyses the passages.
    """

    def __init__(self, stored: bool = False, field_boost: float = 1.0, sketched: bool = False):
        super().__init__(analyzer=FrenchAnalyzer(), phrase=True, stored=stored,
                         field_boost=field_boost)
        self.format = CompactPositions(field_boost=field_boost)
        if sketched:
            self.column_type = columns.FixedBytesColumn(BINS, default=bytes(BINS))

    coded_as = "terms"
    """What frsearch's writers make of its word codes (see ``segments``)."""

    def codes_of(self, value) -> AnalysedText:
        """``value`` with its word codes."""
        return value if isinstance(value, AnalysedText) else AnalysedText(value)

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        encode = self.format.encode
        for term, posting in indexed_terms(normalize(value))[1].items():
            count = len(posting)
            yield term.encode("utf-8"), count, count * boost, encode(posting)

    def to_column_value(self, value) -> bytes:
        """The sketch of ``value``, for Whoosh's own writer."""
        return sketch(indexed_terms(normalize(value))[0])

    def from_column_value(self, value: bytes) -> bytes:
        return value


assert isinstance(FrenchText().format, Positions)


class AccentForms(fields.ID):
    """Of a passage's words whose accents change their stem, the pairs
    "<word without accents>\\x1f<term>" (``analysis.accent_form``): a lexicon
    that a query typed without accents is looked up in. The postings cost
    little (few words are such); only the terms are read."""

    coded_as = "forms"
    codes_of = FrenchText.codes_of

    def index(self, value, **kwargs):
        for form in sorted(accent_forms(normalize(value))):
            yield form.encode("utf-8"), 1, 1.0, b""


MAX_KEYWORD_CHARS = 200
"""Longest metadata value that gets a keyword term: a value longer than this
(a summary, an excerpt) is no keyword to filter on; it stays in ``meta``."""

_KEYWORD_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def _keyword_text(value: object) -> str | None:
    """``value`` as a keyword: lowercased, spaces and control characters made
    single spaces, stripped; numbers as JSON writes them, booleans ``true`` /
    ``false``. None for what is no keyword (null, objects, empty text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if not isinstance(value, str):
        return None
    text = _KEYWORD_SPACES.sub(" ", value).strip().lower()
    return text or None


def keyword_term(name: str, value: object) -> str | None:
    """The term of the ``keywords`` field that metadata ``name`` holding
    ``value`` (one string, number or boolean) gives, or None if it gives none.

    The one contract between indexing and filtering: a filter ``source:LeMonde``
    looks up ``keyword_term("source", "LeMonde")``, that is ``source=lemonde``,
    the term of every passage of an article whose ``"source"`` is ``"lemonde"``
    (or ``" LeMonde "``). Names are compared the same way (``Source`` is
    ``source``); a name holding ``=`` gives no term (the first ``=`` ends it).

    >>> keyword_term("author", "Jean  Dupont")
    'author=jean dupont'
    >>> keyword_term("paywall", False), keyword_term("words", 640)
    ('paywall=false', 'words=640')
    """
    key = _keyword_text(name) if isinstance(name, str) else None
    text = _keyword_text(value)
    if key is None or text is None or "=" in key or len(text) > MAX_KEYWORD_CHARS:
        return None
    return f"{key}={text}"


def keyword_terms(meta: dict | None) -> list[str]:
    """The ``keywords`` terms of an article's metadata: one per value that is a
    string, a number or a boolean, and one per such item of a list (``"tags":
    ["Russie", "Ukraine"]`` gives ``tags=russie`` and ``tags=ukraine``). Other
    values (objects, lists of lists, null) are kept in ``meta`` but cannot
    filter."""
    terms: set[str] = set()
    for name, value in (meta or {}).items():
        for item in value if isinstance(value, list) else (value,):
            term = keyword_term(name, item)
            if term is not None:
                terms.add(term)
    return sorted(terms)


class KeywordTerms(fields.ID):
    """The ``keywords`` field: a list of terms (``keyword_terms``), indexed as
    they are, not stored. A passage holds its article's keywords, so a filter
    narrows passages with a term lookup."""

    def index(self, value, **kwargs):
        for term in value:
            yield term.encode("utf-8"), 1, 1.0, b""


def build_schema() -> fields.Schema:
    """One document per passage. What a hit shows is stored as one tuple
    (see ``StoredPassage``): Whoosh pickles a document's stored fields as a
    dict, and one key instead of eight keeps a fifth of the index off disk."""
    return fields.Schema(
        article_id=fields.ID(),
        version=fields.ID(),
        origin=fields.ID(),
        date=fields.ID(),
        title=FrenchText(),
        heading=FrenchText(),
        text=FrenchText(sketched=True),
        forms=AccentForms(),
        keywords=KeywordTerms(),
        passage=fields.STORED(),
        # offsets derived from the lengths on opening: 4 bytes a passage less
        order=fields.COLUMN(columns.VarBytesColumn(allow_offsets=False)),
    )



class StoredPassage(NamedTuple):
    """What the index keeps of a passage, to show it as a hit."""

    article_id: str
    paragraph: int
    text: str
    heading: str | None
    title: str
    date: str | None
    sketch: bytes
    """MinHash sketch of its shingles, to find near-duplicates (``duplicates``)."""
    source: str = ""
    """The file the article was read from ("" in an index written before it was kept)."""
    meta: dict | None = None
    """The article's metadata (``Article.meta``), None if it has none."""

    @property
    def passage_id(self) -> str:
        return f"{self.article_id}:{self.paragraph}"

    @classmethod
    def from_fields(cls, stored: dict, minhash: bytes | None = None) -> StoredPassage:
        """From a document's stored fields, and its sketch (kept in a column)."""
        article_id, paragraph, text, heading, title, date, *rest = stored["passage"]
        source, meta = (rest + ["", None])[:2]
        return cls(article_id, paragraph, text, heading, title, date, minhash or b"",
                   source, meta)


def version_term(article: Article) -> str:
    return f"{article.id}{VERSION_SEPARATOR}{article.fingerprint}"


def origin_term(article: Article) -> str:
    """The article's id and the file it was read from, kept with its first
    passage: two files giving one id (``a/article.txt``, ``b/article.txt``)
    are then told apart instead of the second replacing the first."""
    return f"{article.id}{VERSION_SEPARATOR}{_absolute(article.source)}"


@lru_cache(maxsize=4096)
def _absolute(source: str) -> str:
    """``source`` as an absolute path, its bytes that are not UTF-8 (a Latin-1
    name) written as ``\\xe9``: an index term must be valid UTF-8."""
    if not source:
        return ""
    return os.fsencode(Path(source).resolve()).decode("utf-8", "backslashreplace")


def settled_id(reader, article: Article, read: dict[str, str], indexed_before: bool) -> str:
    """The id ``article`` is indexed under: for an article named by its file
    (``Article.path_ids``), the id its file is indexed under already, if any
    (given through another folder, the file keeps its id); else the first of
    ``article.id`` and the longer ids of its path that no other file holds, in
    the index or among the articles ``read`` in this run (id → file). So
    ``a/article.txt`` indexed as ``article``, ``b/article.txt`` given next
    is ``b/article``, and both keep their ids at every run. A JSON id is kept
    as it is; ``write_articles`` reports a collision."""
    if not article.path_ids:
        return article.id
    file = _absolute(article.source)
    for candidate in (article.id, *(other for other in article.path_ids
                                    if other != article.id)):
        if read.get(candidate) == article.source or (indexed_before and _holds_live(
                reader, "origin", f"{candidate}{VERSION_SEPARATOR}{file}")):
            return candidate
    for candidate in article.path_ids[article.path_ids.index(article.id):]:
        if candidate not in read and not (indexed_before
                                          and _holds_live(reader, "article_id", candidate)):
            return candidate
    return article.id


def _indexed_origin(reader, article_id: str) -> str | None:
    """The file the index's live copy of ``article_id`` was read from, if known."""
    prefix = f"{article_id}{VERSION_SEPARATOR}"
    for term in reader.expand_prefix("origin", prefix):
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        if reader.postings("origin", term).is_active():
            return term[len(prefix):]
    return None


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """Where a long indexing run is, for a progress display."""

    articles: int
    passages: int
    seconds: float
    done: float | None = None
    """Share of the input read so far, 0 to 1 (None when its size is unknown)."""


@dataclass(slots=True)
class IndexReport:
    """What one indexing run did."""

    added: int = 0
    """Articles new to the index."""
    updated: int = 0
    """Articles whose content changed: their passages were replaced."""
    unchanged: int = 0
    """Articles already indexed as they are: left alone."""
    removed: int = 0
    """Articles removed by a sync (``Index.add(sync=True)``): their file, or
    their line of a ``.jsonl``, is gone."""
    passages: int = 0
    """Passages written in this run."""
    problems: list[InputProblem] = field(default_factory=list)
    """Inputs that were skipped, with the reason."""
    seconds: float = 0.0
    """Wall time of the run, commit included."""

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.unchanged


def _documents(article: Article) -> Iterator[dict]:
    """Whoosh documents of an article's passages; the headline and each heading
    are analysed once for all the passages they head."""
    title = AnalysedText(article.title)
    headings: dict[str, AnalysedText] = {}
    keywords = keyword_terms(article.meta)
    for index, passage in enumerate(article.passages):
        text = title if passage.text == article.title else AnalysedText(passage.text)
        document = {
            "article_id": article.id,
            "title": title,
            "text": text,
            "forms": text,  # the same words: analysed once for both fields
            "order": passage_order(article.id, passage.number, index),
            # a plain tuple: pickled without a class name, read back as StoredPassage
            "passage": (article.id, passage.number, passage.text, passage.heading,
                        article.title, article.date, _absolute(article.source),
                        article.meta or None),
        }
        if article.date:
            document["date"] = article.date
        if keywords:
            document["keywords"] = keywords
        if passage.heading:
            if passage.heading not in headings:
                headings[passage.heading] = AnalysedText(passage.heading)
            document["heading"] = headings[passage.heading]
        if index == 0:
            document["version"] = version_term(article)
            document["origin"] = origin_term(article)
        yield document


def codec_for(articles: Iterator[Article],
              file_prefix: str) -> tuple[PassageCodec, Iterator[Article]]:
    """The codec to write ``articles`` with, its dictionary sampled from their
    first passages (and named ``file_prefix`` + checksum), and the articles, all
    of them still to be read."""
    first: list[Article] = []
    size = 0
    for article in articles:
        first.append(article)
        size += sum(len(passage.text) for passage in article.passages) + len(article.title)
        if size >= DICTIONARY_BYTES:
            break
    records = ({"passage": document["passage"]}
               for article in first for document in _documents(article))
    return PassageCodec(dictionary_sample(records), file_prefix), chain(first, articles)


def write_articles(
    writer,
    reader,
    articles: Iterable[Article],
    report: IndexReport,
    progress: Callable[[IndexProgress], None] | None = None,
    progress_every: float = 1.0,
    on_id: Callable[[str], None] | None = None,
) -> None:
    """Add or replace ``articles`` through an open Whoosh ``writer``.

    ``reader`` is a reader of the last commit (to find what is already indexed);
    the caller commits or cancels. ``on_id`` hears the id each article read is
    indexed under (``settled_id``), skipped or not.
    """
    started = time.monotonic()
    next_report = started + progress_every
    seen: dict[str, str] = {}
    indexed_before = reader.doc_count_all() > 0
    # frsearch's writers take whole articles (their processes make the documents)
    add_article = getattr(writer, "add_article", None) or _add_documents(writer)
    for article in articles:
        if article.path_ids:
            article_id = settled_id(reader, article, seen, indexed_before)
            if article_id != article.id:
                article = replace(article, id=article_id)
        if on_id is not None:
            on_id(article.id)
        if article.id in seen:
            report.problems.append(InputProblem(
                article.where, f"article id {article.id!r} already read from {seen[article.id]}"))
            continue
        seen[article.id] = article.where
        if indexed_before and reader.doc_frequency("version", version_term(article)):
            if _has_live_version(reader, article):
                report.unchanged += 1
                continue
        if indexed_before and _holds_live(reader, "article_id", article.id):
            origin = _indexed_origin(reader, article.id)
            if origin and origin != _absolute(article.source):
                report.problems.append(InputProblem(article.source, (
                    f"article id {article.id!r} is already indexed from {origin}: not replaced "
                    "(rename one of the files, or give the article a JSON id)")))
                continue
            writer.delete_by_term("article_id", article.id)
            report.updated += 1
        else:
            report.added += 1
        add_article(article, _documents)
        report.passages += len(article.passages)
        if progress is not None and time.monotonic() >= next_report:
            next_report = time.monotonic() + progress_every
            progress(IndexProgress(report.articles, report.passages,
                                   time.monotonic() - started))


def _add_documents(writer) -> Callable[[Article, Callable], None]:
    """For a plain Whoosh writer: adds an article's documents one by one."""
    def add(article: Article, documents: Callable[[Article], Iterable[dict]]) -> None:
        for document in documents(article):
            writer.add_document(**document)
    return add


def _holds_live(reader, field_name: str, term: str) -> bool:
    """True if a passage not deleted holds ``term`` (term counts include the
    passages of removed articles until their segment is merged)."""
    return bool(reader.doc_frequency(field_name, term)) and \
        reader.postings(field_name, term).is_active()


def _has_live_version(reader, article: Article) -> bool:
    """True if a passage not deleted holds this article's version term."""
    postings = reader.postings("version", version_term(article))
    return postings.is_active()
