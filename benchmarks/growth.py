"""How cost grows with the corpus: frsearch, SQLite FTS5 and tantivy on 1, 10, 30
and 102 MB of the Littré.

    .venv/bin/python benchmarks/growth.py [--sizes 1mb 10mb 30mb full] [--rounds 3]
    .venv/bin/python benchmarks/growth.py --plot-only    # growth.png again from growth.json

For each size, each engine builds its index and answers the benchmark's queries
exactly as ``bench.py`` runs them (a child process per phase, the engines taking
turns): index throughput, query p50 and p95 (top 10 with snippets), index size
and the peak memory of all the build's processes together (summed PSS, sampled:
frsearch's writer processes count; the largest process's peak RSS when no
sample caught a short build). Writes ``benchmarks/results/growth.json``
(with the commit measured) and a plot of the five figures against the corpus
size, ``benchmarks/results/growth.png``; ``report.py --readme`` makes the
README's table of it. The 1 and 30 MB slices are the Littré's first articles,
built on first use, as the 10 MB one is.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import PACKAGES, run_engine
from corpus import DATA, corpus_path, corpus_stats
from engines import ENGINES, make_engine
from littre import write_slice
from measure import RESULTS, code_changed, provenance, write_result

SIZES = {"1mb": 1_000_000, "10mb": 10_000_000, "30mb": 30_000_000, "full": None}
"""Corpus name: bytes of text taken from the start of the Littré (None: all of it)."""
FIGURES = {  # figure: (axis title, log scale)
    "mb_per_s": ("index throughput, MB/s", True),
    "p50_ms": ("query p50, ms", True),
    "p95_ms": ("query p95, ms", True),
    "index_mb": ("index size, MB", True),
    "peak_mb": ("peak memory indexing, all processes, MB", True),
}


def corpus_file(name: str) -> Path:
    """The JSON Lines file of size ``name``, cut from the whole Littré if needed."""
    if name in ("10mb", "full"):
        return corpus_path(name)
    target = DATA / f"growth-{name}.jsonl"
    if not target.exists():
        write_slice(corpus_path("full"), target, SIZES[name] or 0)
    return target


def plot(result: dict, target: Path) -> None:
    """One panel per figure, the corpus's MB of text across, one line per engine."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator

    engines = result["engines"]
    figure, grid = plt.subplots(2, 3, figsize=(12, 7.2))
    axes = list(grid.flat)
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    for axis, (figure_name, (title, log)) in zip(axes, FIGURES.items(), strict=False):
        for name, label in engines.items():
            points = [(size["text_mb"], size["engines"][name][figure_name])
                      for size in result["sizes"] if name in size["engines"]]
            axis.plot(*zip(*points, strict=True), marker="o", label=label)
        axis.set_xscale("log")
        if log:
            axis.set_yscale("log")
        for scale in (axis.xaxis, axis.yaxis):
            scale.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            scale.set_major_formatter(plain)
            scale.set_minor_formatter(FuncFormatter(lambda value, _: ""))
        axis.set_xlabel("corpus, MB of text")
        axis.set_title(title, fontsize=10)
        axis.grid(True, which="both", alpha=0.3)
    legend = axes[-1]
    legend.axis("off")
    legend.legend(*axes[0].get_legend_handles_labels(), loc="center", fontsize=11)
    commit = result["provenance"]["commit"][:7]
    figure.suptitle(f"How cost grows with the corpus (the Littré; frsearch at {commit}, "
                    f"{result['machine']['cpus']} CPUs)", fontsize=11)
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--engines", nargs="+", choices=["frsearch", "fts5", "tantivy"],
                        default=["frsearch", "fts5", "tantivy"])
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed runs of each query, after one warm-up (default: 3)")
    parser.add_argument("--work", type=Path, default=DATA / "indexes" / "growth")
    parser.add_argument("--plot-only", action="store_true",
                        help="measure nothing: draw growth.png again from growth.json")
    args = parser.parse_args()
    if args.plot_only:
        plot(json.loads((RESULTS / "growth.json").read_text(encoding="utf-8")),
             RESULTS / "growth.png")
        return
    engines = [make_engine(name) for name in args.engines
               if name != "tantivy" or ENGINES[name].available()]
    labels = {engine.name: engine.label for engine in engines}
    source = provenance(PACKAGES)
    source["versions"]["sqlite"] = sqlite3.sqlite_version
    load_before = os.getloadavg()
    sizes = []
    for name in args.sizes:
        path = corpus_file(name)
        stats = corpus_stats(name, path)
        work = args.work / name
        work.mkdir(parents=True, exist_ok=True)
        log = work / "growth.log"
        log.write_text("")
        figures = {}
        for engine in engines:
            started = time.monotonic()
            run, _ = run_engine(engine, path, work, log, args.rounds)
            figures[engine.name] = run.figures(stats)
            # summed PSS is sampled: a build of a second or less may end between samples
            figures[engine.name]["peak_mb"] = max(figures[engine.name]["build_tree_mb"],
                                                  figures[engine.name]["build_rss_mb"])
            print(f"[{name}] {engine.label}: index {run.index_seconds:.1f} s, "
                  f"{figures[engine.name]['mb_per_s']:.2f} MB/s, p50 "
                  f"{figures[engine.name]['p50_ms']:.2f} ms "
                  f"({time.monotonic() - started:.0f} s in all)", file=sys.stderr, flush=True)
        sizes.append({"corpus": asdict(stats), "text_mb": stats.text_bytes / 1e6,
                      "engines": figures})
    if code_changed(source, provenance()):
        source["code_changed_during_run"] = True
    result = {
        "machine": {"cpus": os.cpu_count(), "load_average_before": load_before,
                    "load_average_after": os.getloadavg()},
        "settings": {"rounds": args.rounds, "engines": list(labels)},
        "engines": labels,
        "sizes": sizes,
    }
    target = write_result("growth", result, source)
    plot({"provenance": source, **result}, RESULTS / "growth.png")
    print(f"Wrote {target.relative_to(target.parents[2])} and growth.png", file=sys.stderr)


if __name__ == "__main__":
    main()
