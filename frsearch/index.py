"""The index on disk: its lifecycle (create, open, write, search, close).

A thin owner of the Whoosh index that ties the stages together: articles are
read by ``articles``, written by ``indexing``, queries are parsed by ``query`` and
run by ``searching``. One searcher is kept open between searches and refreshed
when another process commits.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.collectors import TopCollector
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from frsearch.errors import (
    IndexDamagedError,
    IndexExistsError,
    IndexLockedError,
    IndexNotFoundError,
)
from frsearch.indexing import (
    IndexProgress,
    IndexReport,
    StoredPassage,
    build_schema,
    codec_for,
    write_articles,
)
from frsearch.query import join_digit_groups, parse_query
from frsearch.scoring import top_passages
from frsearch.searching import (
    HELD_SCORE,
    Candidate,
    SearchResult,
    compile_query,
    rank_hits,
    suggest,
)
from frsearch.synonyms import Synonyms, load_synonyms

__all__ = ["Index", "IndexStats", "open_index"]

INDEX_NAME = "passages"
SETTINGS_FILE = "frsearch.json"
FINGERPRINTS_FILE = f"{INDEX_NAME}-files.json"
"""Fingerprints of the segment files at the last commit (a dash, not an underscore:
Whoosh deletes the files named like its segments' that no commit lists)."""
DICTIONARY_PREFIX = f"{INDEX_NAME}-dictionary-"
"""Start of the names of the files of preset dictionaries (see ``codec``)."""
_SEGMENT_FILE = re.compile(rf"^{INDEX_NAME}_([a-z0-9]+)\.")
PARALLEL_FROM_BYTES = 4_000_000
"""Inputs this large are indexed by two writer processes; below, starting them
costs more than it saves."""
WRITER_MB = 256
"""Whoosh's estimate of the postings a writer process may hold in memory before
sorting them to disk. Below it, a 10 MB corpus never spills (spilling pickles
each posting twice). On the 100 MB Littré each process peaks near 400 MB and the
run takes 139 s; with 1024 it peaks at 1.1 GB and takes 119 s."""
LITERAL_FETCH = 300
"""How many passages are read to find those holding a quoted phrase with stop
words ("à la fois") word for word; the index only knows its other words."""
MAX_QUERY_CHARS = 10_000
"""Longer queries are cut here: nobody types more, and every word costs a lookup."""


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What an index holds, for ``frsearch stats``."""

    articles: int
    passages: int
    terms: int
    size_bytes: int
    path: str


class Index:
    """An frsearch index in a folder. Get one with :func:`open_index`.

    >>> index = open_index("~/news-index", create=True)      # doctest: +SKIP
    >>> index.add(["articles/"]).passages                    # doctest: +SKIP
    42
    >>> index.search("sanctions").hits[0].snippet           # doctest: +SKIP
    '… de «fortes <mark>sanctions</mark>» …'
    """

    def __init__(self, path: Path, whoosh_ix, synonyms: Synonyms, searcher=None):
        self.path = path
        self.synonyms = synonyms
        """Name variants that find one another at query time."""
        self._ix = whoosh_ix
        self._searcher = searcher

    # -- writing -------------------------------------------------------------

    def add(
        self,
        paths: Iterable[str | os.PathLike],
        progress: Callable[[IndexProgress], None] | None = None,
        lock_timeout: float = 0.0,
    ) -> IndexReport:
        """Index the articles of ``paths`` (files or folders), in one commit.

        Articles already indexed unchanged are skipped, changed ones replaced.
        Unreadable inputs are listed in the report's ``problems``; the rest is
        indexed. Raises IndexLockedError if another writer holds the index for
        longer than ``lock_timeout`` seconds.
        """
        started = time.monotonic()
        report = IndexReport()
        paths = list(paths)
        from frsearch.articles import input_size, read_articles  # not needed to search

        size = input_size(paths)
        parallel = size >= PARALLEL_FROM_BYTES and (os.cpu_count() or 1) > 1

        read = [0]

        def count(size_read: int) -> None:
            read[0] += size_read

        articles = read_articles(paths, report.problems.append, count)
        codec, articles = codec_for(articles, DICTIONARY_PREFIX)
        if progress is not None and size:
            progress = _with_share(progress, lambda: min(1.0, read[0] / size))
        try:
            # In parallel, two processes each write a segment of their own
            # (multisegment): merging them would cost what the second core saved.
            # Segments stay separate files (not compound): Whoosh reads a
            # compound file into memory whenever the index is opened.
            options = {"procs": 2, "multisegment": True} if parallel else {}
            writer = self._ix.writer(timeout=lock_timeout, delay=0.1, limitmb=WRITER_MB,
                                     codec=codec, compound=False, **options)
            _delete_unused_dictionaries(self.path, self._ix)  # the lock is ours
            codec.write_dictionary(self.path)
            if parallel:
                from multiprocessing.util import register_after_fork  # only when needed

                register_after_fork(writer, _subwriter_after_fork(os.getpid()))
        except LockError:
            raise _locked(self.path) from None
        try:
            with self._ix.reader() as reader:
                write_articles(writer, reader, articles, report, progress)
        except BaseException:
            writer.cancel()
            for task in getattr(writer, "tasks", ()):  # sub-writers wait on their queue:
                task.terminate()                       # exiting would wait for them forever
            raise
        if report.passages:
            writer.commit()
            _record_fingerprints(self.path, self._ix)
        else:
            writer.cancel()
        report.seconds = time.monotonic() - started
        return report

    def use_synonyms(self, path: str | os.PathLike) -> None:
        """Record the synonym file ``path`` in the index's settings: later
        searches, from any process, use its groups with the built-in ones."""
        absolute = Path(path).expanduser().resolve()
        self.synonyms = load_synonyms(absolute)  # refuses a file it cannot read
        settings = _settings(self.path)
        settings["synonyms"] = str(absolute)
        _write_json(self.path / SETTINGS_FILE, settings)

    # -- searching -----------------------------------------------------------

    def _current_searcher(self):
        if self._searcher is None:
            self._searcher = self._ix.searcher()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
        return self._searcher

    def search(self, query: str, limit: int = 10, collapse: bool = True) -> SearchResult:
        """Passages matching ``query``, best first, with highlights.

        Any string is a valid query (see ``frsearch.query``): what does not parse
        is searched as words. With ``collapse``, near-duplicate passages (wire
        copy repeated across articles) are grouped under the best-ranked one.
        """
        searcher = self._current_searcher()
        # the parser caps nesting (query.MAX_DEPTH), so Whoosh never recurses too deep
        tree = parse_query(join_digit_groups(query[:MAX_QUERY_CHARS]))
        compiled = compile_query(tree, searcher.reader(), self.synonyms)
        return self._run(searcher, query, compiled, limit, collapse)

    def _run(self, searcher, query: str, compiled, limit: int, collapse: bool) -> SearchResult:
        if compiled.query is None:
            return SearchResult(query, 0, [])
        limit = max(1, limit)
        # with collapsing, copies take no place: fetch enough to fill the page
        fetch = limit * 3 + 10 if collapse else limit
        if compiled.literals:  # passages holding a quoted phrase word for word go first
            fetch = max(fetch, LITERAL_FETCH)
        if compiled.words is not None:  # words only: scored from the posting arrays
            ranked, total = top_passages(searcher, compiled.words, HELD_SCORE, fetch)
        else:
            # Whoosh's search-time shortcuts (skipping blocks that cannot reach
            # the current top scores, replacing matchers on the fly) drop the
            # constant rank bonuses of ``searching``: collect without them.
            collector = TopCollector(limit=fetch, usequality=False, replace=0)
            searcher.search_with_collector(compiled.query, collector)
            results = collector.results()
            ranked, total = [(hit.docnum, hit.score) for hit in results], len(results)
        sketches = searcher.reader().column_reader("text", translate=False)

        def candidate(docnum: int, score: float) -> Candidate:
            sketch = sketches[docnum]
            return Candidate(score, sketch, lambda: StoredPassage.from_fields(
                searcher.stored_fields(docnum), sketch))

        found = [candidate(docnum, score) for docnum, score in ranked]
        hits = rank_hits(found, compiled, limit, collapse)
        return SearchResult(query, total, hits, suggest(query, compiled, hits))

    # -- inspecting ----------------------------------------------------------

    def stats(self) -> IndexStats:
        """How many articles, passages and distinct terms; bytes on disk."""
        searcher = self._current_searcher()
        reader = searcher.reader()
        articles = sum(
            1 for term in reader.lexicon("version")
            if reader.postings("version", term).is_active()
        )
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        return IndexStats(
            articles=articles,
            passages=searcher.doc_count(),
            terms=sum(1 for _ in reader.lexicon("text")),
            size_bytes=size,
            path=str(self.path),
        )

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _delete_index_files(folder: Path) -> None:
    """Delete the index's own files in ``folder``, once no writer holds it."""
    if not folder.is_dir():
        return
    foreign = sorted(f.name for f in folder.iterdir() if not _is_index_file(f.name))
    if foreign:  # refuse before deleting anything
        raise IndexExistsError(
            f"{folder} holds files that are not an frsearch index ({', '.join(foreign[:3])}); "
            "choose another folder")
    lock = FileStorage(str(folder)).lock(f"{INDEX_NAME}_WRITELOCK")
    if not lock.acquire(blocking=False):
        raise _locked(folder)
    try:
        for file in folder.iterdir():
            if (file.is_file() and _is_index_file(file.name)
                    and file.name not in (f"{INDEX_NAME}_WRITELOCK", SETTINGS_FILE)):
                file.unlink()
    finally:
        lock.release()


def _locked(folder: Path) -> IndexLockedError:
    return IndexLockedError(f"index is locked by another frsearch process: {folder} "
                            "(wait for it, or pass a longer lock timeout)")


def _write_json(path: Path, value) -> None:
    """Write ``path`` whole or not at all: readers never see half a file."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(value, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def _subwriter_after_fork(parent: int) -> Callable:
    """What a sub-writer process does first: forked, it holds the parent's lock
    file open and waits on its job queue, so a parent killed with SIGKILL would
    leave it waiting forever, and the index locked for every later writer.
    Ctrl-C is the parent's to handle (it cancels the whole write)."""

    def let_go(writer) -> None:
        import ctypes
        import signal
        import sys

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if getattr(writer.writelock, "fd", None) is not None:
            os.close(writer.writelock.fd)  # the parent's lock is held by its own copy
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with it
        if os.getppid() != parent:  # it died before that
            os._exit(1)

    return let_go


def _with_share(progress: Callable[[IndexProgress], None], share: Callable[[], float]):
    """``progress``, told also what share of the input has been read."""
    return lambda report: progress(replace(report, done=share()))


def _settings(folder: Path) -> dict:
    try:
        return json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise IndexDamagedError(f"settings of the index at {folder} cannot be read: {error}") \
            from None


def open_index(
    path: str | os.PathLike,
    create: bool = False,
    synonyms: str | os.PathLike | None = None,
    rebuild: bool = False,
) -> Index:
    """Open the index in folder ``path``; with ``create``, make it if absent.

    With ``rebuild``, the index files in the folder (even damaged, or written
    by another version) are deleted first and an empty index is made: the way
    to start over. Files that are not the index's are never touched.

    ``synonyms`` names a synonym file (see ``frsearch.synonyms``) used on top of
    the built-in name variants; without it, the file recorded in the index's
    settings by :meth:`Index.use_synonyms`, if any.

    Raises IndexNotFoundError if there is none (and not ``create``),
    IndexExistsError if the folder holds other files, IndexDamagedError if the
    index cannot be read.
    """
    folder = Path(path).expanduser()
    if rebuild:
        _delete_index_files(folder)
        create = True
    try:
        exists = whoosh_index.exists_in(str(folder), indexname=INDEX_NAME)
    except AttributeError as error:  # its table of contents names a class no longer here
        if "frsearch" not in str(error):
            raise _damaged(folder, error) from None
        raise IndexDamagedError(
            f"index at {folder} was written by another version of frsearch; "
            "start over with 'frsearch index --rebuild'") from None
    except Exception as error:  # unreadable table of contents
        raise _damaged(folder, error) from None
    if not exists:
        if folder.is_dir() and _holds_segments(folder):
            raise IndexDamagedError(
                f"{folder} holds index files but no table of contents (_{INDEX_NAME}_*.toc); "
                "start over with 'frsearch index --rebuild'")
        if not create:
            raise IndexNotFoundError(
                f"no index at {folder}: build one with 'frsearch index' first")
        if folder.exists() and not folder.is_dir():
            raise IndexExistsError(f"{folder} is a file, not an index folder")
        if folder.is_dir() and any(not _is_index_file(f.name) for f in folder.iterdir()):
            raise IndexExistsError(
                f"{folder} is not empty and holds no frsearch index; choose another folder")
        _create(folder)
    try:
        whoosh_ix = whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)
        names = set(whoosh_ix.schema.names())
        searcher = whoosh_ix.searcher()  # opens every segment: damage shows here
    except Exception as error:
        raise _damaged(folder, error) from None
    try:
        _check_fingerprints(folder, whoosh_ix)
    except IndexDamagedError:
        searcher.close()
        raise
    if names != set(build_schema().names()):
        searcher.close()
        raise IndexDamagedError(
            f"index at {folder} was built by another version of frsearch; "
            "start over with 'frsearch index --rebuild'")
    return Index(folder, whoosh_ix, load_synonyms(synonyms or _settings(folder).get("synonyms")),
                 searcher)


def _damaged(folder: Path, error: Exception) -> IndexDamagedError:
    return IndexDamagedError(f"index at {folder} is damaged ({error or type(error).__name__}); "
                             "start over with 'frsearch index --rebuild'")


def _holds_segments(folder: Path) -> bool:
    """True if ``folder`` holds segment files (which a table of contents lists)."""
    return any(f.name.startswith(INDEX_NAME) and f.name != f"{INDEX_NAME}_WRITELOCK"
               for f in folder.iterdir())


def _segment_files(folder: Path, whoosh_ix) -> dict[str, Path]:
    """The files of the segments the last commit lists, by name, with the
    dictionary files they are read with."""
    segments = whoosh_ix._segments()
    ids = {segment.segid for segment in segments}
    dictionaries = _dictionary_files(segments)
    return {file.name: file for file in folder.iterdir()
            if ((found := _SEGMENT_FILE.match(file.name)) and found.group(1) in ids)
            or file.name in dictionaries}


def _dictionary_files(segments) -> set[str]:
    return {name for segment in segments
            if (name := getattr(segment.codec(), "dictionary_file", None))}


def _delete_unused_dictionaries(folder: Path, whoosh_ix) -> None:
    """Delete the dictionary files no committed segment is read with (left by
    runs that were cancelled, or whose segments were merged since). Only while
    holding the writers' lock: another writer's new file is not yet committed."""
    used = _dictionary_files(whoosh_ix._segments())
    for file in folder.glob(f"{DICTIONARY_PREFIX}*"):
        if file.name not in used:
            file.unlink(missing_ok=True)


def _record_fingerprints(folder: Path, whoosh_ix) -> None:
    """After a commit, a fingerprint of each segment file, for ``_check_fingerprints``.

    Separate segment files (see ``Index.add``) are only read when a search
    needs them: a file cut short or emptied would go unnoticed until then.
    """
    files = _segment_files(folder, whoosh_ix)
    fingerprints = {name: _fingerprint(file) for name, file in files.items()}
    try:
        _write_json(folder / FINGERPRINTS_FILE, fingerprints)
    except OSError:
        pass  # the index is committed; it can only be checked less closely


def _check_fingerprints(folder: Path, whoosh_ix) -> None:
    """Raise IndexDamagedError if a file of the committed segments is missing or
    not as it was written. (Files written since the fingerprints were recorded,
    by a run killed just after its commit, are not checked.)"""
    try:
        recorded = json.loads((folder / FINGERPRINTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    present = _segment_files(folder, whoosh_ix)
    segments = whoosh_ix._segments()
    ids = {segment.segid for segment in segments}
    dictionaries = _dictionary_files(segments)
    for name, fingerprint in recorded.items():
        found = _SEGMENT_FILE.match(name)
        if not (found and found.group(1) in ids) and name not in dictionaries:
            continue  # a segment merged away since
        if name not in present or _fingerprint(present[name]) != fingerprint:
            raise IndexDamagedError(
                f"index at {folder} is damaged ({name} is missing or was changed); "
                "start over with 'frsearch index --rebuild'")


def _fingerprint(file: Path) -> list[int]:
    """Size and CRC-32 of the first and last 4 KiB of a file: cheap enough for
    every open, and what a cut, an emptied or an overwritten file changes."""
    size = file.stat().st_size
    with file.open("rb") as handle:
        head = handle.read(4096)
        handle.seek(max(0, size - 4096))
        tail = handle.read(4096)
    return [size, zlib.crc32(head), zlib.crc32(tail)]


def _is_index_file(name: str) -> bool:
    """A file an frsearch index, or one being made, holds."""
    return name.startswith(("_" + INDEX_NAME + "_", INDEX_NAME)) or name == SETTINGS_FILE


def _create(folder: Path, timeout: float = 10.0) -> None:
    """An empty index in ``folder``, unless another process makes one meanwhile.

    Two first runs may start together, and Whoosh's ``create_in`` deletes the
    index files it finds: creation holds the writers' lock, and looks again.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(folder)).lock(f"{INDEX_NAME}_WRITELOCK")
    deadline = time.monotonic() + timeout
    while not lock.acquire():
        if whoosh_index.exists_in(str(folder), indexname=INDEX_NAME):
            return  # made by the process holding the lock, now writing to it
        if time.monotonic() > deadline:
            raise _locked(folder)
        time.sleep(0.05)
    try:
        if whoosh_index.exists_in(str(folder), indexname=INDEX_NAME) or _holds_segments(folder):
            return  # made meanwhile, or damaged: open_index says which
        whoosh_index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
    finally:
        lock.release()
