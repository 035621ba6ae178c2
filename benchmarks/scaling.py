"""How frsearch's costs grow with the corpus, extrapolated to 1, 10 and 100 GB of
text, and where a user should move to OpenSearch or Elasticsearch.

    .venv/bin/python benchmarks/scaling.py               # the tables, as Markdown
    .venv/bin/python benchmarks/scaling.py --write-doc   # and into docs/scaling.md

Reads the measured points from ``benchmarks/results/growth.json`` (1, 10, 30
and 102 MB of the Littré, one commit) when it holds three sizes or more, else from ``10mb.json``
and ``full.json`` (two runs of ``bench.py``, which may be of different commits:
the tables say which). Each figure is fitted with a power law, ``y = a·x^b``
(x: MB of text), by least squares on the logarithms: the growth of a search
index is close to a power of its size (linear for bytes and build time,
sublinear for latency, which depends on the postings read), and a straight
line on log-log axes is the fit that extrapolates without inventing curvature
the points do not show. The residuals on the measured points are printed next
to each fit; with two points they are zero by construction, and the tables say
so. The Lucene shard's bytes per byte of text and the ranking comparison come
from ``benchmarks/results/scaling-lucene.json`` (``lucene_scores.py``).

``--write-doc`` replaces the blocks between ``<!-- scaling:NAME -->`` and
``<!-- /scaling:NAME -->`` in ``docs/scaling.md``, so the document's figures are
always this script's. Writes ``benchmarks/results/scaling.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DOC = HERE.parent / "docs" / "scaling.md"

TARGETS_GB = (1, 10, 100)
"""Corpus sizes extrapolated to, in GB of text."""
FIGURES = {  # key in the results: (label, unit)
    "index_seconds": ("build time", "s"),
    "index_mb": ("index size", "MB"),
    "build_tree_mb": ("peak memory while building", "MB"),
    "p50_ms": ("query p50", "ms"),
    "p95_ms": ("query p95", "ms"),
}
ENGINES = {"frsearch": "frsearch", "fts5": "SQLite FTS5", "tantivy": "tantivy"}
MOVE_WHEN = {
    "index_seconds": (3600.0, "a full rebuild (new analysis, synonyms, format) takes over an hour"),
    "p95_ms": (100.0, "one query in twenty takes over 0.1 s, the limit of an answer that feels "
                      "immediate"),
    "build_tree_mb": (4000.0, "building needs over 4 GB of memory, half of a common 8 GB machine"),
}
"""Figure: (threshold, why crossing it is a reason to move)."""
WHY_MOVE = {
    "p95_ms": (
        "**Tail latency.** Phrases and pairs of common words cross 0.1 s first; the p50 "
        "row above shows where a typical query stands. A site where every query must feel "
        "immediate should move here; a newsroom tool used by a few journalists can stay "
        "beyond."),
    "index_seconds": (
        "**Rebuilds.** Adding articles is incremental and stays cheap (a day's news is "
        "seconds of indexing), but a change of analysis (a new synonym list, a new stemmer "
        "override, a format version) means a full rebuild, which then takes hours on one "
        "machine. The engines rebuild in parallel across shards, and an alias switches to "
        "the new index without downtime."),
    "build_tree_mb": (
        "**Memory.** frsearch's writer processes need more memory than a small server has "
        "to spare."),
}
"""What each reason to move means for a user, in the order the fit meets them."""
SHARD_GB = (10.0, 30.0, 50.0)
"""Shard sizes the engines' documentation recommends: 10 to 50 GB, 10 to 30 GB
for search-heavy indexes (docs/scaling.md cites the pages)."""
DOCS_PER_SHARD = 200_000_000
"""Documents per shard above which Elastic's guidance says to split."""


MIN_GROWTH_SIZES = 3
"""Sizes ``growth.json`` must hold to be used (fewer: a trial run, not the curves)."""


@dataclass(frozen=True)
class Point:
    text_mb: float
    figures: dict[str, dict[str, float]]  # engine -> figure -> value
    source: str


@dataclass(frozen=True)
class Fit:
    """``y = a·x^b`` on the points, and each point's residual (measured / fitted − 1)."""

    a: float
    b: float
    residuals: dict[float, float]
    """MB of text → measured / fitted − 1, for each point the fit was made on."""

    def at(self, text_mb: float) -> float:
        return self.a * text_mb ** self.b

    def reaches(self, value: float) -> float:
        """The corpus size (MB of text) at which the fit reaches ``value``."""
        return (value / self.a) ** (1 / self.b) if self.b > 0 else math.inf


def power_fit(points: list[tuple[float, float]]) -> Fit:
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    a = math.exp(mean_y - b * mean_x)
    return Fit(a, b, {x: y / (a * x ** b) - 1 for x, y in points})


def load_points() -> tuple[list[Point], str]:
    """The measured points, smallest first, and where they come from."""
    growth = RESULTS / "growth.json"
    data = json.loads(growth.read_text(encoding="utf-8")) if growth.exists() else {}
    if len(data.get("sizes", ())) >= MIN_GROWTH_SIZES:
        commit = data["provenance"].get("commit") or "?"
        points = [Point(size["text_mb"], size["engines"], f"growth.json @ {commit[:7]}")
                  for size in data["sizes"]]
        plot = RESULTS / "growth.png"
        drawn = "; the curves: ![growth](../benchmarks/results/growth.png)" if plot.exists() else ""
        load = data.get("machine", {})
        loads = " to ".join(f"{load[key][0]:.1f}" for key in
                            ("load_average_before", "load_average_after") if key in load)
        return sorted(points, key=lambda p: p.text_mb), f"`benchmarks/results/growth.json` " \
            f"(one run, commit {commit[:7]}, {data['settings'].get('rounds', '?')} rounds, " \
            f"load average {loads} on {load.get('cpus', '?')} CPUs){drawn}"
    points = []
    for name in ("10mb", "full"):
        data = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        commit = (data["provenance"].get("commit") or "?")[:7]
        points.append(Point(data["corpus"]["text_bytes"] / 1e6,
                            {engine: run["median"] for engine, run in data["engines"].items()},
                            f"{name}.json @ {commit}"))
    return points, ("`benchmarks/results/10mb.json` and `full.json` (two runs of `bench.py`: "
                    + ", ".join(p.source for p in points) + ")")


def fits(points: list[Point]) -> dict[str, dict[str, Fit]]:
    found: dict[str, dict[str, Fit]] = {}
    for engine in ENGINES:
        for figure in FIGURES:
            measured = [(p.text_mb, p.figures[engine][figure]) for p in points
                        if engine in p.figures and p.figures[engine].get(figure)]
            if len(measured) >= 2:
                found.setdefault(engine, {})[figure] = power_fit(measured)
    return found


# -- the tables ------------------------------------------------------------------

def _row(cells) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _amount(value: float, unit: str) -> str:
    if unit == "s":
        if value >= 86400 * 2:
            return f"{value / 86400:.1f} days"
        if value >= 3600:
            return f"{value / 3600:.1f} h"
        if value >= 60:
            return f"{value / 60:.0f} min"
        return f"{value:.1f} s"
    if unit == "MB":
        return f"{value / 1000:.1f} GB" if value >= 1000 else f"{value:.0f} MB"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def measured_table(points: list[Point]) -> str:
    lines = [_row(["corpus (MB of text)", "engine", "MB/s indexed", "build time", "index size",
                   "peak memory building", "p50", "p95", "measured in"]),
             _row(["---"] * 9)]
    for point in points:
        for engine, label in ENGINES.items():
            row = point.figures.get(engine)
            if row is None:
                continue
            lines.append(_row([f"{point.text_mb:.1f}", label, f"{row['mb_per_s']:.2f}",
                               _amount(row["index_seconds"], "s"),
                               _amount(row["index_mb"], "MB"),
                               _amount(row["build_tree_mb"], "MB")
                               if row["build_tree_mb"] else "not sampled",
                               _amount(row["p50_ms"], "ms"), _amount(row["p95_ms"], "ms"),
                               point.source]))
    return "\n".join(lines)


def fit_table(found: dict[str, dict[str, Fit]], points: list[Point]) -> str:
    sizes = " / ".join(f"{p.text_mb:.0f}" for p in points)
    lines = [_row(["engine", "figure", "fit", "exponent b", f"residuals at {sizes} MB"]),
             _row(["---"] * 5)]
    for engine, by_figure in found.items():
        for figure, fit in by_figure.items():
            label, unit = FIGURES[figure]
            residuals = " / ".join(
                f"{fit.residuals[p.text_mb]:+.1%}" if p.text_mb in fit.residuals else "—"
                for p in points)
            if len(fit.residuals) == 2:
                residuals += " (two points: exact by construction)"
            lines.append(_row([ENGINES[engine], label, f"{fit.a:.3g}·x^{fit.b:.2f} {unit}",
                               f"{fit.b:.2f}", residuals]))
    return "\n".join(lines)


def fit_caveat(found: dict[str, dict[str, Fit]], points: list[Point]) -> str:
    """What the residuals say of frsearch's fits."""
    if len(points) < 3:
        return ("With two points the fit passes through both: the residuals are zero and "
                "show nothing. The two runs may also be of different commits (see above), "
                "so frsearch's exponents can mix two versions of the code. "
                "`benchmarks/growth.py` (four sizes, one commit) replaces them when its "
                "`growth.json` is stored.")
    worst = {figure: max(abs(r) for r in fit.residuals.values())
             for figure, fit in found["frsearch"].items()}
    close = [FIGURES[f][0] for f, r in worst.items() if r <= 0.05]
    loose = sorted(((r, FIGURES[f][0]) for f, r in worst.items() if r > 0.05), reverse=True)
    speeds = ", ".join(f"{p.figures['frsearch']['mb_per_s']:.2f}" for p in points)
    parts = []
    if close:
        parts.append(f"The power law fits frsearch's {', '.join(close)} within 5 % at every "
                     "point.")
    if loose:
        listed = "; ".join(f"{label}, up to {r:.0%}" for r, label in loose)
        parts.append(f"The residuals are larger for the timings and memory ({listed}): "
                     "they were measured on a shared machine, and frsearch's indexing "
                     f"speed does not change steadily with size (MB/s: {speeds}). The "
                     "extrapolations of these figures carry at least that uncertainty, "
                     "growing with the distance from the points.")
    return " ".join(parts)


def extrapolation_table(found: dict[str, dict[str, Fit]]) -> str:
    lines = [_row(["engine", "figure", *(f"{gb} GB" for gb in TARGETS_GB)]),
             _row(["---"] * (2 + len(TARGETS_GB)))]
    for engine, by_figure in found.items():
        for figure, fit in by_figure.items():
            label, unit = FIGURES[figure]
            lines.append(_row([ENGINES[engine], label,
                               *(_amount(fit.at(gb * 1000), unit) for gb in TARGETS_GB)]))
    return "\n".join(lines)


def move_table(found: dict[str, dict[str, Fit]]) -> tuple[str, dict[str, float]]:
    lines = [_row(["reason to move", "threshold", "frsearch's fit crosses it at"]),
             _row(["---"] * 3)]
    crossings = {}
    for figure, (threshold, why) in MOVE_WHEN.items():
        fit = found["frsearch"][figure]
        crossing = crossings[figure] = fit.reaches(threshold)
        beyond = " (further than these fits reach)" if _beyond_fits(crossing) else ""
        lines.append(_row([why, _amount(threshold, FIGURES[figure][1]),
                           f"{_size(crossing)} of text{beyond}"]))
    return "\n".join(lines), crossings


def _size(text_mb: float) -> str:
    """A size of text; past the largest extrapolated (``TARGETS_GB``), only that it is:
    a power law fitted from 1 to 102 MB says nothing of a thousand times more."""
    if _beyond_fits(text_mb):
        return f"more than {max(TARGETS_GB)} GB"
    return f"{text_mb / 1000:.1f} GB" if text_mb >= 1000 else f"{text_mb:.0f} MB"


def _beyond_fits(text_mb: float) -> bool:
    return text_mb > max(TARGETS_GB) * 1000


def _from(text_mb: float) -> str:
    if _beyond_fits(text_mb):
        return f"Past {max(TARGETS_GB)} GB of text, further than these fits reach"
    return f"From about {_size(text_mb)} of text"


def move_reasons(crossings: dict[str, float]) -> str:
    """The reasons to move as a numbered list, first met first, and the verdict."""
    ordered = sorted(crossings, key=crossings.__getitem__)
    lines = [f"{number}. {_from(crossings[figure])}: {WHY_MOVE[figure]}"
             for number, figure in enumerate(ordered, start=1)]
    lines.append(
        f"{len(ordered) + 1}. At any size: **one writer, one copy, one machine.** frsearch "
        "allows one writer at a time (others wait for its lock); its index lives on one disk "
        "and is served by one machine's cores. If several ingest pipelines must write at "
        "once, if the search must survive a dead disk or node (replicas), or if the query "
        "load needs more than one machine's cores, move whatever the size.")
    first, last = crossings[ordered[0]], crossings[ordered[-1]]
    lines += ["", "In short:", "",
              f"* **Up to about {_size(first)} of text**, stay local: it costs nothing to "
              "run, and the ranking is frsearch's own.",
              f"* **From {_size(first)} on**, frsearch still works, but past one threshold "
              "after another: move if that one matters to you."]
    if last <= max(TARGETS_GB) * 1000:
        lines.append(f"* **Beyond about {_size(last)}**, move.")
    return "\n".join(lines)


def shard_table(lucene: dict) -> tuple[str, list[dict]]:
    size = lucene["shard_size"]
    ratio = size["shard_bytes"] / size["text_bytes"]
    passages_per_byte = size["passages"] / size["text_bytes"]
    rate = size["text_bytes"] / 1e6 / size["lucene_index_seconds"]  # MB/s, one core
    lines = [_row(["text", f"primary data (× {ratio:.2f})", "passages",
                   "primary shards", "per shard", "replicas", "shard copies",
                   "data nodes", f"Lucene build at {rate:.2f} MB/s per core"]),
             _row(["---"] * 9)]
    plans = []
    for gb in TARGETS_GB:
        primary_gb = gb * ratio
        passages = gb * 1e9 * passages_per_byte
        by_size = math.ceil(primary_gb / SHARD_GB[1])  # search-heavy: at most 30 GB a shard
        by_docs = math.ceil(passages / DOCS_PER_SHARD)
        shards = max(1, by_size, by_docs)
        if shards > 1:
            shards = math.ceil(shards / 3) * 3  # spread evenly over three data nodes
        replicas = 1
        nodes = 2 if shards == 1 else 3
        plans.append({"text_gb": gb, "primary_gb": round(primary_gb, 1),
                      "passages": round(passages), "shards": shards, "replicas": replicas,
                      "nodes": nodes})
        lines.append(_row([f"{gb} GB", f"{primary_gb:.1f} GB", f"{passages / 1e6:.0f} M",
                           shards, f"{primary_gb / shards:.1f} GB, "
                           f"{passages / shards / 1e6:.0f} M passages",
                           replicas, shards * (1 + replicas), nodes,
                           f"{_amount(gb * 1000 / rate, 's')} on one core, "
                           f"{_amount(gb * 1000 / rate / shards, 's')} with one core a shard"]))
    return "\n".join(lines), plans


def ranking_table(lucene: dict) -> str:
    names = {"translated": "frsearch's DSL (`connect_opensearch`)",
             "no_context": "the DSL without the headline/heading clauses",
             "no_proximity": "the DSL without the proximity `match_phrase`",
             "match": "a plain `match` on the text"}
    lines = [_row(["collection", "ranking", "MRR@10", "nDCG@10", "top-10 overlap with frsearch",
                   "same first hit", "Kendall τ (shared hits)"]),
             _row(["---"] * 7)]
    for name, collection in lucene["collections"].items():
        label = (f"{name} ({collection['queries']} queries, "
                 f"{collection['passages']:,} passages)")
        mine = collection["frsearch"]
        lines.append(_row([label, "frsearch (reference)", f"{mine['MRR@10']:.3f}",
                           f"{mine['nDCG@10']:.3f}", "—", "—", "—"]))
        for variant, row in collection["variants"].items():
            lines.append(_row(["", names.get(variant, variant), f"{row['MRR@10']:.3f}",
                               f"{row['nDCG@10']:.3f}", f"{row['overlap@10']:.0%}",
                               f"{row['same_first']:.0%}",
                               "—" if row["kendall_tau"] is None
                               else f"{row['kendall_tau']:.2f}"]))
    return "\n".join(lines)


def kind_table(lucene: dict, collection: str = "debian-dev") -> str:
    lines = [_row(["kind", "queries", "frsearch MRR / nDCG", "engine (DSL) MRR / nDCG",
                   "overlap"]),
             _row(["---"] * 5)]
    for kind, row in lucene["collections"][collection]["by_kind"].items():
        mine, dsl = row["frsearch"], row["variants"]["translated"]
        lines.append(_row([kind, row["queries"], f"{mine['MRR@10']:.3f} / {mine['nDCG@10']:.3f}",
                           f"{dsl['MRR@10']:.3f} / {dsl['nDCG@10']:.3f}",
                           f"{dsl['overlap@10']:.0%}"]))
    return "\n".join(lines)


def matched_table(lucene: dict) -> str:
    """Queries whose translation matches as many passages as frsearch's search, by kind."""
    kinds = sorted({kind for collection in lucene["collections"].values()
                    for kind in collection["matched"]["by_kind"]})
    lines = [_row(["collection", "all", *kinds]), _row(["---"] * (2 + len(kinds)))]
    for name, collection in lucene["collections"].items():
        matched = collection["matched"]
        cells = []
        for kind in kinds:
            same, count = matched["by_kind"].get(kind, (None, None))
            cells.append("—" if count is None else f"{same}/{count}")
        lines.append(_row([name, f"{matched['same_count']}/{matched['queries']}", *cells]))
    return "\n".join(lines)


def lucene_shard_line(lucene: dict) -> str:
    size = lucene["shard_size"]
    return (f"{size['corpus']} of the Littré ({size['text_bytes'] / 1e6:.1f} MB of text, "
            f"{size['passages']:,} passages): bulk files {size['bulk_bytes'] / 1e6:.1f} MB, "
            f"Lucene shard {size['shard_bytes'] / 1e6:.1f} MB "
            f"(× {size['shard_bytes'] / size['text_bytes']:.2f} the text), built in "
            f"{size['lucene_index_seconds']:.1f} s on one core "
            f"({size['text_bytes'] / 1e6 / size['lucene_index_seconds']:.2f} MB/s; fastest of "
            f"{len(size.get('lucene_index_seconds_each_run', [1]))} builds, the machine's load "
            f"average {size.get('load_average_before', ['?'])[0]:.1f} on "
            f"{lucene['provenance']['cpus']} CPUs: an upper bound)")


def parity_line() -> str:
    """What ``export_parity.py`` measured: the analysis carried over."""
    parity = json.loads((RESULTS / "export_parity.json").read_text(encoding="utf-8"))
    exported, bare = parity["exported"], parity["no_word_overrides"]
    return (f"On 10 MB of the Littré, Lucene's own filters built from `index.json` give "
            f"{exported['same_terms_and_positions']:,} of {exported['passages']:,} passages "
            f"({exported['share_same_terms_and_positions']:.2%}) the same terms at the same "
            f"positions as `frsearch.analyze` ({bare['share_same_terms_and_positions']:.2%} "
            f"without the export's {exported['overrides']:,} word overrides; measured at "
            f"{parity['commit']}, `benchmarks/results/export_parity.json`)")


def write_doc(blocks: dict[str, str]) -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, content in blocks.items():
        pattern = re.compile(rf"(<!-- scaling:{name} -->\n).*?(<!-- /scaling:{name} -->)",
                             re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"docs/scaling.md has no block scaling:{name}")
        text = pattern.sub(lambda m, c=content: m.group(1) + c + "\n" + m.group(2), text)
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-doc", action="store_true",
                        help="replace the generated blocks of docs/scaling.md")
    args = parser.parse_args()
    points, source = load_points()
    found = fits(points)
    lucene = json.loads((RESULTS / "scaling-lucene.json").read_text(encoding="utf-8"))
    move, crossings = move_table(found)
    shards, plans = shard_table(lucene)
    blocks = {
        "source": f"Measured points: {source}.",
        "measured": measured_table(points),
        "fits": fit_table(found, points),
        "fit-caveat": fit_caveat(found, points),
        "extrapolated": extrapolation_table(found),
        "move": move,
        "move-reasons": move_reasons(crossings),
        "lucene-shard": lucene_shard_line(lucene),
        "parity": parity_line(),
        "shards": shards,
        "ranking": ranking_table(lucene),
        "matched": matched_table(lucene),
        "kinds": kind_table(lucene),
    }
    for name, content in blocks.items():
        print(f"<!-- {name} -->\n{content}\n")
    document = {
        "source": source,
        "points": [{"text_mb": p.text_mb, "source": p.source} for p in points],
        "fits": {engine: {figure: {"a": fit.a, "b": fit.b,
                                   "residuals": {str(x): r for x, r in fit.residuals.items()},
                                   "extrapolated": {f"{gb}GB": fit.at(gb * 1000)
                                                    for gb in TARGETS_GB}}
                          for figure, fit in by_figure.items()}
                 for engine, by_figure in found.items()},
        "move_at_text_mb": crossings,
        "shard_plans": plans,
    }
    (RESULTS / "scaling.json").write_text(json.dumps(document, indent=1) + "\n",
                                          encoding="utf-8")
    if args.write_doc:
        write_doc(blocks)
        print("docs/scaling.md updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
