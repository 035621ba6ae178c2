"""The index: open it, add to it, search it, check it, close it.

A thin owner of the Whoosh index that ties the stages together: articles are
read by ``articles`` and written by ``indexing`` through ``writers``; a search
goes ``query`` → ``planning`` → ``execution`` → ``results`` → ``collapsing``;
``store`` owns the folder's layout and settings, ``storage`` the checksums and
data-only reading of its files. One searcher is kept open between searches and replaced
when another process commits; a search that fails because a commit changed
the files under it is run again on the new commit.
"""

from __future__ import annotations

import functools
import operator
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from whoosh.reading import EmptyReader
from whoosh.searching import Searcher

from frsearch import answers, collapsing, execution, planning, results
from frsearch.articles import InputProblem, as_paths, input_size, read_articles
from frsearch.catalog import catalog
from frsearch.codec import FORMAT_VERSION
from frsearch.errors import (
    FrsearchError,
    IndexClosedError,
    IndexDamagedError,
    IndexExistsError,
    IndexLockedError,
    IndexNotFoundError,
    IndexTamperedError,
    IndexWriteError,
)
from frsearch.indexing import (
    VERSION_SEPARATOR,
    IndexProgress,
    IndexReport,
    codec_for,
    write_articles,
)
from frsearch.indexing import _absolute as absolute_source
from frsearch.planning import DEFAULT_TIME_BUDGET
from frsearch.query import (
    MAX_WORDS,
    filter_nodes,
    join_digit_groups,
    parse_query,
    with_filters,
    words_left_out,
)
from frsearch.results import SearchResult
from frsearch.storage import (
    CheckReport,
    latest_generation,
    verify,
)
from frsearch.store import (
    DICTIONARY_PREFIX,
    INDEX_NAME,
    SETTINGS_FILE,
    check_format,
    create_index,
    delete_index_files,
    delete_other_commits,
    delete_unused_dictionaries,
    holds_segments,
    index_storage,
    is_index_file,
    read_settings,
    refuse_foreign_files,
    snapshot,
    temporary_files,
    write_json,
)
from frsearch.synonyms import Synonyms, load_synonyms
from frsearch.whoosh_internals import (
    PassageCodec,
    open_searcher_of,
    read_table_of_contents,
)

__all__ = ["Index", "IndexStats", "RemoveReport", "check_index", "open_index"]

PARALLEL_FROM_BYTES = 4_000_000
"""Inputs this large are indexed by two writer processes; below, starting them
costs more than it saves."""
COMMIT_RETRIES = 5
"""How many times a search or an open is run again on a newer commit when the
one it started on was replaced under it. Each retry needs another commit to
have landed meanwhile, so this bounds work, not waiting."""
MAX_QUERY_CHARS = 10_000
"""Longer queries are cut here: nobody types more, and every word costs a lookup."""
SORTS = ("relevance", "date", "-date")
"""The orders a search can give its hits in."""


def _survives_commits(method):
    """Run ``method`` again on the newest commit when it failed while another
    process committed: a searcher reads some files only when a query needs
    them, and a commit may have merged them away (writers keep the files of
    the commit before theirs, so this takes two commits during one search).
    A failure on an unchanged commit is the index's own, and raised.

    One search at a time per Index: Whoosh's readers share file positions, so
    threads sharing an Index (as a web server's do) take turns."""

    @functools.wraps(method)
    def on_newest_commit(self, *args, **kwargs):
        with self._lock:
            return retried(self, *args, **kwargs)

    def retried(self, *args, **kwargs):
        for _ in range(COMMIT_RETRIES):
            searcher = self._searcher
            try:
                return method(self, *args, **kwargs)
            except (IndexTamperedError, IndexLockedError):
                raise
            except (FrsearchError, OSError, LookupError, TypeError, ValueError, EOFError,
                    AttributeError, ArithmeticError, RuntimeError):
                opened = self._searcher or searcher
                if opened is not None and _generation(opened) == self._ix.latest_generation():
                    raise
                # a searcher of an older commit, or none: it failed while opening
                # the newest, which two more commits may have replaced meanwhile
                self._drop_searcher()
        return method(self, *args, **kwargs)

    return on_newest_commit


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What an index holds, for ``frsearch stats``."""

    articles: int
    passages: int
    terms: int
    size_bytes: int
    path: str


@dataclass(frozen=True, slots=True)
class RemoveReport:
    """What :meth:`Index.remove` did."""

    removed: int
    """Articles whose passages were deleted."""
    unknown: tuple[str, ...] = ()
    """Ids given that no article in the index has: nothing to delete."""


class Index:
    """An frsearch index in a folder. Get one with :func:`open_index`.

    >>> import tempfile, frsearch
    >>> with open_index(tempfile.mkdtemp(), create=True) as index:
    ...     print(index.add([frsearch.seeds_dir()]).passages)
    ...     print(*sorted(hit.passage_id for hit in index.search("sanctions").hits))
    46
    000_6f9472f48d466d8a:0 001_6c41907e8ecef70d:6 002_5304680d689b3a2e:3 004_b987cb3fb497488e:0
    """

    def __init__(self, path: Path, whoosh_ix, synonyms: Synonyms, searcher=None,
                 verified: set | None = None):
        self._closed = False
        self._lock = threading.RLock()
        self.path = path
        self.synonyms = synonyms
        """Name variants that find one another at query time."""
        self._ix = whoosh_ix
        self._searcher = searcher
        self._verified = verified if verified is not None else set()
        """(name, size) of the files checked against their checksums already."""
        self._start_over = False
        """Opened with ``rebuild``: the next ``add`` that writes replaces every
        passage, in its one commit."""

    @property
    def rebuild_pending(self) -> bool:
        """True if this Index was opened with ``rebuild`` on an index it could
        read, and no ``add`` has replaced its passages yet: searches still see
        the last commit."""
        return self._start_over

    # -- writing -------------------------------------------------------------

    def add(
        self,
        paths: str | os.PathLike | Iterable[str | os.PathLike],
        progress: Callable[[IndexProgress], None] | None = None,
        lock_timeout: float = 0.0,
        sync: bool = False,
    ) -> IndexReport:
        """Index the articles of ``paths`` (files or folders; one path alone
        is taken as one), in one commit.

        Articles already indexed unchanged are skipped, changed ones replaced.
        Unreadable inputs are listed in the report's ``problems``; the rest is
        indexed. Raises IndexLockedError if another writer holds the index for
        longer than ``lock_timeout`` seconds.

        With ``sync``, the index then holds what ``paths`` hold: articles indexed
        from a file under ``paths`` whose id was not read this time (the file
        was deleted, or the article's line left its ``.jsonl``) are removed in
        the same commit, and counted in the report's ``removed``. Articles of
        other paths are left alone, and so are those of a file that could not
        be read this time (it may be back), and those indexed before frsearch
        kept each article's file (``indexing.origin_term``): nothing says where
        they came from.

        After ``open_index(..., rebuild=True)``, the first ``add`` that reads
        something replaces the whole index in its commit (``sync`` has nothing
        more to remove); one that reads nothing leaves the index as it was.
        """
        self._check_open()
        started = time.monotonic()
        report = IndexReport()
        inputs = as_paths(paths)
        size = input_size(inputs)
        parallel = size >= PARALLEL_FROM_BYTES and (os.cpu_count() or 1) > 1

        read = [0]
        read_ids: set[str] = set()

        def count(size_read: int) -> None:
            read[0] += size_read

        articles = read_articles(inputs, report.problems.append, count)
        codec, articles = codec_for(articles, DICTIONARY_PREFIX)
        if progress is not None and size:
            progress = _with_share(progress, lambda: min(1.0, read[0] / size))

        start_over = self._start_over

        def work(writer, reader) -> bool:
            if start_over:  # nothing indexed counts: every article read is written
                writer.start_over(functools.partial(delete_other_commits, self.path))
                reader = EmptyReader(reader.schema)
            # ids as indexed: a file's id is settled against the index
            write_articles(writer, reader, articles, report, progress, on_id=read_ids.add)
            if sync and not start_over:
                kept = _unread_files(report.problems)
                for article_id in _stale_articles(reader, inputs, read_ids, kept):
                    writer.delete_by_term("article_id", article_id)
                    report.removed += 1
            return bool(report.passages or report.removed)

        if self._write(codec, parallel, lock_timeout, work):
            self._start_over = False
        report.seconds = time.monotonic() - started
        return report

    def remove(self, article_ids: str | Iterable[str], lock_timeout: float = 0.0
               ) -> RemoveReport:
        """Delete the passages of the articles ``article_ids``, in one commit.

        Ids the index does not hold are not an error (the article may have gone
        already): they are returned in the report's ``unknown``, so a caller
        can tell a typo from a removal. Raises IndexLockedError if another
        writer holds the index for longer than ``lock_timeout`` seconds.
        """
        self._check_open()
        if isinstance(article_ids, str):  # one id, not its letters
            article_ids = [article_ids]
        if isinstance(article_ids, (bytes, bytearray)) or not isinstance(article_ids, Iterable):
            raise TypeError(f"article_ids must be an id or ids (strings), not {article_ids!r}")
        wanted = list(dict.fromkeys(str(article_id) for article_id in article_ids))

        def work(writer, reader) -> bool:
            for article_id in wanted:
                if _holds_live(reader, "article_id", article_id):
                    writer.delete_by_term("article_id", article_id)
                    removed.append(article_id)
                else:
                    unknown.append(article_id)
            return bool(removed)

        removed: list[str] = []
        unknown: list[str] = []
        # no passage is written: a codec without a dictionary file will do
        self._write(PassageCodec(file_prefix=DICTIONARY_PREFIX), False, lock_timeout, work)
        return RemoveReport(len(removed), tuple(unknown))

    def _write(self, codec: PassageCodec, parallel: bool, lock_timeout: float,
               work: Callable[[Any, Any], bool]) -> bool:
        """Run ``work(writer, reader)`` with the index's writer lock held and a
        reader of the last commit; commit if it returns True, else (or if it
        raises) leave the last commit as it was. True if it committed."""
        if not lock_timeout >= 0:  # NaN too
            raise ValueError(f"lock_timeout must be seconds, 0 or more, not {lock_timeout!r}")
        left_before = temporary_files(self.path)  # by writers now gone, once the lock is ours
        from frsearch.writers import open_writer  # writing only: a search never loads it

        writer = open_writer(self._ix, codec, parallel, lock_timeout)
        try:
            delete_unused_dictionaries(self.path, self._ix)  # the lock is ours
            for file in left_before:
                file.unlink(missing_ok=True)
            codec.write_dictionary(self.path)
            with self._ix.reader() as reader:
                changed = work(writer, reader)
        except BaseException:
            writer.cancel()
            raise
        if changed:
            writer.commit()  # cancels and raises IndexWriteError if a process failed
        else:
            writer.cancel()
        return changed

    def use_synonyms(self, path: str | os.PathLike) -> None:
        """Record the synonym file ``path`` in the index's settings: later
        searches, from any process, use its groups with the built-in ones."""
        absolute = Path(path).expanduser().resolve()
        self.synonyms = load_synonyms(absolute)  # refuses a file it cannot read
        settings = read_settings(self.path)
        settings["synonyms"] = str(absolute)
        write_json(self.path / SETTINGS_FILE, settings)

    # -- searching -----------------------------------------------------------

    def _current_searcher(self):
        """A searcher of the last commit, its files checked (see ``storage``)."""
        self._check_open()
        if self._searcher is not None and not self._searcher.up_to_date():
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = _open_searcher(self.path, self._ix, self._verified)
        return self._searcher

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            try:
                self._searcher.close()
            except Exception:
                pass  # files it had opened may be gone already
            self._searcher = None

    @_survives_commits
    def search(self, query: str, limit: int = 10, collapse: bool = True,
               time_budget: float | None = DEFAULT_TIME_BUDGET, *, offset: int = 0,
               sort: str = "relevance", filters: Mapping[str, Any] | None = None,
               facets: str | Iterable[str] = (), group: str | None = None) -> SearchResult:
        """Passages matching ``query``, best first, with highlights.

        Any string is a valid query (see ``frsearch.query``): what does not parse
        is searched as words. With ``collapse``, near-duplicate passages (wire
        copy repeated across articles) are grouped under the best-ranked one.

        ``filters`` narrow it as the same filters typed in the query would
        (``{"date": "2021-06..2021-12", "source": "lemonde"}``; a list of
        values: any of them). A filter the index cannot apply (an unknown
        field, a malformed date) is left out, and ``warnings`` says so.

        Pages: the hits ``offset`` to ``offset + limit`` of ``total`` (see
        ``SearchResult``), in the order of ``sort``: ``relevance``, ``date``
        (oldest first) or ``-date`` (newest first); passages without a date
        come last, equal dates by relevance, then passage id. A date given
        only as ``2021-12`` sorts at the start of its month (``date``), after
        its days (``-date``). The same query gives the same pages.

        ``facets`` (``("date", "source")``) are counted over all the matches
        (``SearchResult.facets``). With ``group="article"``, the page is of
        articles (``SearchResult.articles``): see ``collapsing.by_article``.

        A search takes at most about ``time_budget`` seconds (None: no limit;
        the default, ``planning.DEFAULT_TIME_BUDGET``, is far above what any
        normal query takes): then it returns the passages found so far, with
        ``timed_out`` set on the result. A ``prefix*`` starting too many words
        is searched as its commonest ones, named in ``truncated_prefixes``.
        Raises ValueError for a ``sort``, ``group``, ``limit``, ``offset`` or
        ``time_budget`` it cannot take, TypeError for ``filters`` that are not
        a mapping or ``facets`` that are not field names.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, not {type(query).__name__}")
        if not _whole(limit) or limit < 1:
            raise ValueError(f"limit must be a whole number, 1 or more, not {limit!r}")
        if not _whole(offset) or offset < 0:
            raise ValueError(f"offset must be a whole number, 0 or more, not {offset!r}")
        if time_budget is not None and not time_budget >= 0:  # NaN too
            raise ValueError(f"time_budget must be seconds, 0 or more, or None, "
                             f"not {time_budget!r}")
        if filters is not None and not isinstance(filters, Mapping):
            raise TypeError("filters must map field names to values, such as "
                            f"{{'date': '2021-12'}}, not {type(filters).__name__}")
        facets = (facets,) if isinstance(facets, str) else tuple(facets or ())
        if not all(isinstance(name, str) for name in facets):
            raise TypeError(f"facets must be field names, such as ('date', 'source'): {facets!r}")
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        if group not in (None, "article"):
            raise ValueError(f"group must be None or 'article', not {group!r}")
        searcher = self._current_searcher()
        plan, warnings = self._plan(searcher, query, filters or {}, time_budget)
        return self._run(searcher, query, plan,
                         _Page(operator.index(limit), operator.index(offset), sort, group),
                         collapse, facets, warnings + plan.warnings)

    def _plan(self, searcher, query: str, filters: Mapping[str, Any],
              time_budget: float | None) -> tuple[planning.Plan, list[str]]:
        """The plan of ``query`` with ``filters``, and the filters' warnings:
        kept for the commit searched (``catalog.PLANS_KEPT``), so that a query
        asked again is not parsed and planned again; its time budget starts
        now all the same. A plan cut short by its time budget is not kept."""
        key = (query[:MAX_QUERY_CHARS], repr(sorted((str(name), repr(value))
                                                    for name, value in filters.items())))
        plans = catalog(searcher.reader()).plans
        kept = plans.get(key)
        if kept is not None and kept[0] is self.synonyms:
            return replace(kept[1], deadline=planning.Deadline(time_budget)), kept[2]
        # the parser caps nesting (query.MAX_DEPTH), so Whoosh never recurses too deep
        typed = join_digit_groups(query[:MAX_QUERY_CHARS])
        tree = parse_query(typed)
        given, warnings = filter_nodes(filters)
        if len(query) > MAX_QUERY_CHARS:
            warnings.append(f"the query was cut after {MAX_QUERY_CHARS:,} characters")
        if left_out := words_left_out(typed):
            last = "last word was" if left_out == 1 else f"last {left_out:,} words were"
            warnings.append(f"the query's {last} left out: a search takes its first "
                            f"{MAX_WORDS} words")
        plan = planning.compile_query(with_filters(tree, given), searcher.reader(),
                                      self.synonyms, time_budget)
        if plan.query is None and tree is not None and not given:
            warnings.append("nothing to search for: stop words (le, de, à…), prefixes of one "
                            "letter and words without a letter or digit are not searched")
        if not plan.deadline.passed:
            plans.put(key, (self.synonyms, plan, warnings))
        return plan, warnings

    def _run(self, searcher, query: str, plan: planning.Plan, page: _Page, collapse: bool,
             facets: tuple[str, ...], warnings: list[str]) -> SearchResult:
        """The stages after planning, in their order: execution, results, collapsing."""
        everything = page.sort != "relevance" or page.group is not None or bool(facets)
        fetch = page.offset + page.limit
        if collapse and page.group is None:  # near-duplicates are grouped in a window
            fetch += collapsing.GROUPED_WITHIN
        asked = answers.asked_for(query)
        if asked:  # the answer stage looks at as many passages as proximity does
            fetch = max(fetch, planning.RERANKED)
        # the order of equal scores matters where passages are grouped and shown
        grouped = collapsing.GROUPED_WITHIN if collapse and page.group is None else 0
        loose = (grouped, page.offset)
        ranking = execution.execute(searcher, plan, fetch, everything, loose)
        ranking = ranking._replace(ranked=answers.reranked(
            ranking.ranked, asked, planning.RERANKED,
            lambda docnum: ranking.passages[docnum].text))
        expired = plan.deadline.expired
        board = catalog(searcher.reader()) if everything else None
        articles_of = board.articles() if board is not None and page.group else None
        counted: dict[str, list[tuple[str, int]]] = {}
        if facets and board is not None:
            from frsearch.facets import count_facets  # only a search asking for facets loads it

            counted, left_out = count_facets(facets, [d for d, _ in ranking.ranked], board,
                                             articles_of)
            warnings = warnings + left_out
        ranks = _date_ranks(board.dates(), page.sort) if board and page.sort != "relevance" \
            else None
        articles = None
        if articles_of is not None:
            def order(article: str, best: float, docnum: int) -> tuple:
                return (*_date_key(ranks, docnum), -best, article)
            articles, total = collapsing.by_article(
                ranking.ranked, articles_of, ranking.passages, plan.patterns, order,
                page.offset, page.limit)
            hits: list[results.Hit] = []
            shown = [hit for article in articles for hit in article.passages]
        else:
            ordered = ranking.ranked
            if everything:
                ordered = execution.in_order(
                    ordered, fetch, ranking.passages, expired,
                    lambda pair: (*_date_key(ranks, pair[0]), -pair[1]), loose)
            skipped = 0 if collapse else page.offset  # only the page's passages are read
            found = results.found(ranking._replace(ranked=ordered[skipped:]), plan.patterns)
            cut = collapsing.page(found, page.limit, collapse, expired,
                                  page.offset - skipped, ranking.total - skipped,
                                  catalog(searcher.reader()).groupings)
            hits, total, shown = cut.hits, cut.total + skipped, cut.hits
        return SearchResult(query, total, hits,
                            planning.suggest(query, plan, (hit.text for hit in shown)),
                            timed_out=plan.deadline.passed,
                            truncated_prefixes=plan.truncated_prefixes,
                            offset=page.offset, sort=page.sort, total_passages=ranking.total,
                            warnings=warnings, facets=counted, articles=articles)

    # -- inspecting ----------------------------------------------------------

    @_survives_commits
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

    def check(self) -> CheckReport:
        """See :func:`check_index`."""
        return check_index(self.path)

    def close(self) -> None:
        """Let go of the index's files; using this Index afterwards raises
        IndexClosedError (open it again with :func:`open_index`)."""
        with self._lock:
            self._drop_searcher()
            self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise IndexClosedError(f"index at {self.path} was closed; open it again to use it")

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _Page(NamedTuple):
    """Which page of a search, in which order, of passages or of articles."""

    limit: int
    offset: int
    sort: str
    group: str | None


def _whole(number: object) -> bool:
    """A whole number (an int, numpy's too), and not a bool (``limit=True`` is
    a slip, not a 1)."""
    return hasattr(number, "__index__") and not isinstance(number, bool)


def _date_ranks(dates: dict[int, str], sort: str) -> dict[int, int]:
    """Document number → its date's rank in the order ``sort`` asks (``date``
    oldest first, ``-date`` newest first): dates as written sort as text, so
    ``2021-12`` comes before ``2021-12-05``."""
    ordered = sorted(set(dates.values()), reverse=sort == "-date")
    rank = {written: at for at, written in enumerate(ordered)}
    return {docnum: rank[written] for docnum, written in dates.items()}


def _date_key(ranks: dict[int, int] | None, docnum: int) -> tuple[int, ...]:
    """The part of a passage's sort key its date gives: none by relevance;
    passages without a date after all others."""
    if ranks is None:
        return ()
    rank = ranks.get(docnum)
    return (1, 0) if rank is None else (0, rank)


def _holds_live(reader, field: str, term: str) -> bool:
    """True if a passage not deleted holds ``term`` in ``field``."""
    return bool(reader.doc_frequency(field, term)) and reader.postings(field, term).is_active()


def _unread_files(problems: Iterable[InputProblem]) -> set[str]:
    """Files and folders (absolute, as origins name them) that exist but were
    skipped in whole or in part (a line of a ``.jsonl`` is named
    ``file:line``; a folder that cannot be listed, by itself): their articles
    may only be unreadable for now, so a sync keeps them."""
    files = set()
    for problem in problems:
        if not problem.skipped:
            continue
        for source in (problem.source, problem.source.rpartition(":")[0]):
            if source and Path(source).exists():
                files.add(absolute_source(source))
    return files


def _stale_articles(reader, paths: Iterable[Path], read_ids: set[str],
                    kept: set[str]) -> list[str]:
    """Ids of the live articles indexed from a file under ``paths`` that were
    not read in this run (``read_ids``), except from the files ``kept``."""
    roots = [absolute_source(str(path)) for path in paths]
    folders = tuple(root.rstrip(os.sep) + os.sep for root in roots)
    kept_folders = tuple(source.rstrip(os.sep) + os.sep for source in kept)
    stale = []
    for term in reader.lexicon("origin"):
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        article_id, _, origin = term.partition(VERSION_SEPARATOR)
        if (not origin or article_id in read_ids or origin in kept
                or origin.startswith(kept_folders)
                or not (origin in roots or origin.startswith(folders))):
            continue
        if reader.postings("origin", term).is_active():
            stale.append(article_id)
    return stale


def _with_share(progress: Callable[[IndexProgress], None], share: Callable[[], float]):
    """``progress``, told also what share of the input has been read."""
    return lambda report: progress(replace(report, done=share()))


def open_index(
    path: str | os.PathLike,
    create: bool = False,
    synonyms: str | os.PathLike | None = None,
    rebuild: bool = False,
) -> Index:
    """Open the index in folder ``path``; with ``create``, make it if absent.

    With ``rebuild``, the way to start over: the next :meth:`Index.add` that
    reads something replaces every passage, and its commit deletes the files of
    the commits before it (those of the one it replaces at the next commit, as
    any commit's: a searcher may be reading them). Until it commits, the last
    commit stays as it was (a rebuild that fails, is killed, or reads nothing
    loses nothing). An index that cannot be opened (damaged, or written by
    another version) has nothing to keep: its files are deleted at once and an
    empty index is made. Files that are not the index's are never touched.

    ``synonyms`` names a synonym file (see ``frsearch.synonyms``) used on top of
    the built-in name variants; without it, the file recorded in the index's
    settings by :meth:`Index.use_synonyms`, if any.

    Opening reads no code from the files (see ``storage``) and compares them
    with the checksums of the commit that lists them.

    Raises IndexNotFoundError if there is none (and not ``create``),
    IndexExistsError if the folder holds other files, IndexDamagedError if the
    index cannot be read (IndexTamperedError if a file holds what frsearch
    never writes).
    """
    folder = Path(path).expanduser()
    if rebuild:
        return _rebuilt(folder, synonyms)
    if latest_generation(folder) < 0:
        if folder.is_dir() and holds_segments(folder):
            raise IndexDamagedError(
                f"{folder} holds index files but no table of contents (_{INDEX_NAME}_*.toc); "
                "open it with rebuild=True to start over")
        if not create:
            raise IndexNotFoundError(
                f"no index at {folder}")
        if folder.exists() and not folder.is_dir():
            raise IndexExistsError(f"{folder} is a file, not an index folder")
        if folder.is_dir() and any(not is_index_file(f.name) for f in folder.iterdir()):
            raise IndexExistsError(
                f"{folder} is not empty and holds no frsearch index; choose another folder")
        try:
            create_index(folder)
        except OSError as error:  # a file on the way, a folder that is not ours to write
            raise IndexWriteError(f"cannot make an index at {folder}: "
                                  f"{error.strerror or error}") from None
    check_format(folder)
    verified: set = set()
    for attempt in range(COMMIT_RETRIES + 1):
        generation = latest_generation(folder)
        try:
            whoosh_ix = index_storage(folder).open_index(INDEX_NAME)
            searcher = _open_searcher(folder, whoosh_ix, verified)
            break
        except IndexTamperedError:
            raise
        except Exception as error:  # a commit replaced what was being read: read it again
            if attempt == COMMIT_RETRIES or latest_generation(folder) == generation:
                if isinstance(error, FrsearchError):
                    raise
                raise _damaged(folder, error) from None
    chosen = synonyms or read_settings(folder).get("synonyms")
    return Index(folder, whoosh_ix, load_synonyms(chosen), searcher, verified)


def _rebuilt(folder: Path, synonyms: str | os.PathLike | None) -> Index:
    """``open_index(folder, rebuild=True)``: the last commit, if it can be
    read, marked to be replaced by the next ``add``; else a new empty index."""
    refuse_foreign_files(folder)  # before anything is opened or deleted
    try:
        index = open_index(folder, synonyms=synonyms)
    except IndexNotFoundError:
        pass
    except IndexDamagedError:  # nothing of it can be read, so nothing to keep
        delete_index_files(folder)
    else:
        index._start_over = True
        return index
    return open_index(folder, create=True, synonyms=synonyms)


def check_index(path: str | os.PathLike) -> CheckReport:
    """Read every byte of every file of the last commit in ``path`` and compare
    it with the checksums the commit recorded, as Lucene's ``CheckIndex`` does;
    then read every stored passage, and its passage id in the column that
    orders ties (``Catalog.passage_order``), which must be the same. Works on
    an index too damaged to open: the report lists every problem found (none:
    the index is sound)."""
    folder = Path(path).expanduser()
    generation = latest_generation(folder)
    if generation < 0:
        raise IndexNotFoundError(f"no index at {folder}")
    try:
        whoosh_ix = index_storage(folder).open_index(INDEX_NAME)
        generation, segments = snapshot(whoosh_ix)
    except Exception as error:
        return CheckReport(generation, problems=[
            f"the table of contents _{INDEX_NAME}_{generation}.toc cannot be read ({error})"])
    report = verify(folder, generation, segments, full=True)
    if report.ok:
        try:
            with _open_searcher(folder, whoosh_ix, set()) as searcher:
                order = catalog(searcher.reader()).passage_order
                for docnum in range(searcher.reader().doc_count_all()):
                    article_id, number = searcher.stored_fields(docnum)["passage"][:2]
                    if order(docnum) != (article_id.encode("utf-8"), number):
                        raise IndexDamagedError(f"passage {docnum} is {article_id}:{number}, "
                                                "its order column says otherwise")
        except Exception as error:
            report.problems.append(f"the passages cannot all be read ({error})")
    return report


def _generation(searcher) -> int:
    return searcher.reader().generation()


def _open_searcher(folder: Path, whoosh_ix, verified: set) -> Searcher:
    """A searcher of the last commit, once its format and files are checked;
    ``verified`` holds the files checked before, and gains those checked now."""
    toc = read_table_of_contents(whoosh_ix)
    for segment in toc.segments:
        codec = segment.codec()
        if not isinstance(codec, PassageCodec):
            raise IndexTamperedError(f"index at {folder} was not written by frsearch "
                                     f"({type(codec).__name__}), or was tampered with")
        if getattr(codec, "format_version", 1) != FORMAT_VERSION:
            raise IndexDamagedError(
                f"index at {folder} was written by another version of frsearch; "
                "open it with rebuild=True to start over")
    report = verify(folder, toc.generation, toc.segments, already=verified)
    if not report.ok:
        raise IndexDamagedError(f"index at {folder} is damaged ({report.problems[0]}); "
                                "open it with rebuild=True to start over")
    return open_searcher_of(whoosh_ix, toc)


def _damaged(folder: Path, error: Exception) -> IndexDamagedError:
    return IndexDamagedError(f"index at {folder} is damaged ({error or type(error).__name__}); "
                             "open it with rebuild=True to start over")


