"""The systems compared: frsearch and five peers, each ranking the same passages.

Every system gets the passages exactly as frsearch splits the corpus (id and
text: the article's title is passage 0, as frsearch indexes it) and a batch of
queries, and returns each query's passage ids, best first. A peer indexes each
passage's own text; frsearch also reads the article title as context, which is
its own design.

How the peers read a query: the words OR-ed (a passage holding any of them is a
hit, ranked by BM25), a ``"quoted phrase"`` as a phrase. Each gets the query
through its own analysis (its tokenizer, stop words, stemmer), with only its
query syntax kept out of the way, so that ``?`` or ``-`` typed by a user is not
an operator.

A peer that cannot be had raises ``Unavailable`` with the reason, which the
run prints; it is never left out silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from debs import DATA, Deb, DebError, unpack

HERE = Path(__file__).resolve().parent
WORK = DATA / "relevance"

LUCENE = Deb("liblucene8-java", "8.8.1-4", "all",
             "eec5d8e15d74ac23f3d4a11e91db922bcce5694de74be82421c4fc3a65c0cc3e")
XAPIAN = (Deb("python3-xapian", "1.4.22-1", "amd64",
              "6661044167ad596f8fdeb5d240d10a767c4d14c8c4b70b528828d2966362f1f6"),
          Deb("libxapian30", "1.4.22-1", "amd64",
              "a6bf2e9d8a4d671a1c8f7c90da96be5fa280e266fa5447fd4e7df73cfbcbc5d5"))
DEBIAN_PYTHON = "/usr/bin/python3"


@dataclass(frozen=True, slots=True)
class Passage:
    passage_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Query:
    """One query to run: ``qid`` names the judged query and the spelling it was run with."""

    qid: str
    text: str


Ranking = dict[str, list[str]]
"""qid → passage ids, best first."""


class Unavailable(Exception):
    """A system that cannot run here; the message says why and what would fix it."""


_UNIT = re.compile(r'"([^"]*)"|([^\s"]+)')


def query_units(text: str) -> tuple[list[str], list[str]]:
    """The bare words and the quoted phrases of a query (quotes removed)."""
    words, phrases = [], []
    for phrase, word in _UNIT.findall(text):
        if phrase.strip():
            phrases.append(phrase.strip())
        elif word:
            words.append(word)
    return words, phrases


def _run(command: list[str], what: str, env: dict | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"{what} failed (exit {done.returncode}): {last}")
    return done.stdout


def _write_jsonl(path: Path, records) -> None:
    # ASCII escapes: the Java runner's small JSON reader then sees no raw UTF-8 trouble
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=True) + "\n")


def _read_rankings(text: str) -> Ranking:
    ranking: Ranking = {}
    for line in text.splitlines():
        if line.strip():
            record = json.loads(line)
            ranking[record["qid"]] = record["ids"]
    return ranking


# -- frsearch ----------------------------------------------------------------


class Frsearch:
    """frsearch through its library API, over an index built on disk."""

    name, label = "frsearch", "frsearch"

    def __init__(self, corpus: Path):
        self.corpus = corpus

    def prepare(self) -> None:
        import frsearch  # noqa: F401

    def rank(self, passages: Sequence[Passage], queries: Sequence[Query], depth: int) -> Ranking:
        import frsearch

        with tempfile.TemporaryDirectory(prefix="frsearch-relevance-") as folder:
            with frsearch.open_index(Path(folder) / "index", create=True) as index:
                index.add([self.corpus])
                return {query.qid: [hit.passage_id for hit in
                                    index.search(query.text, limit=depth, collapse=False).hits]
                        for query in queries}


# -- SQLite FTS5 -------------------------------------------------------------


class Fts5:
    """SQLite FTS5 (standard library), ``unicode61 remove_diacritics 2``, BM25 order."""

    name, label = "fts5", "SQLite FTS5"
    _WORD = re.compile(r"\w+")

    def prepare(self) -> None:
        try:
            sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        except sqlite3.OperationalError as error:
            raise Unavailable(f"this SQLite has no FTS5 ({error})") from None

    @classmethod
    def match(cls, text: str) -> str | None:
        """Each word and phrase as an FTS5 string (so nothing typed is an operator), OR-ed."""
        words, phrases = query_units(text)
        strings = [f'"{word}"' for unit in words for word in cls._WORD.findall(unit)]
        strings += ['"' + phrase.replace('"', " ") + '"' for phrase in phrases]
        return " OR ".join(strings) or None

    def rank(self, passages: Sequence[Passage], queries: Sequence[Query], depth: int) -> Ranking:
        database = sqlite3.connect(":memory:")
        database.execute("CREATE VIRTUAL TABLE passages USING fts5(passage_id UNINDEXED, text, "
                         "tokenize='unicode61 remove_diacritics 2')")
        database.executemany("INSERT INTO passages VALUES (?, ?)",
                             ((p.passage_id, p.text) for p in passages))
        ranking: Ranking = {}
        for query in queries:
            match = self.match(query.text)
            rows = [] if match is None else database.execute(
                "SELECT passage_id FROM passages WHERE passages MATCH ? "
                "ORDER BY bm25(passages), rowid LIMIT ?", (match, depth))
            ranking[query.qid] = [passage_id for (passage_id,) in rows]
        return ranking


# -- plain Whoosh ------------------------------------------------------------


class PlainWhoosh:
    """Whoosh as it comes: ``LanguageAnalyzer('fr')``, BM25F, words OR-ed."""

    name, label = "whoosh", "Whoosh fr"

    def prepare(self) -> None:
        import whoosh  # noqa: F401

    def rank(self, passages: Sequence[Passage], queries: Sequence[Query], depth: int) -> Ranking:
        from whoosh import fields
        from whoosh.analysis import LanguageAnalyzer
        from whoosh.filedb.filestore import RamStorage
        from whoosh.query import Or, Phrase, Term

        analyzer = LanguageAnalyzer("fr")
        schema = fields.Schema(passage_id=fields.ID(stored=True),
                               text=fields.TEXT(analyzer=analyzer))
        index = RamStorage().create_index(schema)
        with index.writer() as writer:
            for passage in passages:
                writer.add_document(passage_id=passage.passage_id, text=passage.text)

        def terms(text: str) -> list[str]:
            return [token.text for token in analyzer(text)]

        ranking: Ranking = {}
        with index.searcher() as searcher:  # BM25F, Whoosh's default
            for query in queries:
                words, phrases = query_units(query.text)
                # built from the analyzer's terms, not parsed: Whoosh's parser
                # would read a final "?" as a wildcard and "NOT" as an operator
                clauses = [Term("text", term) for term in terms(" ".join(words))]
                for phrase in phrases:
                    analysed = terms(phrase)
                    if len(analysed) > 1:
                        clauses.append(Phrase("text", analysed))
                    elif analysed:
                        clauses.append(Term("text", analysed[0]))
                if not clauses:
                    ranking[query.qid] = []
                    continue
                hits = searcher.search(Or(clauses), limit=depth)
                ranking[query.qid] = [hit["passage_id"] for hit in hits]
        return ranking


# -- tantivy -----------------------------------------------------------------


class Tantivy:
    """tantivy-py: simple tokenizer, lowercase, French stop words, French
    stemmer, then ASCII folding (Snowball reads accents: stem first), BM25."""

    name, label = "tantivy", "tantivy"
    # tantivy's query syntax: these would be operators, ranges or field names
    _SYNTAX = re.compile(r"[+\-:^()\[\]{}!~*\"'\\/?<>=&|,;.`]")

    def prepare(self) -> None:
        try:
            import tantivy  # noqa: F401
        except ImportError:
            raise Unavailable("the tantivy package is not installed "
                              "(.venv/bin/pip install tantivy)") from None

    @staticmethod
    def analyzer():
        import tantivy

        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.remove_long(40))
                .filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.stopword("french"))
                .filter(tantivy.Filter.stemmer("french"))
                .filter(tantivy.Filter.ascii_fold())
                .build())

    @classmethod
    def query_string(cls, text: str) -> str:
        words, phrases = query_units(text)
        parts = [cls._SYNTAX.sub(" ", word) for word in words]
        parts += ['"' + cls._SYNTAX.sub(" ", phrase) + '"' for phrase in phrases]
        return " ".join(part for part in parts if part.strip(' "'))

    def rank(self, passages: Sequence[Passage], queries: Sequence[Query], depth: int) -> Ranking:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
        builder.add_text_field("text", stored=False, tokenizer_name="french")
        index = tantivy.Index(builder.build())  # in memory
        index.register_tokenizer("french", self.analyzer())
        writer = index.writer(heap_size=64_000_000, num_threads=1)
        for passage in passages:
            writer.add_document(tantivy.Document(passage_id=passage.passage_id,
                                                 text=passage.text))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        searcher = index.searcher()
        ranking: Ranking = {}
        for query in queries:
            string = self.query_string(query.text)
            if not string:
                ranking[query.qid] = []
                continue
            parsed, _errors = index.parse_query_lenient(string, ["text"])
            hits = searcher.search(parsed, depth).hits
            ranking[query.qid] = [searcher.doc(address).get_first("passage_id")
                                  for _score, address in hits]
        return ranking


# -- Lucene --------------------------------------------------------------------


class Lucene:
    """Lucene 8's ``FrenchAnalyzer`` (elision, lowercase, French stop words,
    light stemmer) with BM25, run by a small Java program (``LuceneRunner.java``)
    compiled at first use against Debian's ``liblucene8-java``."""

    name, label = "lucene", "Lucene FrenchAnalyzer"
    SOURCE = HERE / "LuceneRunner.java"

    def prepare(self) -> None:
        for tool in ("java", "javac"):
            if shutil.which(tool) is None:
                raise Unavailable(f"{tool} is not on this machine "
                                  "(apt-get install openjdk-17-jdk-headless)")
        self.classpath = os.pathsep.join(str(jar) for jar in self._jars())
        digest = hashlib.sha256(self.SOURCE.read_bytes()).hexdigest()[:16]
        self.classes = WORK / f"lucene-runner-{digest}"
        if not (self.classes / "LuceneRunner.class").exists():
            partial = self.classes.with_suffix(".tmp")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            try:
                _run(["javac", "-encoding", "UTF-8", "-cp", self.classpath, "-d", str(partial),
                      str(self.SOURCE)], "javac LuceneRunner.java")
            except RuntimeError as error:
                raise Unavailable(str(error)) from None
            partial.replace(self.classes)

    @staticmethod
    def _jars() -> list[Path]:
        def pick(folder: Path) -> list[Path] | None:
            jars = [next(iter(sorted(folder.glob(f"lucene-{part}-8*.jar"))), None)
                    for part in ("core", "analyzers-common")]
            return None if None in jars else jars  # type: ignore[return-value]

        installed = pick(Path("/usr/share/java"))
        if installed:
            return installed
        try:
            unpacked = pick(unpack(LUCENE) / "usr/share/java")
        except DebError as error:
            raise Unavailable(str(error)) from None
        if not unpacked:
            raise Unavailable(f"{LUCENE.filename} holds no lucene-core and analyzers-common jars")
        return unpacked

    def rank(self, passages: Sequence[Passage], queries: Sequence[Query], depth: int) -> Ranking:
        with tempfile.TemporaryDirectory(prefix="lucene-relevance-") as folder:
            passages_file, queries_file = Path(folder) / "passages.jsonl", Path(folder) / "q.jsonl"
            _write_jsonl(passages_file, ({"id": p.passage_id, "text": p.text} for p in passages))
            records = []
            for query in queries:
                words, phrases = query_units(query.text)
                records.append({"qid": query.qid, "words": " ".join(words), "phrases": phrases})
            _write_jsonl(queries_file, records)
            output = _run(["java", "-Xmx1g", "-cp", os.pathsep.join([str(self.classes),
                                                                      self.classpath]),
                           "LuceneRunner", str(passages_file), str(queries_file), str(depth)],
                          "the Lucene runner")
        return _read_rankings(output)


# -- Xapian ----------------------------------------------------------------------


class Xapian:
    """Xapian 1.4 with its French stemmer, BM25; Debian's ``python3-xapian`` under
    Debian's own Python (``xapian_runner.py``), unpacked under benchmarks/data if
    it is not installed."""

    name, label = "xapian", "Xapian fr"
    RUNNER = HERE / "xapian_runner.py"

    def prepare(self) -> None:
        if not Path(DEBIAN_PYTHON).exists():
            raise Unavailable(f"{DEBIAN_PYTHON} (Debian's Python) is not on this machine")
        self.env = dict(os.environ)
        for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            self.env.pop(key, None)
        if self._imports():
            return
        try:
            roots = [unpack(deb) for deb in XAPIAN]
        except DebError as error:
            raise Unavailable(str(error)) from None
        self.env["PYTHONPATH"] = str(roots[0] / "usr/lib/python3/dist-packages")
        libraries = str(roots[1] / "usr/lib/x86_64-linux-gnu")
        self.env["LD_LIBRARY_PATH"] = os.pathsep.join(
            part for part in (libraries, os.environ.get("LD_LIBRARY_PATH")) if part)
        if not self._imports():
            raise Unavailable(f"python3-xapian {XAPIAN[0].version} does not import under "
                              f"{DEBIAN_PYTHON}: {self.why}")

    def _imports(self) -> bool:
        done = subprocess.run([DEBIAN_PYTHON, "-c", "import xapian"], capture_output=True,
                              text=True, env=self.env)
        self.why = (done.stderr.strip().splitlines() or [""])[-1]
        return done.returncode == 0

    def rank(self, passages: Sequence[Passage], queries: Sequence[Query], depth: int) -> Ranking:
        with tempfile.TemporaryDirectory(prefix="xapian-relevance-") as folder:
            passages_file, queries_file = Path(folder) / "passages.jsonl", Path(folder) / "q.jsonl"
            _write_jsonl(passages_file, ({"id": p.passage_id, "text": p.text} for p in passages))
            _write_jsonl(queries_file, ({"qid": q.qid, "text": q.text} for q in queries))
            output = _run([DEBIAN_PYTHON, str(self.RUNNER), str(passages_file),
                           str(queries_file), str(depth)], "the Xapian runner", env=self.env)
        return _read_rankings(output)


PEERS = ("fts5", "whoosh", "lucene", "tantivy", "xapian")
NAMES = ("frsearch", *PEERS)


def make_system(name: str, corpus: Path):
    systems = {"frsearch": lambda: Frsearch(corpus), "fts5": Fts5, "whoosh": PlainWhoosh,
               "tantivy": Tantivy, "lucene": Lucene, "xapian": Xapian}
    if name not in systems:
        raise SystemExit(f"unknown engine {name!r}; choose among {', '.join(NAMES)}")
    return systems[name]()


if __name__ == "__main__":  # a quick look: python systems.py "query" [engines…]
    sys.path.insert(0, str(HERE))
    from build_corpus import corpus_path
    from passages import read_passages

    corpus = corpus_path()
    found = read_passages(corpus)
    for name in sys.argv[2:] or NAMES:
        system = make_system(name, corpus)
        try:
            system.prepare()
        except Unavailable as error:
            print(f"{name}: skipped: {error}")
            continue
        print(name, system.rank(found, [Query("q", sys.argv[1])], 10)["q"])
