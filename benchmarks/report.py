"""From raw runs to figures: medians over repeats, frsearch's ratios, Markdown.

MB are 10⁶ bytes. Query latency: each query's median over its timed rounds,
then the 50th and 95th percentiles over the queries.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

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
