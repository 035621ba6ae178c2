"""The engines compared, one small class each: build an index, then answer queries.

Every engine indexes the same passages (``corpus.read_passages``: id, headline,
text), stores the text, and answers a query with its ten best passages and a
highlighted snippet of each: the work ``frsearch``'s ``search()`` does. The
peers read several words as any of them (OR), as frsearch does (it ranks the
passages holding all of them first, but returns those holding some).

``build`` runs in a child process of its own (see ``worker``); frsearch's is its
command line, ``frsearch index``, as a person would run it.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from corpus import read_passages

WORKER = Path(__file__).resolve().parent / "worker.py"
LIMIT = 10
WRITER_MEMORY_MB = 128
"""Whoosh's default writer buffer, given to tantivy too."""


@dataclass(frozen=True, slots=True)
class Found:
    """One passage an engine returned: enough to show it to a reader."""

    passage_id: str
    title: str
    snippet: str


class Engine(Protocol):
    name: str
    label: str

    def build_command(self, corpus: Path, folder: Path) -> list[str]: ...
    def build(self, corpus: Path, folder: Path) -> None: ...
    def open(self, folder: Path) -> None: ...
    def search(self, query: str) -> list[Found]: ...


def worker_command(engine: str, corpus: Path, folder: Path) -> list[str]:
    return [sys.executable, str(WORKER), engine, "build", str(corpus), str(folder)]


def frsearch_command() -> list[str]:
    """The ``frsearch`` script installed beside this Python, else ``python -m frsearch``."""
    script = Path(sys.executable).parent / "frsearch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "frsearch"]


_QUERY_UNIT = re.compile(r'"([^"]*)"|(\S+)')


def query_units(text: str) -> list[str]:
    """Quoted phrases and bare words of a query, quotes removed."""
    units = [phrase or word for phrase, word in _QUERY_UNIT.findall(text)]
    return [unit for unit in units if unit.strip()]


class Frsearch:
    name, label = "frsearch", "frsearch"

    def build_command(self, corpus: Path, folder: Path) -> list[str]:
        return [*frsearch_command(), "index", str(corpus), "--index", str(folder)]

    def build(self, corpus: Path, folder: Path) -> None:
        raise NotImplementedError("frsearch is built by its command line")

    def open(self, folder: Path) -> None:
        import frsearch

        self.index = frsearch.open_index(folder)

    def search(self, query: str) -> list[Found]:
        result = self.index.search(query, limit=LIMIT)
        return [Found(hit.passage_id, hit.title, hit.snippet) for hit in result.hits]


class Fts5:
    """SQLite FTS5 from the standard library, accents folded by its tokenizer."""

    name, label = "fts5", "SQLite FTS5"
    TABLE = ("CREATE VIRTUAL TABLE passages USING fts5(passage_id UNINDEXED, title, text, "
             "tokenize='unicode61 remove_diacritics 2')")
    SEARCH = ("SELECT passage_id, title, highlight(passages, 2, '<mark>', '</mark>') "
              "FROM passages WHERE passages MATCH ? ORDER BY bm25(passages) LIMIT ?")

    def build_command(self, corpus: Path, folder: Path) -> list[str]:
        return worker_command(self.name, corpus, folder)

    def build(self, corpus: Path, folder: Path) -> None:
        database = sqlite3.connect(folder / "passages.db")
        database.execute(self.TABLE)
        with database:  # one transaction, as frsearch commits once
            database.executemany(
                "INSERT INTO passages VALUES (?, ?, ?)",
                ((p.passage_id, p.title, p.text) for p in read_passages(corpus)),
            )
        database.close()

    def open(self, folder: Path) -> None:
        self.database = sqlite3.connect(folder / "passages.db")

    @staticmethod
    def match_expression(query: str) -> str:
        """Each word or phrase as an FTS5 string (no operator can slip in), ORed,
        searched in the passage's text (the title is indexed, as frsearch does)."""
        strings = ['"' + unit.replace('"', " ") + '"' for unit in query_units(query)]
        return "text : (" + " OR ".join(strings) + ")"

    def search(self, query: str) -> list[Found]:
        rows = self.database.execute(self.SEARCH, (self.match_expression(query), LIMIT))
        return [Found(*row) for row in rows]


class Tantivy:
    """tantivy-py, with a French chain close to frsearch's: stem, then fold."""

    name, label = "tantivy", "tantivy"

    @staticmethod
    def available() -> bool:
        try:
            import tantivy  # noqa: F401
        except ImportError:
            return False
        return True

    @staticmethod
    def _analyzer():
        import tantivy

        return (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stopword("french"))
            .filter(tantivy.Filter.stemmer("french"))  # Snowball reads accents: stem first
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )

    def build_command(self, corpus: Path, folder: Path) -> list[str]:
        return worker_command(self.name, corpus, folder)

    def build(self, corpus: Path, folder: Path) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, tokenizer_name="french")
        builder.add_text_field("text", stored=True, tokenizer_name="french")
        index = tantivy.Index(builder.build(), path=str(folder))
        index.register_tokenizer("french", self._analyzer())
        # one indexing thread, as the other engines have
        writer = index.writer(heap_size=WRITER_MEMORY_MB * 1_000_000, num_threads=1)
        for passage in read_passages(corpus):
            writer.add_document(tantivy.Document(
                passage_id=passage.passage_id, title=passage.title, text=passage.text))
        writer.commit()
        writer.wait_merging_threads()

    def open(self, folder: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(folder))
        self.index.register_tokenizer("french", self._analyzer())
        self.searcher = self.index.searcher()

    def search(self, query: str) -> list[Found]:
        try:
            parsed = self.index.parse_query(query, ["text"])
        except ValueError:
            parsed, _errors = self.index.parse_query_lenient(query, ["text"])
        hits = self.searcher.search(parsed, LIMIT).hits
        snippets = self.tantivy.SnippetGenerator.create(
            self.searcher, parsed, self.index.schema, "text")
        found = []
        for _score, address in hits:
            document = self.searcher.doc(address)
            found.append(Found(document.get_first("passage_id"), document.get_first("title"),
                               snippets.snippet_from_doc(document).to_html()))
        return found


class PlainWhoosh:
    """The naive baseline: Whoosh's own French analyzer, parser and highlighter."""

    name, label = "whoosh", "plain Whoosh"

    def build_command(self, corpus: Path, folder: Path) -> list[str]:
        return worker_command(self.name, corpus, folder)

    def build(self, corpus: Path, folder: Path) -> None:
        from whoosh import fields, index
        from whoosh.analysis import LanguageAnalyzer

        schema = fields.Schema(
            passage_id=fields.ID(stored=True),
            title=fields.TEXT(analyzer=LanguageAnalyzer("fr"), stored=True),
            text=fields.TEXT(analyzer=LanguageAnalyzer("fr"), stored=True),
        )
        writer = index.create_in(str(folder), schema).writer(limitmb=WRITER_MEMORY_MB)
        for passage in read_passages(corpus):
            writer.add_document(passage_id=passage.passage_id, title=passage.title,
                                text=passage.text)
        writer.commit()

    def open(self, folder: Path) -> None:
        from whoosh import index
        from whoosh.qparser import OrGroup, QueryParser

        whoosh_index = index.open_dir(str(folder))
        self.searcher = whoosh_index.searcher()
        self.parser = QueryParser("text", whoosh_index.schema, group=OrGroup)

    def search(self, query: str) -> list[Found]:
        results = self.searcher.search(self.parser.parse(query), limit=LIMIT)
        return [Found(hit["passage_id"], hit["title"], hit.highlights("text")) for hit in results]


ENGINES: dict[str, type] = {
    engine.name: engine for engine in (Frsearch, Fts5, Tantivy, PlainWhoosh)
}


def make_engine(name: str) -> Engine:
    return ENGINES[name]()
