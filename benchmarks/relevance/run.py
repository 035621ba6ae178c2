"""Relevance on the Debian French corpus: frsearch and its peers, on the judged queries.

Run from the repository root::

    .venv/bin/python benchmarks/relevance/run.py                 # the dev half
    .venv/bin/python benchmarks/relevance/run.py --heldout   # the held-out half: once, at the end
    .venv/bin/python benchmarks/relevance/run.py --engines frsearch,lucene

Prints Markdown tables (overall and by kind of query, each query as written and
typed without accents) and writes ``benchmarks/relevance/results-dev.json``
(``results-heldout.json``). The corpus is built on first use
(``build_corpus.py``); so are the peers that need it (``systems.py``). A peer
that cannot run is named with the reason, and the run goes on without it.

The figures (``metrics``) look at each system's top 10. The noise estimate is
a paired bootstrap over queries: the 95 % interval of frsearch's mean minus the
best peer's, overall and for each kind (the best peer of that kind).

Synonyms: a query holding a variant of one of frsearch's built-in synonym groups
(``frsearch.synonyms``) is also run by the peers with the other variants added,
and both rows are shown; when no query holds one, the run says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import judgments  # noqa: E402
from build_corpus import corpus_path  # noqa: E402
from metrics import DEPTH, judged_share, ndcg, paired_bootstrap, reciprocal_rank  # noqa: E402
from passages import read_passages  # noqa: E402
from systems import NAMES, PEERS, Query, Ranking, Unavailable, make_system  # noqa: E402
from unidecode import unidecode  # noqa: E402

SPELLINGS = ("as written", "unaccented")
METRICS = ("MRR@10", "nDCG@10")
FETCH = 20
"""Each system's ranking is kept to 20, so that judging can pool deeper than the figures look."""


def results_path(split: str) -> Path:
    return HERE / f"results-{split}.json"


def spelled(text: str, spelling: str) -> str:
    """The query as typed with that spelling: unaccented is what unidecode makes of it."""
    return unidecode(text) if spelling == "unaccented" else text


def query_id(query_id_: str, spelling: str) -> str:
    return f"{query_id_}|{spelling}"


# -- synonyms for the peers ------------------------------------------------------


def _builtin_groups() -> list[list[str]]:
    from frsearch.synonyms import BUILTIN_GROUPS

    groups = []
    for line in BUILTIN_GROUPS.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            groups.append([variant.strip() for variant in line.split(",") if variant.strip()])
    return groups


def with_synonyms(text: str, groups: list[list[str]]) -> str:
    """``text`` with the other variants of each built-in group it holds added
    (several words as a quoted phrase), compared after frsearch's analysis, as
    frsearch compares them."""
    from frsearch import analyze

    terms = analyze(text)
    added = []
    for group in groups:
        analysed = [tuple(analyze(variant)) for variant in group]
        present = [variant for variant, seq in zip(group, analysed, strict=True) if seq and any(
            tuple(terms[i:i + len(seq)]) == seq for i in range(len(terms) - len(seq) + 1))]
        if present:
            added += [f'"{v}"' if " " in v else v for v in group if v not in present]
    return " ".join([text, *added]) if added else text


# -- running ----------------------------------------------------------------------


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_systems(names: Sequence[str], queries: Sequence[Query], corpus: Path,
                depth: int = FETCH, log=_stderr) -> tuple[dict[str, Ranking], dict[str, str],
                                                        dict[str, float]]:
    """Each available system's ranking of ``queries``; the skipped ones with
    their reason; the seconds each took (indexing included)."""
    passages = read_passages(corpus)
    rankings, skipped, seconds = {}, {}, {}
    for name in names:
        system = make_system(name, corpus)
        start = time.perf_counter()
        try:
            system.prepare()
        except Unavailable as error:
            skipped[name] = str(error)
            log(f"skipped {name}: {error}")
            continue
        rankings[name] = system.rank(passages, queries, depth)
        seconds[name] = time.perf_counter() - start
        log(f"ran {name} in {seconds[name]:.1f} s")
    return rankings, skipped, seconds


def _figures(ranking: Ranking, queries: Sequence[judgments.Judged], spelling: str) -> list[dict]:
    rows = []
    for query in queries:
        ranked = ranking.get(query_id(query.id, spelling), [])
        rows.append({"id": query.id, "kind": query.kind,
                     "MRR@10": reciprocal_rank(ranked, query.grades),
                     "nDCG@10": ndcg(ranked, query.grades),
                     "judged@10": judged_share(ranked, query.grades),
                     "top": ranked[:DEPTH]})
    return rows


def _mean(rows: Sequence[dict], metric: str) -> float:
    return sum(row[metric] for row in rows) / len(rows) if rows else 0.0


def summarise(rows: Sequence[dict]) -> dict:
    return {
        "overall": {m: round(_mean(rows, m), 4) for m in (*METRICS, "judged@10")},
        "by_kind": {kind: {m: round(_mean([r for r in rows if r["kind"] == kind], m), 4)
                           for m in METRICS} for kind in judgments.KINDS},
    }


def noise(per_query: dict[str, dict[str, list[dict]]], spelling: str) -> dict:
    """frsearch minus the best peer, bootstrapped, overall and by kind, for each metric."""
    peers = [name for name in per_query if name != "frsearch" and not name.endswith("+syn")]
    if "frsearch" not in per_query or not peers:
        return {}
    result: dict = {}
    for metric in METRICS:
        entries = {}
        for kind in (None, *judgments.KINDS):
            def values(name: str, kind: str | None = kind, metric: str = metric) -> list[float]:
                return [row[metric] for row in per_query[name][spelling]
                        if kind is None or row["kind"] == kind]

            best = max(peers, key=lambda name: sum(values(name)))
            interval = paired_bootstrap(values("frsearch"), values(best))
            entries[kind or "overall"] = {"best peer": best, "difference": round(interval.mean, 4),
                                          "low": round(interval.low, 4),
                                          "high": round(interval.high, 4),
                                          "verdict": interval.verdict(),
                                          "queries": interval.queries}
        result[metric] = entries
    return result


def evaluate(heldout: bool = False, engines: Sequence[str] | None = None,
             log=_stderr) -> dict:
    """Run the split and return the results document (also what ``results-*.json`` holds).

    This is the one call ``benchmarks/evaluate.py`` needs: ``markdown(evaluate())``.
    """
    split = "heldout" if heldout else "dev"
    corpus = corpus_path()
    everything = [q for q in judgments.load() if q.split == split]
    unjudged = [q.id for q in everything if not q.relevant]
    queries = [q for q in everything if q.relevant]
    names = list(engines or NAMES)
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise SystemExit(f"unknown engine {unknown[0]!r}; choose among {', '.join(NAMES)}")
    groups = _builtin_groups()
    runs = [Query(query_id(q.id, s), spelled(q.query, s)) for q in queries for s in SPELLINGS]
    rankings, skipped, seconds = run_systems(names, runs, corpus, log=log)
    expanded = [run for run in runs if with_synonyms(run.text, groups) != run.text]
    if expanded:
        extra = [Query(run.qid, with_synonyms(run.text, groups)) for run in runs]
        peers = [name for name in names if name in PEERS and name in rankings]
        more, _, more_seconds = run_systems(peers, extra, corpus, log=log)
        for name, ranking in more.items():
            rankings[f"{name}+syn"] = ranking
            seconds[f"{name}+syn"] = more_seconds[name]
    per_query = {name: {s: _figures(ranking, queries, s) for s in SPELLINGS}
                 for name, ranking in rankings.items()}
    return {
        "split": split,
        "depth": DEPTH,
        "corpus": {"path": str(corpus.relative_to(HERE.parents[1])),
                   "sha256": hashlib.sha256(corpus.read_bytes()).hexdigest(),
                   "passages": len(read_passages(corpus))},
        "queries": len(queries),
        "queries by kind": {kind: sum(q.kind == kind for q in queries)
                            for kind in judgments.KINDS},
        "left out (no relevant passage judged)": unjudged,
        "synonyms": (f"{len(expanded)} query spellings hold a built-in synonym: peers also "
                     "run with the other variants added (rows +syn)") if expanded else
                    "no query holds a variant of a built-in synonym group: no expansion to give",
        "skipped": skipped,
        "seconds": {name: round(value, 1) for name, value in seconds.items()},
        "labels": {name: make_system(name.removesuffix("+syn"), corpus).label +
                   (" + synonyms" if name.endswith("+syn") else "") for name in rankings},
        "systems": {name: {s: summarise(rows) for s, rows in spellings.items()}
                    for name, spellings in per_query.items()},
        "noise": {s: noise(per_query, s) for s in SPELLINGS},
        "per_query": per_query,
        "query_text": {q.id: q.query for q in queries},
    }


# -- the report ---------------------------------------------------------------------


def _row(cells) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def markdown(document: dict, lost: int = 10) -> str:
    systems = document["systems"]
    labels = document["labels"]
    lines = [f"## Relevance on the Debian French corpus: {document['split']} split, "
             f"{document['queries']} queries, {document['corpus']['passages']:,} passages "
             f"(top {document['depth']})", ""]
    for name, reason in document["skipped"].items():
        lines.append(f"- skipped **{name}**: {reason}")
    lines.append(f"- synonyms: {document['synonyms']}")
    if document["left out (no relevant passage judged)"]:
        lines.append("- left out, no relevant passage judged: "
                     + ", ".join(document["left out (no relevant passage judged)"]))
    lines += ["", _row(["system", *(f"{m} {s}" for s in SPELLINGS for m in METRICS),
                        "judged@10", "seconds"]),
              _row(["---"] + ["---:"] * (len(SPELLINGS) * len(METRICS) + 2))]
    for name, figures in systems.items():
        cells = [f"{figures[s]['overall'][m]:.3f}" for s in SPELLINGS for m in METRICS]
        lines.append(_row([labels[name], *cells,
                           f"{figures['as written']['overall']['judged@10']:.2f}",
                           document["seconds"].get(name, "")]))
    for spelling in SPELLINGS:
        for metric in METRICS:
            lines += ["", f"### {metric} by kind, {spelling}", "",
                      _row(["kind", "queries", *(labels[name] for name in systems)]),
                      _row(["---", "---:"] + ["---:"] * len(systems))]
            for kind in judgments.KINDS:
                values = {name: figures[spelling]["by_kind"][kind][metric]
                          for name, figures in systems.items()}
                top = max(values.values())
                cells = [f"**{v:.3f}**" if v == top else f"{v:.3f}" for v in values.values()]
                lines.append(_row([kind, document["queries by kind"][kind], *cells]))
    for spelling, by_metric in document["noise"].items():
        if not by_metric:
            continue
        lines += ["", f"### Noise: frsearch minus the best peer, {spelling} "
                  "(paired bootstrap over queries, 1,000 resamples, 95 % interval)", "",
                  _row(["metric", "kind", "best peer", "difference", "95 % interval", "verdict"]),
                  _row(["---", "---", "---", "---:", "---", "---"])]
        for metric, entries in by_metric.items():
            for kind, entry in entries.items():
                lines.append(_row([metric, kind, labels[entry["best peer"]],
                                   f"{entry['difference']:+.3f}",
                                   f"[{entry['low']:+.3f}, {entry['high']:+.3f}]",
                                   entry["verdict"]]))
    lines += _lost_queries(document, lost)
    return "\n".join(lines)


def _lost_queries(document: dict, count: int) -> list[str]:
    """Queries where a peer's nDCG@10 beats frsearch's by the most (as written)."""
    per_query = document["per_query"]
    if "frsearch" not in per_query:
        return []
    ours = {row["id"]: row for row in per_query["frsearch"]["as written"]}
    gaps = []
    for name, spellings in per_query.items():
        if name == "frsearch":
            continue
        for row in spellings["as written"]:
            gap = row["nDCG@10"] - ours[row["id"]]["nDCG@10"]
            if gap > 0:
                gaps.append((gap, row["id"], name, row))
    best: dict[str, tuple] = {}
    for gap, qid, name, row in sorted(gaps, reverse=True):
        best.setdefault(qid, (gap, name, row))
    worst = sorted(best.items(), key=lambda item: -item[1][0])[:count]
    if not worst:
        return []
    lines = ["", f"### Queries frsearch loses most (nDCG@10 as written, {len(best)} lost "
             "to some peer)", "",
             _row(["query", "kind", "frsearch", "best peer", "peer's", "frsearch's top 3"]),
             _row(["---", "---", "---:", "---", "---:", "---"])]
    for qid, (_gap, name, row) in worst:
        lines.append(_row([f"`{document['query_text'][qid]}`", row["kind"],
                           f"{ours[qid]['nDCG@10']:.3f}", document["labels"][name],
                           f"{row['nDCG@10']:.3f}", ", ".join(ours[qid]["top"][:3])]))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--heldout", action="store_true",
                        help="run the held-out half (once, at the end) instead of dev")
    parser.add_argument("--engines", type=lambda text: [n for n in text.replace(",", " ").split()
                                                        if n],
                        help=f"comma-separated, among {', '.join(NAMES)} (default: all)")
    args = parser.parse_args(argv)
    document = evaluate(args.heldout, args.engines)
    print(markdown(document))
    target = results_path(document["split"])
    target.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")
    print(f"\nwrote {target.relative_to(HERE.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
