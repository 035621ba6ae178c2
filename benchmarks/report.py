"""From raw runs to figures: medians over repeats, frsearch's ratios, Markdown;
and the README's tables and figures, written from the stored results:

    .venv/bin/python benchmarks/report.py --readme    # rewrite them in README.md
    .venv/bin/python benchmarks/report.py --check     # exit 1 if README.md differs

MB are 10⁶ bytes. Query latency: each query's median over its timed rounds,
then the 50th and 95th percentiles over the queries.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus import CorpusStats
from measure import p95
from terminal import CommandTiming

FIGURES = {  # name: (column title, format)
    "index_seconds": ("index s", "{:,.2f}"),
    "index_cpu_seconds": ("index CPU s", "{:,.2f}"),
    "mb_per_s": ("MB/s", "{:,.2f}"),
    "passages_per_s": ("passages/s", "{:,.0f}"),
    "index_mb": ("index MB", "{:,.1f}"),
    "build_rss_mb": ("peak RSS index MB", "{:,.0f}"),
    "p50_ms": ("p50 ms", "{:,.2f}"),
    "p95_ms": ("p95 ms", "{:,.2f}"),
    "query_rss_mb": ("peak RSS query MB", "{:,.0f}"),
}
RATIOS = {  # figure: how the ratio reads
    "mb_per_s": "index throughput",
    "index_cpu_seconds": "index CPU time",
    "p50_ms": "p50",
    "p95_ms": "p95",
    "index_mb": "index size",
    "build_rss_mb": "RSS indexing",
    "query_rss_mb": "RSS querying",
}
REFERENCE = "frsearch"


@dataclass(frozen=True, slots=True)
class EngineRun:
    """One engine's build and queries in one repeat."""

    index_seconds: float
    index_cpu_seconds: float
    index_bytes: int
    build_rss_bytes: int
    build_tree_bytes: int
    query_rss_bytes: int
    query_tree_bytes: int
    open_seconds: float
    query_seconds: dict[str, float]
    """Per query, the median of its timed rounds."""

    def figures(self, corpus: CorpusStats) -> dict[str, float]:
        latencies = list(self.query_seconds.values())
        return {
            "index_seconds": self.index_seconds,
            "index_cpu_seconds": self.index_cpu_seconds,
            "mb_per_s": corpus.text_bytes / 1e6 / self.index_seconds,
            "passages_per_s": corpus.passages / self.index_seconds,
            "index_mb": self.index_bytes / 1e6,
            "build_rss_mb": self.build_rss_bytes / 1e6,
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": p95(latencies) * 1000,
            "query_rss_mb": self.query_rss_bytes / 1e6,
            "build_tree_mb": self.build_tree_bytes / 1e6,
            "query_tree_mb": self.query_tree_bytes / 1e6,
            "open_ms": self.open_seconds * 1000,
        }


def median_figures(runs: list[EngineRun], corpus: CorpusStats) -> dict[str, float]:
    """Each figure's median over the repeats."""
    per_run = [run.figures(corpus) for run in runs]
    return {name: statistics.median(f[name] for f in per_run) for name in per_run[0]}


def ratios(medians: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """frsearch's figure divided by each peer's (throughput < 1: frsearch is slower;
    latency, size, memory > 1: frsearch takes more)."""
    if REFERENCE not in medians:
        return {}
    ours = medians[REFERENCE]
    return {
        peer: {name: ours[name] / figures[name] for name in RATIOS if figures[name]}
        for peer, figures in medians.items() if peer != REFERENCE
    }


def _process_tree_notes(labels: dict[str, str], medians: dict[str, dict[str, float]]
                        ) -> list[str]:
    """Where an engine ran several processes at once, what they took together:
    peak RSS is the largest single process."""
    notes = []
    for name, figures in medians.items():
        for phase, rss, tree in (("indexing", "build_rss_mb", "build_tree_mb"),
                                 ("querying", "query_rss_mb", "query_tree_mb")):
            if figures[tree] > 1.15 * figures[rss]:
                notes.append(f"{labels[name]} {phase} ran several processes at once: together "
                             f"they peaked at {figures[tree]:,.0f} MB (summed PSS, sampled), "
                             f"the largest alone at {figures[rss]:,.0f} MB (peak RSS above)")
    return notes


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    aligns = ["---"] + ["---:"] * (len(header) - 1)
    return ["| " + " | ".join(row) + " |" for row in (header, aligns, *rows)]


def markdown(corpus: CorpusStats, repeat: int, labels: dict[str, str],
             medians: dict[str, dict[str, float]], terminal: list[CommandTiming],
             empty: dict[str, list[str]], notes: list[str]) -> str:
    lines = [
        f"### {corpus.name}: {corpus.articles:,} articles, {corpus.passages:,} passages, "
        f"{corpus.text_bytes / 1e6:,.1f} MB of text (median of {repeat} run"
        f"{'s' if repeat > 1 else ''})",
        "",
    ]
    header = ["engine", *(title for title, _ in FIGURES.values())]
    rows = [[labels[name], *(fmt.format(figures[f]) for f, (_, fmt) in FIGURES.items())]
            for name, figures in medians.items()]
    lines += _table(header, rows)
    relative = ratios(medians)
    if relative:
        lines += ["", "frsearch ÷ peer (throughput below 1×: frsearch slower; "
                      "time, latency, size, memory above 1×: frsearch takes more)", ""]
        header = ["peer", *RATIOS.values()]
        rows = [[labels[peer], *(f"{by[name]:.2f}×" if name in by else "–"
                                 for name in RATIOS)]
                for peer, by in relative.items()]
        lines += _table(header, rows)
    if terminal:
        lines += ["", "At the terminal: whole processes, median wall time", ""]
        lines += _table(["command", "seconds", "peak RSS MB"],
                        [[t.label, f"{t.seconds:.3f}", f"{t.peak_rss_bytes / 1e6:.0f}"]
                         for t in terminal])
    for name, queries in empty.items():
        if queries:
            lines.append(f"\n{labels[name]} found nothing, where another engine found some, for: "
                         + ", ".join(f"`{q}`" for q in queries))
    lines += [f"\nNote: {note}" for note in notes + _process_tree_notes(labels, medians)]
    return "\n".join(lines)


# -- the README's tables, from the stored results ---------------------------------------
#
# Between ``<!-- tables:NAME -->`` and ``<!-- /tables -->``, and for a figure in a
# sentence between ``<!-- figure:NAME -->`` and ``<!-- /figure -->``, README.md
# holds what ``BLOCKS`` and ``FIGURES_IN_PROSE`` make of benchmarks/results/*.json.
# Nothing else is read: running it twice changes nothing, and a table can only
# change with the results it comes from.

REPOSITORY = Path(__file__).resolve().parent.parent
README = REPOSITORY / "README.md"
RESULTS = REPOSITORY / "benchmarks" / "results"
PRODUCERS = {  # result file: the command that writes it
    "10mb": "python benchmarks/bench.py --corpus 10mb",
    "full": "python benchmarks/bench.py --corpus full",
    "seeds": "python benchmarks/bench.py --corpus seeds",
    "relevance": "python benchmarks/evaluate.py",
    "conflation": "python benchmarks/conflation.py",
    "profile-10mb": "python benchmarks/profile_index.py --corpus 10mb",
    "10mb-index": "python benchmarks/bench.py --corpus 10mb --index-only",
    "full-index": "python benchmarks/bench.py --corpus full --index-only",
    "growth": "python benchmarks/growth.py",
    "10mb-index-before": "python benchmarks/bench.py --corpus 10mb --index-only, at f3b97a4",
    "full-index-before": "python benchmarks/bench.py --corpus full --index-only, at f3b97a4",
    "10mb-index-1-process": ("FRSEARCH_WRITER_PROCESSES=1 python benchmarks/bench.py "
                             "--corpus 10mb --index-only"),
}
CORPUS_NAMES = {
    "10mb": "The first 10 MB of the Littré",
    "full": "The whole Littré",
    "seeds": "The five seed articles",
}
CORPUS_SHORT = {"10mb": "10 MB", "full": "whole-Littré", "seeds": "seeds"}
KIND_NAMES = {
    "plain": "plain",
    "no-accent": "typed without accents",
    "typo": "misspelled",
    "variant": "name variants",
    "question": "questions",
}
SYSTEM_NAMES = {"Whoosh fr": "Whoosh `LanguageAnalyzer('fr')`"}
RELEVANCE_METRICS = ("recall@10", "MRR@10", "nDCG@10", "answered first")
BLOCK = re.compile(r"(<!-- tables:(?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- /tables -->)",
                   re.DOTALL)
INLINE = re.compile(r"(<!-- figure:(?P<name>[\w.-]+) -->)(?P<body>.*?)(<!-- /figure -->)",
                    re.DOTALL)


_loaded: dict[str, dict] = {}


def stored(name: str) -> dict:
    """``benchmarks/results/<name>.json``, or a stop that says how to make it."""
    if name not in _loaded:
        path = RESULTS / f"{name}.json"
        if not path.exists():
            raise SystemExit(f"{path.relative_to(REPOSITORY)} is missing: run "
                             f"{PRODUCERS.get(name, 'the benchmark that writes it')}")
        _loaded[name] = json.loads(path.read_text(encoding="utf-8"))
    return _loaded[name]


def source_line(name: str) -> str:
    """Where the figures of result ``name`` come from, in one sentence."""
    source = stored(name).get("provenance")
    where = f"`benchmarks/results/{name}.json`"
    if not source:
        return f"From {where}, which does not record the commit it ran on."
    commit = f"commit `{source['commit'][:7]}`" if source.get("commit") else "no known commit"
    line = f"Measured at {commit} on {source['date'][:10]}"
    changed = [path for path in source.get("changed", ())
               if path.startswith(("frsearch/", "benchmarks/"))]
    if changed:
        line += (", with uncommitted changes to " + ", ".join(f"`{path}`" for path in changed))
    if source.get("code_changed_during_run"):
        line += " (frsearch's code changed during the run)"
    line += f", by `{source['command']}`; stored in {where}."
    if source.get("note"):
        line += " " + source["note"]
    return line


def _paragraph(text: str) -> str:
    """Wrapped as the README's prose is (a code span may wrap: it renders as one line)."""
    return textwrap.fill(text, width=96, break_long_words=False, break_on_hyphens=False)


def _same_code_as(name: str, other: str) -> str:
    """A warning when two results measured different frsearch code, else ""."""
    ours, theirs = stored(name).get("provenance", {}), stored(other).get("provenance", {})
    code = ("frsearch_tree", "diff_sha256")
    if all(ours.get(key) == theirs.get(key) for key in code):
        return ""
    return (f" frsearch's code then was not that of the {CORPUS_SHORT[other]} run "
            "above: compare the ratios within each table, not figures across tables.")


def _ratio(value: float) -> str:
    """Two significant digits, as the ratios are read."""
    if value >= 10:
        return f"{value:,.0f}×"
    return f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"


def speed_block(name: str, compare_with: str | None = None) -> str:
    result = stored(name)
    corpus, settings = result["corpus"], result["settings"]
    load = result["machine"]
    runs = settings["repeat"]
    cpus = result.get("provenance", {}).get("cpus") or load.get("cpus")
    lines = [_paragraph(
        f"{CORPUS_NAMES.get(name, name)}: {corpus['articles']:,} articles, "
        f"{corpus['passages']:,} passages, {corpus['text_bytes'] / 1e6:,.1f} MB of text; "
        f"{'median of ' + str(runs) + ' runs' if runs > 1 else 'one run'} on {cpus} CPUs, "
        f"load average {load['load_average_before'][0]:.1f} before and "
        f"{load['load_average_after'][0]:.1f} after. The {len(settings['queries'])} queries "
        f"of `benchmarks/queries.py`, top 10 with snippets, each timed {settings['rounds']} "
        f"times after a warm-up. {source_line(name)}"
        + (_same_code_as(name, compare_with) if compare_with else "")), ""]
    header = ["engine", "index MB/s", "passages/s", "query p50 ms", "p95 ms", "index MB",
              "peak RSS indexing MB", "peak RSS querying MB"]
    rows = []
    for engine in result["engines"].values():
        m = engine["median"]
        indexing = f"{m['build_rss_mb']:,.0f}"
        if m["build_tree_mb"] > 1.15 * m["build_rss_mb"]:
            indexing += f" ({m['build_tree_mb']:,.0f} for its processes together)"
        rows.append([engine["label"], f"{m['mb_per_s']:.2f}", f"{m['passages_per_s']:,.0f}",
                     f"{m['p50_ms']:.2f}", f"{m['p95_ms']:.2f}", f"{m['index_mb']:,.1f}",
                     indexing, f"{m['query_rss_mb']:,.0f}"])
    lines += _table(header, rows)
    lines += ["", _paragraph("frsearch ÷ peer (throughput below 1×: frsearch is slower; "
                             "latency, size and memory above 1×: frsearch takes more):"), ""]
    shown = ("mb_per_s", "p50_ms", "p95_ms", "index_mb", "build_rss_mb", "query_rss_mb")
    rows = [[result["engines"][peer]["label"],
             *(_ratio(by[figure]) if figure in by else "–" for figure in shown)]
            for peer, by in result["ratios"].items()]
    lines += _table(["peer", *(RATIOS[figure] for figure in shown)], rows)
    return "\n".join(lines)


def terminal_block(name: str) -> str:
    result = stored(name)
    rows = [[f"`{timing['label']}`", f"{timing['seconds']:.3f}",
             f"{timing['peak_rss_bytes'] / 1e6:.0f}"] for timing in result["terminal"]]
    return "\n".join([
        _paragraph("Whole processes, each the median of its turns (\"this corpus\": the index "
                   f"of the {CORPUS_SHORT[name]} run). {source_line(name)}"), "",
        *_table(["command", "seconds", "peak RSS MB"], rows)])


def profile_block(name: str) -> str:
    result = stored(name)
    rows = [[row["stage"] if row["stage"].startswith(("Whoosh", "zlib", "other"))
             else f"`{row['stage']}`", f"{100 * row['share']:.0f} %"]
            for row in result["stages"] if row["share"] >= 0.005]
    return "\n".join([
        _paragraph(f"{result['passages']:,} passages indexed by one process under cProfile; "
                   "each function's own time goes to its module, the time of built-ins and "
                   f"libraries to the modules that called them. {source_line(name)}"), "",
        *_table(["where", "share of the time"], rows)])


def relevance_block(name: str) -> str:
    systems = stored(name)["systems"]
    lines = [_paragraph(source_line(name)), ""]
    rows = [[SYSTEM_NAMES.get(system, system),
             *(f"{figures['overall'][metric]:.3f}" for metric in RELEVANCE_METRICS)]
            for system, figures in systems.items()]
    lines += _table(["system", *RELEVANCE_METRICS], rows)
    return "\n".join(lines)


def relevance_kinds_block(name: str) -> str:
    systems = stored(name)["systems"]
    queries = next(iter(systems.values()))["queries"]
    rows = [[KIND_NAMES.get(kind, kind), str(sum(q["kind"] == kind for q in queries)),
             *(f"{figures['by_kind'][kind]['nDCG@10']:.3f}" for figures in systems.values())]
            for kind in next(iter(systems.values()))["by_kind"]]
    header = ["kind", "queries", *(SYSTEM_NAMES.get(s, s).split(" `")[0] for s in systems)]
    return "\n".join(_table(header, rows))


def index_block(name: str) -> str:
    """An ``--index-only`` run: each engine's build, and frsearch ÷ each peer."""
    result = stored(name)
    corpus, load = result["corpus"], result["machine"]
    runs = result["settings"]["repeat"]
    processes = result["settings"].get("writer_processes") or "one per CPU"
    lines = [_paragraph(
        f"Indexing only, {corpus['text_bytes'] / 1e6:,.1f} MB of text ({corpus['passages']:,} "
        f"passages); {'median of ' + str(runs) + ' runs' if runs > 1 else 'one run'} on "
        f"{load['cpus']} CPUs, load average {load['load_average_before'][0]:.1f} before and "
        f"{load['load_average_after'][0]:.1f} after; frsearch's writer processes: "
        f"{processes}. {source_line(name)}"), ""]
    rows = [[engine, f"{m['mb_per_s']:.2f}", f"{m['index_seconds']:.2f}",
             f"{m['index_cpu_seconds']:.2f}", f"{m['index_mb']:,.1f}",
             f"{m['build_rss_mb']:,.0f}", f"{m['build_tree_mb']:,.0f}"]
            for engine, m in ((name, e["median"]) for name, e in result["engines"].items())]
    lines += _table(["engine", "MB/s", "seconds", "CPU seconds", "index MB",
                     "peak RSS MB (largest process)", "peak MB (all processes)"], rows)
    for peer, by in result["ratios"].items():
        lines += ["", f"frsearch ÷ {peer}: throughput {_ratio(by['mb_per_s'])}, CPU time "
                      f"{_ratio(by['index_cpu_seconds'])}, index size {_ratio(by['index_mb'])}."]
    return "\n".join(lines)


QUERY_FIGURES = (("p50_ms", "p50 ms"), ("p95_ms", "p95 ms"),
                 ("first_p50_ms", "first run p50 ms"), ("first_p95_ms", "first run p95 ms"))


def query_block(name: str) -> str:
    """A ``--query-only`` run: each engine's latencies on indexes already built,
    for queries asked again (what a search service answers most) and for each
    query's first run, and frsearch's as multiples of each peer's."""
    result = stored(name)
    corpus, load = result["corpus"], result["machine"]
    settings = result["settings"]
    lines = [_paragraph(
        f"Queries only, on indexes of {corpus['text_bytes'] / 1e6:,.1f} MB of text "
        f"({corpus['passages']:,} passages) already built: the "
        f"{len(result['engines']['frsearch']['query_ms'])} queries of "
        f"`benchmarks/queries.py`, top 10 with snippets, engines taking turns; each query once "
        f"(its first run), then {settings['rounds']} timed rounds, median of "
        f"{settings['repeat']} runs, on {load['cpus']} CPUs, load average "
        f"{load['load_average_before'][0]:.1f} before and {load['load_average_after'][0]:.1f} "
        f"after. {source_line(name)}"), ""]
    rows = [[engine, *(f"{m[figure]:.2f}" for figure, _ in QUERY_FIGURES)]
            for engine, m in ((name, e["median"]) for name, e in result["engines"].items())]
    lines += _table(["engine", *(title for _, title in QUERY_FIGURES)], rows)
    for peer, by in result["ratios"].items():
        lines += ["", f"frsearch ÷ {peer}: p50 {_ratio(by['p50_ms'])}, p95 "
                      f"{_ratio(by['p95_ms'])}; first runs: p50 {_ratio(by['first_p50_ms'])}, "
                      f"p95 {_ratio(by['first_p95_ms'])}."]
    return "\n".join(lines)


GROWTH_FIGURES = (("mb_per_s", "index MB/s", "{:.2f}"), ("p50_ms", "p50 ms", "{:.2f}"),
                  ("p95_ms", "p95 ms", "{:.2f}"), ("index_mb", "index MB", "{:,.1f}"),
                  ("peak_mb", "peak MB indexing (all processes)", "{:,.0f}"))


def growth_block(name: str) -> str:
    """``growth.py``'s table: each engine's figures at each corpus size, and
    frsearch's throughput and latency as multiples of FTS5's at that size."""
    result = stored(name)
    labels = result["engines"]
    lines = [_paragraph(
        "The first 1, 10 and 30 MB of the Littré and the whole of it; each engine builds its "
        "index and answers the queries of `benchmarks/queries.py` (top 10 with snippets, "
        f"{result['settings']['rounds']} timed rounds after a warm-up), once per size, on "
        f"{result['machine']['cpus']} CPUs. {source_line(name)}"), ""]
    rows = []
    for size in result["sizes"]:
        for engine, figures in size["engines"].items():
            rows.append([f"{size['text_mb']:,.0f}", labels.get(engine, engine),
                         *(fmt.format(figures[figure]) for figure, _, fmt in GROWTH_FIGURES)])
    lines += _table(["MB of text", "engine", *(title for _, title, _ in GROWTH_FIGURES)], rows)
    ratio_rows = []
    for size in result["sizes"]:
        ours, fts5 = size["engines"].get("frsearch"), size["engines"].get("fts5")
        if ours and fts5:
            ratio_rows.append([f"{size['text_mb']:,.0f}",
                               *(_ratio(ours[figure] / fts5[figure]) if fts5[figure] else "–"
                                 for figure, _, _ in GROWTH_FIGURES)])
    if ratio_rows:
        lines += ["", "frsearch ÷ SQLite FTS5 at each size:", ""]
        lines += _table(["MB of text", *(title for _, title, _ in GROWTH_FIGURES)], ratio_rows)
    return "\n".join(lines)


BLOCKS: dict[str, Callable[[], str]] = {
    "index-10mb": lambda: index_block("10mb-index"),
    "index-full": lambda: index_block("full-index"),
    "index-10mb-before": lambda: index_block("10mb-index-before"),
    "index-10mb-1-process": lambda: index_block("10mb-index-1-process"),
    "index-full-before": lambda: index_block("full-index-before"),
    "growth": lambda: growth_block("growth"),
    "query-10mb-before": lambda: query_block("10mb-query-before"),
    "query-10mb": lambda: query_block("10mb-query"),
    "query-full-before": lambda: query_block("full-query-before"),
    "query-full": lambda: query_block("full-query"),
    "speed-10mb": lambda: speed_block("10mb"),
    "speed-full": lambda: speed_block("full", compare_with="10mb"),
    "terminal-10mb": lambda: terminal_block("10mb"),
    "profile-10mb": lambda: profile_block("profile-10mb"),
    "relevance": lambda: relevance_block("relevance"),
    "relevance-kinds": lambda: relevance_kinds_block("relevance"),
}
FIGURES_IN_PROSE: dict[str, Callable[[], str]] = {
    "stemmer-speedup": lambda: f"{stored('conflation')['stemmers']['speedup']:.0f}",
    "stemmer-forms": lambda: f"{stored('conflation')['stemmers']['forms']:,}",
    "stemmer-differing": lambda: f"{stored('conflation')['stemmers']['differing_stems']:,}",
    "lexicon-forms": lambda: f"{stored('conflation')['lexicon']['forms']:,}",
    "conflation-stem-first": lambda: "{:.1f} %".format(
        100 * stored("conflation")["orders"]["stem_then_fold"]["conflation"]["pair_recall"]),
    "conflation-fold-first": lambda: "{:.1f} %".format(
        100 * stored("conflation")["orders"]["fold_then_stem"]["conflation"]["pair_recall"]),
    "zlib-alone": lambda: "{:.0f} %".format(
        100 * stored("profile-10mb")["compression"]["alone_share"]),
    "zlib-dictionary": lambda: "{:.0f} %".format(
        100 * stored("profile-10mb")["compression"]["with_dictionary_share"]),
    "record-bytes": lambda: "{:.0f}".format(
        stored("profile-10mb")["compression"]["record_bytes_median"]),
    "judged-queries": lambda: str(len(stored("relevance")["systems"]["frsearch"]["queries"])),
}


def regenerate(text: str) -> str:
    """``text`` with every marked table and figure made again from the results."""
    def block(match: re.Match) -> str:
        make = BLOCKS.get(match["name"])
        if make is None:
            raise SystemExit(f"README.md: no table named {match['name']!r} "
                             f"(known: {', '.join(BLOCKS)})")
        return f"{match[1]}{make()}\n{match[4]}"

    def figure(match: re.Match) -> str:
        make = FIGURES_IN_PROSE.get(match["name"])
        if make is None:
            raise SystemExit(f"README.md: no figure named {match['name']!r} "
                             f"(known: {', '.join(FIGURES_IN_PROSE)})")
        return f"{match[1]}{make()}{match[4]}"

    return INLINE.sub(figure, BLOCK.sub(block, text))


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=REPOSITORY, capture_output=True,
                          text=True).stdout.strip()


def stale_results(names: list[str]) -> list[str]:
    """Results whose frsearch code is not the code at HEAD, said in one line each."""
    head_tree = _git("rev-parse", "HEAD:frsearch")
    warnings = []
    for name in names:
        source = stored(name).get("provenance") or {}
        commit = source.get("commit")
        if not commit:
            warnings.append(f"{name}.json: no commit recorded")
        elif source.get("frsearch_tree") != head_tree:
            since = _git("rev-list", "--count", f"{commit}..HEAD", "--", "frsearch")
            warnings.append(f"{name}.json: measured at {commit[:7]}; {since or '?'} commits "
                            "have changed frsearch/ since")
        elif any(path.startswith("frsearch/") for path in source.get("changed", ())):
            warnings.append(f"{name}.json: measured with uncommitted changes to frsearch/")
    return warnings


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Write the README's tables and figures from benchmarks/results/*.json.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--readme", action="store_true",
                        help="rewrite README.md between its <!-- tables:… --> and "
                             "<!-- figure:… --> markers")
    action.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if README.md differs from the results")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    names = [m["name"] for m in BLOCK.finditer(text)] + [m["name"] for m in INLINE.finditer(text)]
    if not names:
        raise SystemExit("README.md has no <!-- tables:… --> or <!-- figure:… --> markers")
    updated = regenerate(text)
    for warning in stale_results(sorted(_loaded)):
        print(f"note: {warning}", file=sys.stderr)
    if args.check:
        if updated != text:
            print("README.md differs from benchmarks/results: run "
                  "python benchmarks/report.py --readme", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        partial = README.with_suffix(".md.tmp")
        partial.write_text(updated, encoding="utf-8")
        partial.replace(README)
    print(f"README.md: {len(names)} tables and figures "
          f"{'rewritten' if updated != text else 'already up to date'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
