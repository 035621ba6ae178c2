"""Benchmark frsearch against SQLite FTS5, tantivy and plain Whoosh, side by side.

    .venv/bin/python benchmarks/bench.py --corpus 10mb     # or seeds, full

Each engine builds its index and answers the queries in child processes of its
own (peak RSS per engine and phase); the engines take turns within each repeat,
so that a noisy neighbour slows them alike. Prints a Markdown table and writes
``benchmarks/results/<corpus>.json``. The corpus is built on first use.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from corpus import CORPORA, DATA, CorpusStats, corpus_path, corpus_stats
from engines import ENGINES, WORKER, Engine, make_engine
from measure import folder_bytes, run_checked
from queries import QUERIES
from report import EngineRun, markdown, median_figures, ratios
from terminal import build_seeds_index, time_commands

RESULTS = Path(__file__).resolve().parent / "results"


def run_engine(engine: Engine, corpus: Path, work: Path, log: Path, rounds: int
               ) -> tuple[EngineRun, dict]:
    """Build ``engine``'s index of ``corpus`` afresh, then time the queries."""
    folder = work / engine.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    build = run_checked(engine.build_command(corpus, folder), log)
    answers = work / f"{engine.name}-queries.json"
    querying = run_checked([sys.executable, str(WORKER), engine.name, "query", str(folder),
                            str(answers), str(rounds)], log)
    result = json.loads(answers.read_text())
    run = EngineRun(
        index_seconds=build.seconds,
        index_cpu_seconds=build.cpu_seconds,
        index_bytes=folder_bytes(folder),
        build_rss_bytes=build.peak_rss_bytes,
        build_tree_bytes=build.peak_tree_pss_bytes,
        query_rss_bytes=querying.peak_rss_bytes,
        query_tree_bytes=querying.peak_tree_pss_bytes,
        open_seconds=result["open_seconds"],
        query_seconds={q: statistics.median(s) for q, s in result["seconds"].items()},
    )
    return run, result["top"]


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for package in ("frsearch", "whoosh", "tantivy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return versions


def _git(*arguments: str) -> str:
    repository = Path(__file__).resolve().parent.parent
    return subprocess.run(["git", *arguments], cwd=repository, capture_output=True,
                          text=True, check=True).stdout.strip()


def _frsearch_revision() -> str:
    """The commit frsearch was measured at, "+modified" if its code differs from it,
    and the id of its code (the ``frsearch/`` tree): figures are only comparable
    between runs of the same code."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        tree = _git("rev-parse", "--short", "HEAD:frsearch")
        changed = _git("status", "--porcelain", "--", "frsearch")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{'+modified' if changed else ''} (code {tree})"


def _write_json(target: Path, content: dict) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.tmp")
    partial.write_text(json.dumps(content, ensure_ascii=False, indent=1))
    partial.replace(target)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, default="10mb")
    parser.add_argument("--repeat", type=int, help="runs per engine (default: 3, full: 1)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="timed runs of each query, after one warm-up (default: 5)")
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=list(ENGINES))
    parser.add_argument("--work", type=Path, default=DATA / "indexes",
                        help="where the indexes are built (default: benchmarks/data/indexes)")
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 1 if args.corpus == "full" else 3
    return args


def main() -> None:
    args = _arguments()
    corpus_file = corpus_path(args.corpus)
    corpus: CorpusStats = corpus_stats(args.corpus, corpus_file)
    notes: list[str] = []
    engines = []
    for name in args.engines:
        if name == "tantivy" and not ENGINES[name].available():
            notes.append("tantivy skipped: not installed (pip install tantivy)")
            continue
        engines.append(make_engine(name))
    work = args.work / args.corpus
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.log"
    log.write_text("")
    load_before = os.getloadavg()
    revision = _frsearch_revision()

    runs: dict[str, list[EngineRun]] = {engine.name: [] for engine in engines}
    tops: dict[str, dict] = {}
    for repeat in range(args.repeat):
        for engine in engines:
            started = time.monotonic()
            run, tops[engine.name] = run_engine(engine, corpus_file, work, log, args.rounds)
            runs[engine.name].append(run)
            print(f"[run {repeat + 1}/{args.repeat}] {engine.label}: index "
                  f"{run.index_seconds:.1f} s, queries done "
                  f"({time.monotonic() - started:.0f} s in all)", file=sys.stderr, flush=True)

    seeds_index = work / "terminal-seeds"
    shutil.rmtree(seeds_index, ignore_errors=True)
    build_seeds_index(seeds_index, log)
    corpus_index = work / "frsearch" if "frsearch" in runs else None
    terminal = time_commands(seeds_index, corpus_index, log)

    labels = {engine.name: engine.label for engine in engines}
    medians = {name: median_figures(engine_runs, corpus) for name, engine_runs in runs.items()}
    # queries some engine answered and another did not (not those the corpus lacks)
    answered = {q for found in tops.values() for q, top in found.items() if top["hits"]}
    empty = {name: [q for q, top in found.items() if not top["hits"] and q in answered]
             for name, found in tops.items()}
    notes.append(f"load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after; "
                 f"{os.cpu_count()} CPUs; frsearch at {revision}")
    now = _frsearch_revision()
    if now.partition(" ")[2] != revision.partition(" ")[2] or "modified" in now + revision:
        notes.append(f"frsearch's code may have changed during the run (now {now})")
    print(markdown(corpus, args.repeat, labels, medians, terminal, empty, notes))
    _write_json(RESULTS / f"{args.corpus}.json", {
        "corpus": asdict(corpus),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average_before": load_before, "load_average_after": os.getloadavg(),
                    "versions": _versions(), "frsearch_revision": revision},
        "settings": {"repeat": args.repeat, "rounds": args.rounds, "queries": list(QUERIES)},
        "engines": {
            name: {
                "label": labels[name],
                "median": medians[name],
                "runs": [run.figures(corpus) for run in engine_runs],
                "query_ms": {q: 1000 * statistics.median(r.query_seconds[q] for r in engine_runs)
                             for q in QUERIES},
                "top": tops[name],
            }
            for name, engine_runs in runs.items()
        },
        "ratios": ratios(medians),
        "terminal": [asdict(timing) for timing in terminal],
        "notes": notes,
    })


if __name__ == "__main__":
    main()
