"""The ``frsearch`` command: a thin layer over the Python API.

Exit status: 0 done (``query``: passages found), 1 ``query`` found nothing,
``index`` skipped some input or ``remove`` found no such article, 2 error
(missing or damaged index, nothing readable, locked index). Errors are one
line on stderr, never a traceback.

Every field printed as text (ids, dates, titles, passages, paths, messages)
goes through ``terminal.terminal_text``; ``--json`` prints exact data through
``terminal.terminal_json``.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import shutil
import sys
import time
from pathlib import Path

from frsearch import __version__
from frsearch.errors import (
    FrsearchError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
)
from frsearch.locations import INDEX_ENV, default_index_dir, seeds_dir
from frsearch.terminal import excerpt, marked_lines, terminal_json, terminal_text

EXIT_OK, EXIT_NONE, EXIT_ERROR = 0, 1, 2
BAR_WIDTH = 24
PLAIN_MARK = ("**", "**")
COLOUR_MARK = ("\x1b[1;33m", "\x1b[0m")
# Bytes that are not UTF-8 reach argv as lone surrogates, which no output
# (JSON above all) can carry: they become U+FFFD.
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), "\ufffd")
TEXT_WIDTH = 100
"""Widest line a passage is folded to, on a wide terminal or piped: wider
lines are harder to read."""
MAX_TEXT_CHARS = 20_000
"""Default cap on a passage's ``text`` in ``--json``: ten times a long news
paragraph, so only a runaway passage (a whole book on one line) is cut."""
OFFSET_UNITS = ("codepoints", "utf16")
"""``results.OFFSET_UNITS`` (not imported here: ``--help`` stays fast)."""
SORTS = ("relevance", "date", "-date")
"""``index.SORTS``, for the same reason."""


EXPORT_HELP = """\
writes into DIR:
  index.json          the body of PUT /NAME: French analyzer settings and mappings
  bulk-00001.ndjson   passages for POST /NAME/_bulk, 5,000 a file, _id = passage id
  vocabulary.json     terms and accent forms, for typo correction before a query is sent

example:
  frsearch export --opensearch export/
  curl -XPUT localhost:9200/news -H 'Content-Type: application/json' -d @export/index.json
"""

PUSH_HELP = """\
credentials, if the server needs them, only from the environment:
  FRSEARCH_OPENSEARCH_USER and FRSEARCH_OPENSEARCH_PASSWORD, or
  FRSEARCH_OPENSEARCH_CREDENTIALS naming a file that holds user:password

needs the engine's client: pip install 'frsearch[opensearch]' (or [elasticsearch])

example:
  frsearch push --opensearch http://localhost:9200 --name news
"""

QUERY_HELP = """\
query syntax:
  sommet Genève           passages holding both words first, then those holding one
  "lignes rouges"         the phrase (also «lignes rouges»)
  sanctions AND Russie    boolean queries: AND, OR, NOT; -Russie leaves a word out
  présid*                 any word starting with présid (two letters at least)
  title:sanctions         a word of the headline
  date:2021-06..2021-12   a date or a range: date:>=2021-06, date:[2021 TO 2022]
  source:lemonde          a field of the articles' metadata (author:"Jean Dupont"), or id:ID
  crimee, Kremlim, Kyiv   found as Crimée, Kremlin, Kiev: accents, typos, variants

exit status:
  0 passages found, 1 nothing found, 2 error (no index, damaged index, bad option)

examples:
  frsearch query sanctions -Russie
  frsearch query '"lignes rouges"' --json --limit 3
  frsearch query sanctions --filter date=2021-06..2021-12 --sort -date --offset 2
  frsearch query Ukraine --facets date --by-article"""
INDEX_HELP = """\
exit status:
  0 done, 1 some input skipped (each file named on stderr), 2 error

examples:
  frsearch index articles/ --index news-index
  frsearch index --rebuild
  frsearch index --sync articles/   (also removes the articles gone from articles/)"""
REMOVE_HELP = """\
exit status:
  0 some article removed, 1 no such article, 2 error

examples:
  frsearch remove 000_6f9472f48d466d8a --index news-index"""
STATS_HELP = """\
examples:
  frsearch stats --index news-index --json"""
SERVE_HELP = """\
GET /search?q=... answers what 'frsearch query --json' prints (also limit,
offset, sort, filter, facets, by_article); GET / is a page to search from.

examples:
  frsearch serve --index news-index
  curl 'http://127.0.0.1:8000/search?q=sanctions&limit=2'"""
CHECK_HELP = """\
exit status:
  0 no problem, 2 a problem (each one listed) or no index

examples:
  frsearch check --index news-index"""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, with errors on one line like every other error (the
    usage it would print first is what ``--help`` is for) and what was typed
    quoted cleaned for the terminal (the subcommands' parsers are of the same
    class)."""

    def error(self, message: str):
        self.exit(EXIT_ERROR,
                  f"{self.prog}: {terminal_text(message)}; see '{self.prog} --help'\n")


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. With ``only`` a command's name, that
    command's parser alone is made: the others took a millisecond and a half of
    every ``frsearch query``. Without it (``--help``, a command not known), all."""
    parser = _Parser(
        prog="frsearch",
        description="Full-text passage search over French articles.",
        epilog=f"The index is kept in {default_index_dir()} unless --index or "
               f"${INDEX_ENV} says otherwise.",
    )
    parser.add_argument("--version", action="version", version=f"frsearch {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    raw = argparse.RawDescriptionHelpFormatter  # keeps the epilogs' columns

    def with_index(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--index", metavar="DIR", type=Path,
                         help=f"index folder (default: ${INDEX_ENV} or {default_index_dir()})")

    def with_lock_timeout(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--lock-timeout", type=_seconds, default=0.0, metavar="SECONDS",
                         help="wait this long for another writer to finish (default: 0)")

    if only in (None, "index"):
        index = commands.add_parser("index", help="add or update articles in the index",
                                    epilog=INDEX_HELP, formatter_class=raw)
        index.add_argument("paths", nargs="*", metavar="PATH",
                           help="files or folders (*.txt, *.jsonl, *.html, *.htm); none: the "
                                "built-in seeds")
        with_index(index)
        with_lock_timeout(index)
        index.add_argument("--rebuild", action="store_true",
                           help="index from scratch: the run's commit replaces every passage "
                                "(until it lands, the index is as it was)")
        index.add_argument("--synonyms", metavar="FILE", type=Path,
                           help="record this synonym file in the index: every later search uses it")
        index.add_argument("--sync", action="store_true",
                           help="also remove the articles indexed from these paths that they no "
                                "longer hold (file deleted, line of a .jsonl removed)")

    if only in (None, "remove"):
        remove = commands.add_parser("remove", help="remove articles from the index",
                                     epilog=REMOVE_HELP, formatter_class=raw)
        remove.add_argument("ids", nargs="+", metavar="ID",
                            help="article ids (as a hit shows them)")
        with_index(remove)
        with_lock_timeout(remove)

    if only in (None, "query"):
        query = commands.add_parser("query", help="search the index", epilog=QUERY_HELP,
                                    formatter_class=raw)
        query.add_argument("query", nargs="+", metavar="QUERY", help="what to look for")
        with_index(query)
        query.add_argument("--limit", type=int, default=10, metavar="N",
                           help="show at most N passages (default: 10)")
        query.add_argument("--offset", type=int, default=0, metavar="N",
                           help="skip the first N hits: the page after --offset 0 --limit 10 "
                                "is --offset 10")
        query.add_argument("--sort", choices=SORTS, default="relevance",
                           help="relevance (the default), date (oldest first) or -date "
                                "(newest first); passages without a date come last")
        query.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE",
                           help="a filter, as FIELD:VALUE in the query (date=2021-06..2021-12, "
                                "source=lemonde); repeated for one field: any of the values")
        query.add_argument("--facets", metavar="FIELDS", default="",
                           help="count the matches per month and per value of these metadata "
                                "fields, comma-separated (date,source)")
        query.add_argument("--by-article", action="store_true",
                           help="list articles, ranked by their best passage, with their best "
                                "passages")
        query.add_argument("--json", action="store_true",
                           help="print one JSON object; each hit's \"matches\" are [start, end) "
                                "offsets in its \"text\", in Unicode code points unless "
                                "--offsets utf16")
        query.add_argument("--max-text-chars", type=int, default=MAX_TEXT_CHARS, metavar="N",
                           help="with --json, cut each passage's text to its first N characters, "
                                "marked \"text_truncated\": true; matches beyond are left out "
                                f"(default: {MAX_TEXT_CHARS:,}; 0: no cap)")
        query.add_argument("--offsets", choices=OFFSET_UNITS, default="codepoints",
                           help="with --json, what match offsets count: Unicode code points "
                                "(the default), as Python indexes strings, or UTF-16 code units, "
                                "as JavaScript does (an emoji counts two)")
        query.add_argument("--all", action="store_true",
                           help="show every passage, near-duplicates (wire copy) included")
        query.add_argument("--full", action="store_true",
                           help="print each passage whole (default: long ones are shortened "
                                "around their matches)")
        query.add_argument("--synonyms", metavar="FILE", type=Path,
                           help="synonym groups to use with the built-in ones, for this query")

    if only in (None, "stats"):
        stats = commands.add_parser("stats", help="what the index holds", epilog=STATS_HELP,
                                    formatter_class=raw)
        with_index(stats)
        stats.add_argument("--json", action="store_true", help="print one JSON object")

    if only in (None, "serve"):
        serve = commands.add_parser("serve", help="search from a web page, or as a JSON service",
                                    epilog=SERVE_HELP, formatter_class=raw)
        with_index(serve)
        serve.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this machine only)")
        serve.add_argument("--port", type=int, default=8000, metavar="N",
                           help="port to listen on (default: 8000; 0: any free port)")
        serve.set_defaults(synonyms=None)

    if only in (None, "export"):
        export = commands.add_parser(
            "export", help="write the index as an OpenSearch or Elasticsearch index and bulk files",
            epilog=EXPORT_HELP, formatter_class=raw)
        export.add_argument("--opensearch", metavar="DIR", type=Path, required=True,
                            help="folder to write index.json, bulk-*.ndjson and vocabulary.json to")
        export.add_argument("--elasticsearch", action="store_true",
                            help="write Elasticsearch's mapping (default: OpenSearch's)")
        with_index(export)

    if only in (None, "push"):
        push = commands.add_parser(
            "push", help="send the index to an OpenSearch or Elasticsearch server",
            epilog=PUSH_HELP, formatter_class=raw)
        push.add_argument("--opensearch", metavar="URL", required=True,
                          help="the server, e.g. https://localhost:9200 (no credentials in it)")
        push.add_argument("--name", default="frsearch", help="index name (default: frsearch)")
        push.add_argument("--elasticsearch", action="store_true",
                          help="the server is Elasticsearch (default: OpenSearch)")
        push.add_argument("--export", metavar="DIR", type=Path,
                          help="send this export (frsearch export) instead of exporting the index")
        with_index(push)

    if only in (None, "check"):
        check = commands.add_parser(
            "check", help="read every byte of the index and compare it with its checksums",
            epilog=CHECK_HELP, formatter_class=raw)
        with_index(check)
        check.add_argument("--json", action="store_true", help="print one JSON object")

    return parser


_LIBRARY_HINTS = ("; open it with rebuild=True", " (wait for it, or pass a longer lock_timeout")
"""The library's advice, cut from where it starts when the CLI gives its own."""
_CLI_HINTS = (
    (IndexDamagedError, "; start over with 'frsearch index --rebuild'"),
    (IndexNotFoundError, ": build one with 'frsearch index' first"),
    (IndexLockedError, " (wait for it, or pass --lock-timeout SECONDS)"),
)


def _with_cli_hint(error: FrsearchError) -> str:
    """The library's one-line message, its advice said in the CLI's words."""
    message = str(error)
    for library_hint in _LIBRARY_HINTS:
        message = message.split(library_hint, 1)[0]
    for kind, hint in _CLI_HINTS:
        if isinstance(error, kind):
            return message + hint
    return message


def _error(message: str) -> int:
    print(f"frsearch: {terminal_text(message)}", file=sys.stderr)
    return EXIT_ERROR


def _wants_colour(stream) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (no-color.org: to any
    non-empty value) or TERM=dumb says the terminal cannot show it."""
    return (stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


class _Progress:
    """Progress on stderr once a run has taken more than a second: a bar on one
    updating line on a terminal, a line every ten seconds otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, progress) -> None:
        now = time.monotonic()
        if now - self.started < 1.0 or (not self.tty and now - self.last < 10.0):
            return
        self.last = now
        rate = progress.passages / max(progress.seconds, 1e-9)
        line = (f"indexing: {progress.articles:,} articles, {progress.passages:,} passages "
                f"({rate:,.0f} passages/s)")
        if progress.done is not None:
            filled = round(progress.done * BAR_WIDTH)
            left = progress.seconds * (1 - progress.done) / max(progress.done, 1e-9)
            line = (f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {progress.done:4.0%} "
                    f"{line}, about {left:,.0f} s left")
        if self.tty:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
        self.shown = True

    def finish(self) -> None:
        if self.shown and self.tty:
            print(file=sys.stderr)


def _index_dir(args: argparse.Namespace) -> Path:
    return args.index if args.index is not None else default_index_dir()


def _run_index(args: argparse.Namespace) -> int:
    from frsearch.index import open_index

    paths = args.paths or [seeds_dir()]
    folder = _index_dir(args)
    made = not folder.exists()  # by this run: removed again if the run reads nothing
    index = open_index(folder, create=True, rebuild=args.rebuild)
    if args.synonyms is not None:
        index.use_synonyms(args.synonyms)
    progress = _Progress()
    try:
        report = index.add(paths, progress=progress, lock_timeout=args.lock_timeout,
                           sync=args.sync)
        not_rebuilt = index.rebuild_pending
    finally:
        progress.finish()
        index.close()
    for problem in report.problems:
        kind = "skipped" if problem.skipped else "note:"
        print(f"frsearch: {kind} {terminal_text(str(problem))}", file=sys.stderr)
    print(
        f"{_count(report.articles, 'article')} read: {report.added:,} added, "
        f"{report.updated:,} updated, "
        f"{report.unchanged:,} unchanged"
        + (f", {report.removed:,} removed" if args.sync else "")
        + f"; {_count(report.passages, 'passage')} written to "
        f"{terminal_text(str(index.path))} in {report.seconds:.2f} s",
        file=sys.stderr,
    )
    if not_rebuilt:
        print(f"frsearch: nothing was read, so {terminal_text(str(folder))} was not rebuilt: "
              "it holds what it held", file=sys.stderr)
    if made and report.articles == 0:
        from frsearch.store import remove_index

        remove_index(folder)
        print(f"frsearch: nothing was read, so no index was made at "
              f"{terminal_text(str(folder))}", file=sys.stderr)
    if any(problem.skipped for problem in report.problems):
        return EXIT_ERROR if report.articles == 0 else EXIT_NONE
    return EXIT_OK


def _count(number: int, noun: str) -> str:
    """``1 article``, ``2 articles``, ``0 articles``."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def _run_remove(args: argparse.Namespace) -> int:
    from frsearch.index import open_index

    with open_index(_index_dir(args)) as index:
        report = index.remove(args.ids, lock_timeout=args.lock_timeout)
    for unknown in report.unknown:
        print(f"frsearch: no article {terminal_text(repr(unknown))} in the index",
              file=sys.stderr)
    print(f"{_count(report.removed, 'article')} removed from {terminal_text(str(index.path))}",
          file=sys.stderr)
    return EXIT_OK if report.removed else EXIT_NONE


def _open_for_reading(args: argparse.Namespace):
    """The index to search; the default one is built from the seeds on first use."""
    from frsearch.index import open_index

    folder = _index_dir(args)
    default = args.index is None and not os.environ.get(INDEX_ENV)
    try:
        index = open_index(folder, synonyms=args.synonyms)
    except IndexNotFoundError:
        if not default:
            raise
        index = open_index(folder, create=True, synonyms=args.synonyms)
    if default and index.stats().passages == 0:  # never built, or a first build cut short
        print(f"frsearch: no index yet, building {terminal_text(str(folder))} from the "
              "built-in seed articles", file=sys.stderr)
        index.add([seeds_dir()])
    return index


def _short(title: str, width: int = 100) -> str:
    """A headline cut to ``width`` at a space: some are whole paragraphs."""
    if len(title) <= width:
        return title
    cut = title.rfind(" ", 0, width)
    return title[:cut if cut > 0 else width] + " …"


def _print_result(result, colour: bool, full: bool = False) -> None:
    """The hits (or articles) as text; every field is cleaned for the
    terminal, and the highlight marks (colour codes on a terminal) are added
    after. Passages are folded to the terminal's width (at most
    ``TEXT_WIDTH``); long ones are shortened around their matches unless
    ``full``."""
    clean = terminal_text
    print(_heading(result))
    for name, counts in result.facets.items():
        values = ", ".join(f"{clean(value)} ({count:,})" for value, count in counts)
        print(f"{clean(name)}: {values or 'none'}")
    if result.suggestion:
        print(f"did you mean: {clean(result.suggestion)}")
    for prefix in result.truncated_prefixes:
        print(f"note: {clean(prefix)} starts too many words; only the commonest were searched")
    if result.timed_out:
        print("note: the search ran out of time; these are the passages found so far")
    if result.articles is not None:
        for rank, article in enumerate(result.articles, start=result.offset + 1):
            title = _short(clean(article.title or article.article_id))
            print(f"\n{rank}. {title}" + (f" ({clean(article.date)})" if article.date else ""))
            held = "passage" if article.matched == 1 else "passages"
            print(f"   [{clean(article.article_id)}] score {article.score:.2f}, "
                  f"{article.matched} {held} matched")
            for hit in article.passages:
                _print_passage(hit, colour, full, heading=True)
        return
    for rank, hit in enumerate(result.hits, start=result.offset + 1):
        where = " — ".join(clean(part) for part in (hit.date, hit.heading) if part)
        title = _short(clean(hit.title or hit.article_id))
        print(f"\n{rank}. {title}" + (f" ({where})" if where else ""))
        _print_passage(hit, colour, full)


def _quoted(query: str, width: int = 100) -> str:
    """The query as typed, quoted, its first ``width`` characters only (one
    of 10,000 would fill the screen)."""
    return repr(query) if len(query) <= width else repr(query[:width]) + "…"


def _seconds(text: str) -> float:
    """An option's number of seconds: 0 or more (``nan`` and ``-1`` refused)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds, 0 or more")
    return seconds


def _heading(result) -> str:
    """What was found, and which page this is: ``39 passages for 'q', 35 hits
    once near-duplicates are grouped; results 11–20 of 35``."""
    clean = terminal_text
    passages = f"{result.total_passages} passage" + ("" if result.total_passages == 1 else "s")
    if result.articles is not None:
        shown = len(result.articles)
        noun = "article" if result.total == 1 else "articles"
        line = f"{result.total} {noun} for {clean(_quoted(result.query))} ({passages})"
    else:
        shown = len(result.hits)
        line = f"{passages} for {clean(_quoted(result.query))}"
        if result.total != result.total_passages:
            line += f", {result.total} hits once near-duplicates are grouped"
    if shown == 1 and (result.offset or shown < result.total):
        line += f"; result {result.offset + 1} of {result.total}"
    elif shown and (result.offset or shown < result.total):
        line += f"; results {result.offset + 1}–{result.offset + shown} of {result.total}"
    elif result.offset and not shown:
        line += f"; no results from {result.offset + 1} on"
    if result.sort != "relevance":
        line += f" (sorted by {'date, newest first' if result.sort == '-date' else 'date'})"
    return line


def _print_passage(hit, colour: bool, full: bool, heading: bool = False) -> None:
    """A passage under its hit's or article's line: its id and score, its
    text folded and marked, the copies grouped under it."""
    clean = terminal_text
    width = min(TEXT_WIDTH, shutil.get_terminal_size((TEXT_WIDTH, 24)).columns)
    mark = COLOUR_MARK if colour else PLAIN_MARK
    where = f" — {clean(hit.heading)}" if heading and hit.heading else ""
    print(f"   [{clean(hit.passage_id)}] score {hit.score:.2f}{where}")
    parts = None if full else excerpt(hit.text, hit.matches)
    print("\n".join(marked_lines(hit.text, hit.matches, mark, width, "   ", parts)))
    for duplicate in hit.duplicates:
        print(f"   also in: {_short(clean(duplicate.title or duplicate.article_id))} "
              f"[{clean(duplicate.passage_id)}]")


def _filters(given: list[str]) -> dict[str, list[str]] | None:
    """``--filter FIELD=VALUE`` options as ``Index.search`` takes them; None
    if one has no ``=``."""
    filters: dict[str, list[str]] = {}
    for option in given:
        field, equals, value = option.partition("=")
        if not equals or not field.strip():
            return None
        filters.setdefault(field.strip(), []).append(value)
    return filters


def _run_query(args: argparse.Namespace) -> int:
    text = " ".join(word.strip() for word in args.query).translate(_SURROGATES)
    if args.limit < 1:
        return _error("--limit must be at least 1")
    if args.max_text_chars < 0:
        return _error("--max-text-chars must be 0 (no cap) or more")
    if args.offset < 0:
        return _error("--offset must be 0 or more")
    filters = _filters(args.filter)
    if filters is None:
        return _error("--filter takes FIELD=VALUE, as --filter source=lemonde")
    index = _open_for_reading(args)
    try:
        result = index.search(text, limit=args.limit, collapse=not args.all,
                              offset=args.offset, sort=args.sort, filters=filters,
                              facets=[name for name in args.facets.split(",") if name.strip()],
                              group="article" if args.by_article else None)
    finally:
        index.close()
    for warning in result.warnings:
        print(f"warning: {terminal_text(warning)}", file=sys.stderr)
    if args.json:
        print(terminal_json(result.to_dict(args.max_text_chars, args.offsets)))
    else:
        _print_result(result, _wants_colour(sys.stdout), args.full)
    return EXIT_OK if result.hits or result.articles else EXIT_NONE


def _run_serve(args: argparse.Namespace) -> int:
    from frsearch.server import serve

    def announce(url: str) -> None:
        print(f"frsearch: serving {terminal_text(str(index.path))} at {url} (Ctrl-C to stop)",
              file=sys.stderr, flush=True)

    if not 0 <= args.port <= 65535:
        return _error("--port must be from 0 (any free port) to 65535")
    index = _open_for_reading(args)
    try:
        serve(index, args.host, args.port, announce)
    finally:
        index.close()
    return EXIT_OK


def _run_stats(args: argparse.Namespace) -> int:
    from frsearch.index import open_index

    with open_index(_index_dir(args)) as index:
        stats = index.stats()
    if args.json:
        print(terminal_json({
            "articles": stats.articles, "passages": stats.passages, "terms": stats.terms,
            "size_bytes": stats.size_bytes, "path": stats.path,
        }))
    else:
        print(f"index     {terminal_text(str(stats.path))}\narticles  {stats.articles:,}\n"
              f"passages  {stats.passages:,}\nterms     {stats.terms:,}\n"
              f"size      {stats.size_bytes / 1e6:,.2f} MB")
    return EXIT_OK


def _run_export(args: argparse.Namespace) -> int:
    from frsearch.export import export_opensearch

    flavour = "elasticsearch" if args.elasticsearch else "opensearch"
    report = export_opensearch(_index_dir(args), args.opensearch, flavour)
    print(f"{report.passages:,} passages in {len(report.bulk_files)} bulk files, "
          f"{report.terms:,} terms in the vocabulary, written to "
          f"{terminal_text(report.out_dir)} ({flavour})")
    return EXIT_OK


def _run_push(args: argparse.Namespace) -> int:
    import tempfile

    from frsearch.export import export_opensearch
    from frsearch.opensearch import push_opensearch

    flavour = "elasticsearch" if args.elasticsearch else "opensearch"

    def shown(sent: int, total: int) -> None:
        if sys.stderr.isatty():
            done = round(BAR_WIDTH * sent / max(total, 1))
            print(f"\r[{'#' * done}{'.' * (BAR_WIDTH - done)}] {sent:,}/{total:,} passages",
                  end="", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="frsearch-push-") as scratch:
        folder = args.export
        if folder is None:
            folder = Path(scratch)
            export_opensearch(_index_dir(args), folder, flavour)
        report = push_opensearch(folder, args.opensearch, args.name, flavour, shown)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"{report.passages:,} passages sent to index {terminal_text(report.name)} "
          f"({report.count:,} held, {report.retries} retries) in {report.seconds:.1f} s")
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    from frsearch.index import check_index

    folder = _index_dir(args)
    report = check_index(folder)
    if args.json:
        print(terminal_json({"ok": report.ok, "generation": report.generation,
                             "files": report.files, "bytes_read": report.bytes_read,
                             "problems": report.problems}))
    else:
        for problem in report.problems:
            print(f"problem   {terminal_text(problem)}")
        print(f"checked   {report.files} files, {report.bytes_read / 1e6:,.2f} MB read: "
              + ("no problem" if report.ok else f"{len(report.problems)} problem(s)"))
    if report.ok:
        return EXIT_OK
    return _error(f"index at {folder} is damaged; start over with 'frsearch index --rebuild'")


_VALUE_OPTIONS = frozenset({"--index", "--limit", "--synonyms", "--max-text-chars",
                            "--offsets", "--lock-timeout", "--offset", "--sort", "--filter",
                            "--facets"})


def _dash_words(argv: list[str]) -> list[str]:
    """``frsearch query sanctions -Russie``: after ``query``, ``-word`` leaves a
    word out; argparse would take it for an unknown option. A leading space
    makes it a positional to argparse, and the query parser ignores it. The
    value of an option may start with a dash too (``--sort -date``): it is
    joined to its option (``--sort=-date``)."""
    if not argv or argv[0] != "query":
        return argv
    words = [argv[0]]
    for previous, arg in zip(argv, argv[1:], strict=False):
        if "--" in words:
            pass
        elif len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and previous in _VALUE_OPTIONS:
            words[-1] = f"{previous}={arg}"
            continue
        elif len(arg) > 1 and arg[0] == "-" and arg[1] != "-" and arg != "-h":
            arg = " " + arg
        words.append(arg)
    return words


def main(argv: list[str] | None = None) -> int:
    commands = {"index": _run_index, "query": _run_query, "stats": _run_stats,
                "check": _run_check, "remove": _run_remove, "serve": _run_serve,
                "export": _run_export, "push": _run_push}
    # Python's cyclic collector, off while the modules every command needs are
    # imported: their objects live as long as the process, and the collector
    # went through them again and again (a sixth of a whole `frsearch query`).
    # Frozen, later collections skip them.
    gc.disable()
    try:
        words = _dash_words(sys.argv[1:] if argv is None else argv)
        command = words[0] if words and words[0] in commands else None
        args = _parser(command).parse_args(words)
        import frsearch.index  # noqa: F401
    finally:
        gc.freeze()
        gc.enable()
    run = commands[args.command]
    try:
        return run(args)
    except FrsearchError as error:
        return _error(_with_cli_hint(error))
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        return _error(f"{error.strerror or error}{where}")
    except KeyboardInterrupt:
        return _error("interrupted; the index keeps its last complete update")
    except Exception as error:  # never a traceback for the person at the terminal
        return _error(f"internal error ({type(error).__name__}: {error}); please report it")
