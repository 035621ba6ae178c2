"""Readers survive commits: searches run while a writer commits as fast as it can.

A writer process adds one small article per commit, holding a marker word of
its own (``faults_common.marker``), and after each commit that returned, writes
the number of the last committed article to a file. The index starts from the
seed articles and a slice of the Littré, so that its segments are many and
Whoosh merges them (and deletes their files) as commits come.

Four readers search at the same time, each in its own way of holding an index:

(a) one ``Index`` kept open in this process's main thread, as a server would;
(b) an ``Index`` opened for each search, in a thread;
(c) the command ``frsearch query … --json``, a new process for each search;
(d) one ``Index`` kept open in another process.

Each search looks either for a common word (it must find something) or for the
marker of an article whose commit was reported done before the search started
(that article must be among the hits). Counted: searches, errors by kind (any
exception, a non-zero exit of the command other than 1 "nothing found", or the
word "damaged" in what it printed), markers missed, common words not found.

    .venv/bin/python benchmarks/commit_race.py                  # 10,000 searches
    .venv/bin/python benchmarks/commit_race.py --searches 2000  # a quick look

Exit status: 0 no fault, 1 faults found, 2 the race did not happen (no commits).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import corpus
import littre
from faults_common import (
    Tally,
    atomic_write_text,
    check_markers,
    exception_kind,
    frsearch_command,
    littre_path,
    marker,
    table,
    verdict,
    work_dir,
    write_jsonl,
)

MARKER_PREFIX = "zqxc"
COMMON_WORDS = ("cheval", "maison", "temps", "homme", "eau", "main", "terre", "parole")
"""Words the base slice holds many times: a search for one that finds nothing is a fault."""
HIT_LIMIT = 10
CLI_TIMEOUT = 60.0
READERS = {
    "a": "(a) long-lived Index, main thread",
    "b": "(b) Index opened per search",
    "c": "(c) frsearch query --json",
    "d": "(d) long-lived Index, other process",
}
MISSES_SHOWN = 8


def article_id(number: int) -> str:
    return f"race-{number:06d}"


def race_article(number: int) -> dict:
    """A small article: three passages holding its marker, and common words, so
    that common-word searches also meet the articles committed during the race."""
    word = marker(number, MARKER_PREFIX)
    return {
        "id": article_id(number),
        "title": f"Course {word}",
        "paragraphs": [
            f"Le cheval {word} traverse la maison pendant que le temps passe.",
            f"Un homme boit de l'eau et donne sa parole, {word} à la main.",
        ],
    }


# -- the published state -------------------------------------------------------------


@dataclass
class Published:
    """What the writer has reported committed: articles 1…``last`` but ``failed``."""

    last: int = 0
    failed: list[int] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Published:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return cls()

    def write(self, path: Path) -> None:
        atomic_write_text(path, json.dumps(asdict(self)))


# -- the writer ----------------------------------------------------------------------


def _deleted_files(before: set[str], folder: Path) -> tuple[int, set[str]]:
    """How many of the files ``before`` are gone from ``folder`` (deleted by a
    merge or a cleanup), and the files there now."""
    now = {name for name in (p.name for p in folder.iterdir()) if not name.endswith(".tmp")}
    return len(before - now), now


def _commit_api(index, article_file: Path) -> None:
    report = index.add([article_file])
    if report.passages == 0 or report.problems:
        raise RuntimeError(f"commit wrote {report.passages} passages, "
                           f"problems: {[str(p) for p in report.problems]}")


def _commit_cli(index_dir: Path, article_file: Path) -> None:
    done = subprocess.run([*frsearch_command(), "index", str(article_file), "--index",
                           str(index_dir), "--lock-timeout", "10"],
                          capture_output=True, text=True, timeout=CLI_TIMEOUT)
    if done.returncode != 0 or "damaged" in done.stdout + done.stderr:
        raise RuntimeError(f"frsearch index exited {done.returncode}: {done.stderr.strip()}")


def writer_process_main(index_dir: Path, work: Path, use_cli: bool, stop, results) -> None:
    """The writer process: its counts, or how it crashed, go back through ``results``."""
    try:
        results.put(writer_main(index_dir, work, use_cli, stop))
    except BaseException:
        results.put({"crash": traceback.format_exc()})
        stop.set()


def writer_main(index_dir: Path, work: Path, use_cli: bool, stop) -> dict:
    """Commit one new article at a time until told to stop; publish each commit
    that returned. Runs in a process of its own, like any other writer."""
    import frsearch

    published_path = work / "published.json"
    article_file = work / "next-article.jsonl"
    published = Published()
    tally = Tally()
    commits = deleted = 0
    started = time.monotonic()
    files = {p.name for p in index_dir.iterdir()}
    index = None
    number = 0
    while not stop.is_set():
        if not use_cli and index is None:
            try:  # a program would open the index again after an error
                index = frsearch.open_index(index_dir)
            except Exception as error:
                tally.add(exception_kind(error), "writer", f"{type(error).__name__}: {error}")
                time.sleep(0.05)
                continue
        number += 1
        write_jsonl(article_file, [race_article(number)])
        try:
            if use_cli:
                _commit_cli(index_dir, article_file)
            else:
                _commit_api(index, article_file)
        except Exception as error:
            tally.add(exception_kind(error), "writer", f"{type(error).__name__}: {error}")
            published.failed.append(number)
            if index is not None:
                index.close()
                index = None
            continue
        published.last = number
        published.write(published_path)
        commits += 1
        gone, files = _deleted_files(files, index_dir)
        deleted += gone
    if index is not None:
        index.close()
    return {"commits": commits, "failed": len(published.failed),
            "seconds": time.monotonic() - started, "deleted_files": deleted,
            "tally": tally.to_dict()}


# -- the readers ---------------------------------------------------------------------


@dataclass
class ReaderStats:
    searches: int = 0
    marker_checks: int = 0
    missed: int = 0
    word_checks: int = 0
    empty: int = 0
    errors: int = 0
    failing_at_end: int = 0
    """Errors in a row when the race stopped: a reader that never recovered."""
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


class Race:
    """What every reader shares: where to look, when to stop, what to count."""

    def __init__(self, index_dir: Path, work: Path, target: int, earliest: float,
                 deadline: float, total, stop) -> None:
        self.index_dir = index_dir
        self.published_path = work / "published.json"
        self.target = target
        self.earliest = earliest
        self.deadline = deadline
        self.total = total  # multiprocessing.Value: searches by all readers
        self.stop = stop    # multiprocessing.Event

    def count_search(self) -> None:
        with self.total.get_lock():
            self.total.value += 1
            enough = self.total.value >= self.target
        now = time.monotonic()
        if (enough and now >= self.earliest) or now >= self.deadline:
            self.stop.set()


def _plan(published: Published, rng: random.Random) -> tuple[str, int | None]:
    """What to search: the marker of the last article reported committed (the one
    a reader is likeliest to miss), that of an earlier one (lost in a merge?), or
    a common word."""
    roll = rng.random()
    if published.last and roll < 0.35:
        return marker(published.last, MARKER_PREFIX), published.last
    if published.last and roll < 0.5:
        for _ in range(5):
            number = rng.randint(1, published.last)
            if number not in published.failed:
                return marker(number, MARKER_PREFIX), number
    return rng.choice(COMMON_WORDS), None


def run_reader(name: str, search: Callable[[str], list[str]], race: Race,
               seed: int) -> tuple[ReaderStats, Tally]:
    """Search until the race stops; ``search`` returns the article ids of the hits."""
    rng = random.Random(f"{seed}-{name}")
    stats, tally = ReaderStats(), Tally()
    started = time.monotonic()
    while not race.stop.is_set():
        published = Published.read(race.published_path)  # before the search starts
        query, number = _plan(published, rng)
        try:
            found = search(query)
        except Exception as error:
            stats.errors += 1
            stats.failing_at_end += 1
            tally.add(exception_kind(error), name, f"{type(error).__name__}: {error}")
        else:
            stats.failing_at_end = 0
            if number is None:
                stats.word_checks += 1
                stats.empty += not found
            else:
                stats.marker_checks += 1
                if article_id(number) not in found:
                    stats.missed += 1
                    if len(stats.misses) < MISSES_SHOWN:
                        behind = "the last" if number == published.last else \
                            f"{published.last - number} before the last"
                        stats.misses.append(f"{name}: {query} (article {number}, {behind} "
                                            f"reported committed) not found; hits: {found[:3]}")
        stats.searches += 1
        race.count_search()
    stats.seconds = time.monotonic() - started
    return stats, tally


def long_lived_search(index_dir: Path) -> Callable[[str], list[str]]:
    """One Index for every search, opened again only if opening it failed."""
    import frsearch

    held = []

    def search(query: str) -> list[str]:
        if not held:
            held.append(frsearch.open_index(index_dir))
        return [hit.article_id for hit in held[0].search(query, limit=HIT_LIMIT).hits]

    return search


def reopened_search(index_dir: Path) -> Callable[[str], list[str]]:
    """A new Index for each search, as a short script would do."""
    import frsearch

    def search(query: str) -> list[str]:
        with frsearch.open_index(index_dir) as index:
            return [hit.article_id for hit in index.search(query, limit=HIT_LIMIT).hits]

    return search


def command_search(index_dir: Path) -> Callable[[str], list[str]]:
    """``frsearch query QUERY --json``: exit 0 with hits or 1 without; anything
    else, or "damaged" in its output, is an error."""
    command = [*frsearch_command(), "query"]

    def search(query: str) -> list[str]:
        done = subprocess.run([*command, query, "--index", str(index_dir), "--json",
                               "--limit", str(HIT_LIMIT)],
                              capture_output=True, text=True, timeout=CLI_TIMEOUT)
        said = (done.stderr.strip() or done.stdout.strip())
        if done.returncode not in (0, 1):
            raise RuntimeError(f"exit {done.returncode}: {said}")
        if "damaged" in done.stdout + done.stderr:
            raise RuntimeError(f"'damaged' in output: {said}")
        if done.returncode == 1 and not done.stdout.strip():
            raise RuntimeError(f"exit 1 without a result: {said}")
        return [hit["article_id"] for hit in json.loads(done.stdout)["hits"]]

    return search


def reader_process_main(race: Race, seed: int, results) -> None:
    """Reader (d): a long-lived Index in a process of its own."""
    try:
        stats, tally = run_reader("d", long_lived_search(race.index_dir), race, seed)
        results.put({"stats": asdict(stats), "tally": tally.to_dict()})
    except BaseException:
        results.put({"crash": traceback.format_exc()})


def in_thread(name: str, make: Callable[[Path], Callable[[str], list[str]]], race: Race,
              seed: int, out: dict) -> threading.Thread:
    def run() -> None:
        try:
            out[name] = run_reader(name, make(race.index_dir), race, seed)
        except BaseException:
            out[name] = traceback.format_exc()
            race.stop.set()

    thread = threading.Thread(target=run, name=f"reader-{name}", daemon=True)
    thread.start()
    return thread


# -- setting up ------------------------------------------------------------------------


def build_base(work: Path, data: Path, base_bytes: int) -> tuple[Path, int]:
    """A fresh index of the seeds and the first ``base_bytes`` of Littré text: the
    race adds tiny segments beside its large one, which commits then merge."""
    import frsearch

    base = work / "base.jsonl"
    littre.write_slice(littre_path(data), base, base_bytes)
    index_dir = work / "index"
    with frsearch.open_index(index_dir, rebuild=True) as index:
        report = index.add([frsearch.seeds_dir(), base])
    return index_dir, report.articles


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--searches", type=int, default=10_000, metavar="N",
                        help="stop after N searches by all readers together (default 10,000)")
    parser.add_argument("--seconds", type=float, default=170.0,
                        help="stop the race after this long even if fewer searches were "
                             "made (default 170)")
    parser.add_argument("--min-seconds", type=float, default=20.0,
                        help="race at least this long, so that the slower readers (the "
                             "command) search many times too (default 20)")
    parser.add_argument("--base-mb", type=float, default=1.5,
                        help="MB of Littré text in the index before the race (default 1.5)")
    parser.add_argument("--writer", choices=("api", "cli"), default="api",
                        help="commit through Index.add (default) or 'frsearch index'")
    parser.add_argument("--data", type=Path, default=corpus.DATA,
                        help=f"where the Littré corpus is or is built (default {corpus.DATA})")
    parser.add_argument("--work", help="folder for the index and files (default: a new "
                                       "temporary folder, kept)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main() -> int:
    args = _parse()
    check_markers([marker(n, MARKER_PREFIX) for n in (0, 1, 17, 18, 999, 123_456)])
    work = work_dir(args.work, "frsearch-commit-race-")
    print(f"commit_race: building the base index in {work} (seeds + "
          f"{args.base_mb:g} MB of Littré text)…", flush=True)
    index_dir, base_articles = build_base(work, args.data, int(args.base_mb * 1e6))
    (work / "published.json").unlink(missing_ok=True)

    context = multiprocessing.get_context("fork")
    stop, total = context.Event(), context.Value("i", 0)
    now = time.monotonic()
    race = Race(index_dir, work, args.searches, now + args.min_seconds, now + args.seconds,
                total, stop)
    writer_results, reader_results = context.Queue(), context.Queue()
    writer = context.Process(target=writer_process_main, name="writer",
                             args=(index_dir, work, args.writer == "cli", stop, writer_results))
    writer.start()
    reader_d = context.Process(target=reader_process_main, name="reader-d",
                               args=(race, args.seed, reader_results))
    reader_d.start()
    print(f"racing: writer ({args.writer}) and 4 readers, until {args.searches:,} searches or "
          f"{args.seconds:g} s…", flush=True)
    started = time.monotonic()
    outcomes: dict[str, object] = {}
    threads = [in_thread("b", reopened_search, race, args.seed, outcomes),
               in_thread("c", command_search, race, args.seed, outcomes)]
    try:
        outcomes["a"] = run_reader("a", long_lived_search(index_dir), race, args.seed)
    finally:
        stop.set()
        for thread in threads:
            thread.join(CLI_TIMEOUT + 10)
        outcomes["d"] = reader_results.get(timeout=120)
        written = writer_results.get(timeout=300)
        for process in (writer, reader_d):
            process.join(30)
            if process.is_alive():
                process.kill()
    return report(args, work, base_articles, time.monotonic() - started, written, outcomes)


# -- the summary -----------------------------------------------------------------------


def report(args, work: Path, base_articles: int, seconds: float, written: dict,
           outcomes: dict) -> int:
    """Print what each reader saw, the errors by kind, and the verdict."""
    if "crash" in written:
        print(f"\nthe writer crashed:\n{written['crash']}")
        return 2
    tally = Tally.from_dict(written["tally"])
    rows, misses, crashes = [], [], []
    totals = ReaderStats()
    for name, label in READERS.items():
        outcome = outcomes.get(name)
        if isinstance(outcome, dict) and "stats" in outcome:
            outcome = (ReaderStats(**outcome["stats"]), Tally.from_dict(outcome["tally"]))
        if not isinstance(outcome, tuple):
            why = outcome.get("crash") if isinstance(outcome, dict) else outcome
            crashes.append(f"{label} crashed: {why}")
            continue
        stats, found = outcome
        tally.merge(found)
        misses += stats.misses
        for key in ("searches", "marker_checks", "missed", "word_checks", "empty", "errors"):
            setattr(totals, key, getattr(totals, key) + getattr(stats, key))
        rows.append([label, f"{stats.searches:,}", f"{stats.marker_checks:,}",
                     f"{stats.missed:,}", f"{stats.word_checks:,}", f"{stats.empty:,}",
                     f"{stats.errors:,}", f"{stats.failing_at_end:,}",
                     f"{1000 * stats.seconds / max(stats.searches, 1):.1f}"])
    rows.append(["all readers", f"{totals.searches:,}", f"{totals.marker_checks:,}",
                 f"{totals.missed:,}", f"{totals.word_checks:,}", f"{totals.empty:,}",
                 f"{totals.errors:,}", "-", "-"])

    print(f"\ncommit_race: {seconds:.0f} s, index {work / 'index'} "
          f"(seeds + {args.base_mb:g} MB of Littré: {base_articles:,} articles before the race)")
    commits = written["commits"]
    rate = commits / max(written["seconds"], 1e-9)
    print(f"writer ({args.writer}): {commits:,} commits ({rate:.1f}/s), "
          f"{written['failed']:,} failed; {written['deleted_files']:,} index files deleted "
          f"by merges during the race\n")
    print(table(["reader", "searches", "marker checks", "missed", "word checks",
                 "found nothing", "errors", "failing at end", "ms/search"], rows))
    print("(missed: marker of an article reported committed before the search, not found; "
          "failing at end: errors in a row when the race stopped, a reader that never "
          "recovered)")
    if tally.total():
        print("\nerrors by kind:")
        print(table(["count", "seen by", "kind"], tally.rows()))
        print("\nfirst message of each kind:")
        for kind, _ in tally.counts.most_common():
            print(f"  {tally.examples[kind][:300]}")
    if misses:
        print("\nmarkers missed (first of each reader):")
        for miss in misses:
            print(f"  {miss}")
    for crash in crashes:
        print(f"\n{crash}")
    if totals.searches < args.searches:
        print(f"\nnote: {totals.searches:,} searches of the {args.searches:,} asked for "
              f"within {args.seconds:g} s")
    if commits < 2:
        print("\nINCONCLUSIVE: the writer made fewer than 2 commits; nothing raced")
        return 2
    faults = tally.total() + totals.missed + totals.empty + len(crashes)
    return verdict(faults, "faults: errors (writer's included), markers missed, common "
                           "words not found, readers crashed")


if __name__ == "__main__":
    sys.exit(main())
