"""Relevance of frsearch on judged French queries, next to two baselines.

Run from the repository root: ``.venv/bin/python benchmarks/evaluate.py``.
Prints Markdown tables and writes ``benchmarks/results/relevance.json`` (with the
commit it ran on: see ``measure.provenance``), from which
``benchmarks/report.py --readme`` writes the README's relevance tables.

The judgments (``benchmarks/judgments.json``)
---------------------------------------------
Every query was judged against all 46 passages of the five seed articles, read
one by one: grades come from the text, not from what any system returned. Each
query carries a ``need`` that says what the reader is after; the grades follow it:

* 2: the passage answers the need itself (for a name or a topic: the passage
  says something about it, the thing acts or speaks in it);
* 1: relevant but partial: the same topic without the answer, the thing named
  in passing or only as a place, a section heading that names the topic, the
  same event under another name (an "attaque" for "invasion");
* not listed: 0.

Queries that only differ by their spelling (``Genève``, ``geneve``, ``Genèv``)
share one set of judgments, so the kinds can be compared. The kinds are
``plain`` (as a careful reader types), ``no-accent``, ``typo``, ``variant``
(another spelling or name: ``Kyiv``, ``NATO``, ``Putin``, ``13 000``) and
``question`` (a whole question in French).

The figures (top 10 results of each query, means over queries)
----------------------------------------------------------------
* recall@10: judged passages (grade 1 or 2) among the top 10, divided by
  ``min(10, judged passages)`` so that a query with more than ten can reach 1;
* MRR@10: 1 / rank of the first judged passage (0 if none in the top 10);
* nDCG@10: gain ``2**grade - 1`` (3 for an answer, 1 for a partial one),
  discount ``log2(rank + 1)``, divided by the best ordering of the judgments;
* answered first: share of queries whose top hit has grade 2.

The systems
-----------
* frsearch, over an index built on disk in a temporary folder;
* SQLite FTS5 (standard library), ``unicode61 remove_diacritics 2``, BM25 order,
  the query's words OR-ed together (everything else stripped, so that any
  string is a valid query);
* plain Whoosh, ``LanguageAnalyzer('fr')``, its default ``QueryParser`` with
  ``OrGroup``.

The baselines index each passage's own text only; frsearch also uses the
headline and section heading as context (its own design).
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from whoosh import fields
from whoosh.analysis import LanguageAnalyzer
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import OrGroup, QueryParser

import frsearch

BENCHMARKS = Path(__file__).resolve().parent
JUDGMENTS = BENCHMARKS / "judgments.json"
RESULTS = BENCHMARKS / "results" / "relevance.json"

DEPTH = 10
"""Every figure looks at the top 10 results, a first page of hits."""
KINDS = ("plain", "no-accent", "typo", "variant", "question")
METRICS = ("recall@10", "MRR@10", "nDCG@10", "answered first")

Search = Callable[[str], list[str]]
"""A system under test: a query in, passage ids out, best first."""


@dataclass(frozen=True, slots=True)
class Judgment:
    """One query, what the reader wants, and the grade of each passage that helps."""

    query: str
    kind: str
    need: str
    relevant: dict[str, int]


@dataclass(frozen=True, slots=True)
class QueryScores:
    """The figures of one system on one query, with what it returned."""

    query: str
    kind: str
    recall: float
    reciprocal_rank: float
    ndcg: float
    answered_first: bool
    top: list[str]

    def figures(self) -> dict[str, float]:
        return {
            "recall@10": self.recall,
            "MRR@10": self.reciprocal_rank,
            "nDCG@10": self.ndcg,
            "answered first": float(self.answered_first),
        }


def load_judgments(path: Path = JUDGMENTS) -> list[Judgment]:
    """The judged queries; raises ValueError on a malformed entry, so that a
    typo in the file fails loudly instead of silently scoring zero."""
    judgments = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        kind = entry["kind"]
        if kind not in KINDS:
            raise ValueError(f"{entry['query']!r}: unknown kind {kind!r}")
        grades = {str(pid): int(grade) for pid, grade in entry["relevant"].items()}
        if not grades or any(grade not in (1, 2) for grade in grades.values()):
            raise ValueError(f"{entry['query']!r}: grades must be 1 or 2, at least one")
        judgments.append(Judgment(entry["query"], kind, entry.get("need", ""), grades))
    return judgments


def seed_passages() -> dict[str, str]:
    """Passage id → text, split exactly as frsearch splits the seed articles,
    so that every system sees the same passages under the same ids."""
    return {
        f"{article.id}:{passage.number}": passage.text
        for article in frsearch.read_articles([frsearch.seeds_dir()])
        for passage in article.passages
    }


# -- the systems -------------------------------------------------------------


def evaluate_frsearch(index_dir: Path, judgments: Sequence[Judgment]) -> list[QueryScores]:
    """frsearch's scores on ``judgments``, over a fresh index of the seeds built
    on disk in ``index_dir`` (the path the CLI and library users take)."""
    with frsearch.open_index(index_dir, create=True) as index:
        index.add([frsearch.seeds_dir()])

        def search(query: str) -> list[str]:
            result = index.search(query, limit=DEPTH, collapse=False)
            return [hit.passage_id for hit in result.hits]

        return run_queries(search, judgments)


_FTS5_WORD = re.compile(r"\w+")


def fts5_match(query: str) -> str | None:
    """An FTS5 MATCH expression: each word quoted (so ``AND``, ``NEAR``, ``-`` or
    ``*`` typed by a user are plain text), OR-ed; None if there is no word."""
    words = _FTS5_WORD.findall(query)
    return " OR ".join(f'"{word}"' for word in words) or None


def fts5_search(passages: dict[str, str]) -> Search:
    """SQLite FTS5 with accent folding and BM25, in memory."""
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE passages USING fts5("
        "passage_id UNINDEXED, text, tokenize='unicode61 remove_diacritics 2')"
    )
    db.executemany("INSERT INTO passages VALUES (?, ?)", passages.items())

    def search(query: str) -> list[str]:
        match = fts5_match(query)
        if match is None:
            return []
        rows = db.execute(
            "SELECT passage_id FROM passages WHERE passages MATCH ? "
            "ORDER BY bm25(passages) LIMIT ?",
            (match, DEPTH),
        )
        return [passage_id for (passage_id,) in rows]

    return search


def whoosh_search(passages: dict[str, str]) -> Search:
    """Whoosh as it comes: its French analyzer and query parser, in memory."""
    schema = fields.Schema(
        passage_id=fields.ID(stored=True),
        text=fields.TEXT(analyzer=LanguageAnalyzer("fr")),
    )
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        for passage_id, text in passages.items():
            writer.add_document(passage_id=passage_id, text=text)
    searcher = index.searcher()
    parser = QueryParser("text", schema, group=OrGroup)

    def search(query: str) -> list[str]:
        hits = searcher.search(parser.parse(query), limit=DEPTH)
        return [hit["passage_id"] for hit in hits]

    return search


# -- the figures -------------------------------------------------------------


def recall_at(ranked: Sequence[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    found = sum(1 for pid in ranked[:depth] if pid in grades)
    return found / min(depth, len(grades))


def reciprocal_rank(ranked: Sequence[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    for rank, pid in enumerate(ranked[:depth], start=1):
        if pid in grades:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    def dcg(levels: Iterable[int]) -> float:
        return sum((2**level - 1) / math.log2(rank + 1)
                   for rank, level in enumerate(levels, start=1))

    ideal = dcg(sorted(grades.values(), reverse=True)[:depth])
    return dcg(grades.get(pid, 0) for pid in ranked[:depth]) / ideal


def score_query(judgment: Judgment, ranked: Sequence[str]) -> QueryScores:
    grades = judgment.relevant
    return QueryScores(
        query=judgment.query,
        kind=judgment.kind,
        recall=recall_at(ranked, grades),
        reciprocal_rank=reciprocal_rank(ranked, grades),
        ndcg=ndcg_at(ranked, grades),
        answered_first=bool(ranked) and grades.get(ranked[0], 0) == 2,
        top=list(ranked[:DEPTH]),
    )


def run_queries(search: Search, judgments: Iterable[Judgment]) -> list[QueryScores]:
    return [score_query(judgment, search(judgment.query)) for judgment in judgments]


def mean_figures(scores: Sequence[QueryScores]) -> dict[str, float]:
    """Each figure's mean over ``scores`` (all zeros for no query)."""
    if not scores:
        return dict.fromkeys(METRICS, 0.0)
    return {
        metric: sum(score.figures()[metric] for score in scores) / len(scores)
        for metric in METRICS
    }


def by_kind(scores: Sequence[QueryScores]) -> dict[str, dict[str, float]]:
    return {kind: mean_figures([s for s in scores if s.kind == kind]) for kind in KINDS}


# -- the report --------------------------------------------------------------


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_report(results: dict[str, list[QueryScores]], worst: int = 12) -> str:
    """Overall and per-kind tables, then the queries frsearch ranks worst."""
    count = len(next(iter(results.values())))
    lines = [f"## Relevance over {count} judged queries (top {DEPTH})", "",
             _row(["system", *METRICS]), _row(["---"] + ["---:"] * len(METRICS))]
    for system, scores in results.items():
        figures = mean_figures(scores)
        lines.append(_row([system, *(f"{figures[m]:.3f}" for m in METRICS)]))
    lines += ["", "### By kind of query", "",
              _row(["kind", "queries", "system", *METRICS]),
              _row(["---", "---:", "---"] + ["---:"] * len(METRICS))]
    for kind in KINDS:
        for system, scores in results.items():
            of_kind = [s for s in scores if s.kind == kind]
            figures = mean_figures(of_kind)
            lines.append(_row([kind, str(len(of_kind)), system,
                               *(f"{figures[m]:.3f}" for m in METRICS)]))
    if "frsearch" in results:
        lines += ["", "### Queries frsearch ranks worst (lowest nDCG@10)", "",
                  _row(["query", "kind", "nDCG@10", "MRR@10", "recall@10"]),
                  _row(["---", "---", "---:", "---:", "---:"])]
        ranked = sorted(results["frsearch"], key=lambda s: (s.ndcg, s.reciprocal_rank))
        for score in ranked[:worst]:
            lines.append(_row([f"`{score.query}`", score.kind, f"{score.ndcg:.3f}",
                               f"{score.reciprocal_rank:.3f}", f"{score.recall:.3f}"]))
    return "\n".join(lines)


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {metric: round(value, 4) for metric, value in figures.items()}


def results_document(results: dict[str, list[QueryScores]]) -> dict:
    return {
        "depth": DEPTH,
        "judgments": str(JUDGMENTS.relative_to(BENCHMARKS.parent)),
        "figures": {
            "recall@10": "judged passages in the top 10 / min(10, judged passages)",
            "MRR@10": "1 / rank of the first passage of grade >= 1",
            "nDCG@10": "gain 2**grade - 1, log2(rank + 1) discount",
            "answered first": "share of queries whose top hit has grade 2",
        },
        "systems": {
            system: {
                "overall": _rounded(mean_figures(scores)),
                "by_kind": {kind: _rounded(figures)
                            for kind, figures in by_kind(scores).items()},
                "queries": [asdict(score) for score in scores],
            }
            for system, scores in results.items()
        },
    }


def debian_relevance(heldout: bool) -> None:
    """The second judged set: Debian's French manuals, frsearch beside FTS5,
    Whoosh, Lucene, tantivy and Xapian (``relevance/run.py``)."""
    sys.path.insert(0, str(BENCHMARKS / "relevance"))
    from run import evaluate, markdown, results_path

    document = evaluate(heldout=heldout)
    print(markdown(document))
    results_path(document["split"]).write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description="Relevance: the seed judgments, then the Debian French judged queries.")
    parser.add_argument("--heldout", action="store_true",
                        help="run the held-out half of the Debian queries (once, at the end)")
    parser.add_argument("--seeds-only", action="store_true")
    args = parser.parse_args()
    if not args.seeds_only:
        debian_relevance(args.heldout)
    judgments = load_judgments()
    passages = seed_passages()
    unknown = sorted({pid for j in judgments for pid in j.relevant} - passages.keys())
    if unknown:
        print(f"judged passages missing from the seeds: {', '.join(unknown)}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="frsearch-eval-") as folder:
        results = {
            "frsearch": evaluate_frsearch(Path(folder) / "index", judgments),
            "SQLite FTS5": run_queries(fts5_search(passages), judgments),
            "Whoosh fr": run_queries(whoosh_search(passages), judgments),
        }
    # imported here: tests load this file as a module, without benchmarks/ on the path
    from measure import provenance, write_result

    print(markdown_report(results))
    source = provenance(("frsearch", "whoosh", "PyStemmer"))
    source["versions"]["sqlite"] = sqlite3.sqlite_version
    target = write_result(RESULTS.stem, results_document(results), source)
    print(f"\nPer-query results: {target.relative_to(BENCHMARKS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
