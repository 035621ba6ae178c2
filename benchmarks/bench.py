"""Benchmark frsearch against SQLite FTS5, tantivy and plain Whoosh, side by side.

    .venv/bin/python benchmarks/bench.py --corpus 10mb     # or seeds, full

Each engine builds its index and answers the queries in child processes of its
own (peak RSS per engine and phase); the engines take turns within each repeat,
so that a noisy neighbour slows them alike. Prints a Markdown table and writes
``benchmarks/results/<corpus>.json``, which records the commit measured, whether
the working tree differed from it, the date and this command (``provenance``);
``benchmarks/report.py --readme`` turns it into the README's tables. The corpus
is built on first use.

To measure a commit while the working tree holds other, uncommitted edits, run
the benchmark from a clone of it, with the corpora linked in (``PYTHONPATH``
makes every process import the clone's frsearch)::

    CLONE=/tmp/frsearch-head; git clone -q . $CLONE
    ln -s "$PWD/benchmarks/data" $CLONE/benchmarks/
    PYTHONPATH=$CLONE .venv/bin/python $CLONE/benchmarks/bench.py --corpus 10mb
    cp $CLONE/benchmarks/results/10mb.json benchmarks/results/
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

from corpus import CORPORA, DATA, CorpusStats, corpus_path, corpus_stats
from engines import ENGINES, WORKER, Engine, make_engine
from measure import code_changed, folder_bytes, p95, provenance, run_checked, write_result
from queries import QUERIES
from report import EngineRun, markdown, median_figures, ratios
from terminal import build_seeds_index, time_commands

PACKAGES = ("frsearch", "whoosh", "PyStemmer", "tantivy")


def run_engine(engine: Engine, corpus: Path, work: Path, log: Path, rounds: int
               ) -> tuple[EngineRun, dict]:
    """Build ``engine``'s index of ``corpus`` afresh, then time the queries."""
    folder = work / engine.name
    build = build_index(engine, corpus, folder, log)
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


def build_index(engine: Engine, corpus: Path, folder: Path, log: Path):
    """Build ``engine``'s index of ``corpus`` afresh in ``folder``: the child's run."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return run_checked(engine.build_command(corpus, folder), log)


def index_only(args: argparse.Namespace, corpus: CorpusStats, corpus_file: Path,
               engines: list[Engine], work: Path, log: Path, source: dict) -> None:
    """Build the indexes only (``--index-only``): throughput, CPU, size and peak
    memory, written to ``benchmarks/results/<corpus>-index.json``."""
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {engine.name: [] for engine in engines}
    for repeat in range(args.repeat):
        for engine in engines:
            build = build_index(engine, corpus_file, work / engine.name, log)
            runs[engine.name].append({
                "index_seconds": build.seconds,
                "index_cpu_seconds": build.cpu_seconds,
                "mb_per_s": corpus.text_bytes / 1e6 / build.seconds,
                "index_mb": folder_bytes(work / engine.name) / 1e6,
                "build_rss_mb": build.peak_rss_bytes / 1e6,
                "build_tree_mb": build.peak_tree_pss_bytes / 1e6,
            })
            print(f"[run {repeat + 1}/{args.repeat}] {engine.label}: index "
                  f"{build.seconds:.2f} s", file=sys.stderr, flush=True)
    medians = {name: {figure: statistics.median(run[figure] for run in engine_runs)
                      for figure in engine_runs[0]} for name, engine_runs in runs.items()}
    _store_medians(f"{args.corpus}-index", medians, corpus, load_before, source,
                   {"repeat": args.repeat, "index_only": True,
                    "writer_processes": os.environ.get("FRSEARCH_WRITER_PROCESSES")},
                   {name: {"runs": runs[name]} for name in runs})


def _store_medians(name: str, medians: dict[str, dict[str, float]], corpus: CorpusStats,
                   load_before: tuple[float, ...], source: dict, settings: dict,
                   details: dict[str, dict]) -> None:
    """Print each engine's median figures and frsearch's as multiples of each
    peer's, and store them as ``benchmarks/results/<name>.json`` with the run's
    settings and each engine's ``details``."""
    relative = {}
    if "frsearch" in medians:
        ours = medians["frsearch"]
        relative = {peer: {figure: ours[figure] / value for figure, value in figures.items()
                           if value} for peer, figures in medians.items() if peer != "frsearch"}
    print(f"| engine | {' | '.join(next(iter(medians.values())))} |")
    for engine, figures in medians.items():
        print(f"| {engine} | {' | '.join(f'{value:,.3f}' for value in figures.values())} |")
    for peer, by in relative.items():
        print(f"| frsearch ÷ {peer} | {' | '.join(f'{value:.3f}×' for value in by.values())} |")
    if code_changed(source, provenance()):
        source["code_changed_during_run"] = True
    target = write_result(name, {
        "corpus": asdict(corpus),
        "machine": {"load_average_before": load_before, "load_average_after": os.getloadavg(),
                    "cpus": os.cpu_count()},
        "settings": settings,
        "engines": {engine: {"median": medians[engine], **details[engine]}
                    for engine in medians},
        "ratios": relative,
    }, source)
    print(f"\nWrote {target.relative_to(target.parents[2])}", file=sys.stderr)


def query_only(args: argparse.Namespace, corpus: CorpusStats, engines: list[Engine],
               work: Path, log: Path, source: dict) -> None:
    """Time the queries on the indexes already in ``work/<engine>`` (``--query-only``),
    the engines taking turns within each repeat: query p50 and p95 (each query's
    median over the rounds and repeats), and those of the first, untimed-before
    run of each query (``first``: what no cache of a query asked before helps),
    written to ``benchmarks/results/<corpus>-query.json``."""
    load_before = os.getloadavg()
    seconds: dict[str, dict[str, list[float]]] = {e.name: {q: [] for q in QUERIES}
                                                  for e in engines}
    first: dict[str, dict[str, list[float]]] = {e.name: {q: [] for q in QUERIES}
                                                for e in engines}
    for repeat in range(args.repeat):
        for engine in engines:
            answers = work / f"{engine.name}-queries.json"
            run_checked([sys.executable, str(WORKER), engine.name, "query",
                         str(work / engine.name), str(answers), str(args.rounds)], log)
            result = json.loads(answers.read_text())
            for query in QUERIES:
                seconds[engine.name][query] += result["seconds"][query]
                first[engine.name][query].append(result["first_seconds"][query])
            print(f"[run {repeat + 1}/{args.repeat}] {engine.label}: queries done",
                  file=sys.stderr, flush=True)

    def figures(timings: dict[str, list[float]]) -> dict[str, float]:
        latencies = [statistics.median(values) for values in timings.values()]
        return {"p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * p95(latencies)}

    medians = {name: {**figures(seconds[name]),
                      **{f"first_{k}": v for k, v in figures(first[name]).items()}}
               for name in seconds}
    _store_medians(f"{args.corpus}-query", medians, corpus, load_before, source,
                   {"repeat": args.repeat, "rounds": args.rounds, "query_only": True,
                    "indexes": {e.name: str((work / e.name).resolve()) for e in engines}},
                   {name: {"query_ms": {q: 1000 * statistics.median(v)
                                        for q, v in seconds[name].items()},
                           "first_ms": {q: 1000 * statistics.median(v)
                                        for q, v in first[name].items()}}
                    for name in medians})


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, default="10mb")
    parser.add_argument("--repeat", type=int, help="runs per engine (default: 3, full: 1)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="timed runs of each query, after one warm-up (default: 5)")
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=list(ENGINES))
    parser.add_argument("--work", type=Path, default=DATA / "indexes",
                        help="where the indexes are built (default: benchmarks/data/indexes)")
    parser.add_argument("--index-only", action="store_true",
                        help="build the indexes only, no queries: writes <corpus>-index.json")
    parser.add_argument("--query-only", action="store_true",
                        help="time the queries on the indexes already in WORK/<corpus>/<engine>, "
                             "no build: writes <corpus>-query.json")
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
    source = provenance(PACKAGES)
    source["versions"]["sqlite"] = sqlite3.sqlite_version
    if args.index_only:
        index_only(args, corpus, corpus_file, engines, work, log, source)
        return
    if args.query_only:
        query_only(args, corpus, engines, work, log, source)
        return

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
                 f"{os.cpu_count()} CPUs; commit {source['commit']}")
    if any(path.startswith("frsearch/") for path in source["changed"]):
        notes.append("frsearch/ had uncommitted changes: these figures are of code no commit "
                     "holds (" + ", ".join(source["changed"]) + ")")
    if code_changed(source, provenance()):
        source["code_changed_during_run"] = True
        notes.append("frsearch's code changed during the run: the engines' figures may "
                     "come from different code")
    print(markdown(corpus, args.repeat, labels, medians, terminal, empty, notes))
    target = write_result(args.corpus, {
        "corpus": asdict(corpus),
        "machine": {"load_average_before": load_before, "load_average_after": os.getloadavg()},
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
    }, source)
    print(f"\nWrote {target.relative_to(target.parents[2])}; "
          "python benchmarks/report.py --readme puts it in the README", file=sys.stderr)


if __name__ == "__main__":
    main()
