"""Paging: what page 100 costs against page 1, in frsearch and in SQLite FTS5.

The same passages (``corpus.read_passages``) in both engines; for each query,
page 1 (offset 0) and page 100 (offset 990) of ten hits, the median of
``--rounds`` searches each (after one to warm the caches). frsearch is
measured as called by default (near-duplicates grouped) and without grouping
(``collapse=False``, the closest to FTS5's plain list); FTS5 answers
``ORDER BY bm25(passages) LIMIT 10 OFFSET 990`` with the snippets
``benchmarks/engines.Fts5`` asks for. The indexes are built once in
``--work`` and reused.

    python benchmarks/paging.py --corpus benchmarks/data/10mb.jsonl --work /tmp/paging
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engines import Fts5  # noqa: E402
from measure import provenance  # noqa: E402

import frsearch  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
QUERIES = ["homme", "grand", "temps", "eau", "cheval blanc", "faire une maison"]
"""Words of the Littré that a thousand passages hold and more: page 100 exists."""
LIMIT = 10
DEEP = 990
PAGE_SQL = ("SELECT passage_id, title, highlight(passages, 2, '<mark>', '</mark>') "
            "FROM passages WHERE passages MATCH ? ORDER BY bm25(passages) LIMIT ? OFFSET ?")
COUNT_SQL = "SELECT count(*) FROM passages WHERE passages MATCH ?"


def _median_ms(run, rounds: int) -> float:
    run()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def _indexes(corpus: Path, work: Path) -> tuple[frsearch.Index, sqlite3.Connection]:
    """Both engines' indexes of ``corpus`` in ``work``, built if absent."""
    work.mkdir(parents=True, exist_ok=True)
    folder = work / "frsearch"
    if not (work / "frsearch.done").exists():
        print(f"indexing {corpus} with frsearch…", file=sys.stderr, flush=True)
        with frsearch.open_index(folder, rebuild=True) as index:
            index.add([corpus])
        (work / "frsearch.done").touch()
    fts5 = work / "fts5"
    if not (fts5 / "passages.db").exists():
        print(f"indexing {corpus} with FTS5…", file=sys.stderr, flush=True)
        fts5.mkdir(exist_ok=True)
        Fts5().build(corpus, fts5)
    return frsearch.open_index(folder), sqlite3.connect(fts5 / "passages.db")


def measure(index: frsearch.Index, database: sqlite3.Connection, query: str,
            rounds: int) -> dict:
    expression = Fts5.match_expression(query)

    def fts5_page(offset: int):
        return lambda: database.execute(PAGE_SQL, (expression, LIMIT, offset)).fetchall()

    def frsearch_page(offset: int, collapse: bool):
        return lambda: index.search(query, limit=LIMIT, offset=offset, collapse=collapse)

    grouped = index.search(query, limit=LIMIT)
    row = {
        "query": query,
        "frsearch_passages": grouped.total_passages,
        "frsearch_hits": grouped.total,
        "fts5_passages": database.execute(COUNT_SQL, (expression,)).fetchone()[0],
        "page100_shown": {
            "frsearch": len(index.search(query, limit=LIMIT, offset=DEEP).hits),
            "fts5": len(fts5_page(DEEP)()),
        },
    }
    for name, page in (("frsearch", lambda o: frsearch_page(o, True)),
                       ("frsearch_ungrouped", lambda o: frsearch_page(o, False)),
                       ("fts5", fts5_page)):
        first, deep = _median_ms(page(0), rounds), _median_ms(page(DEEP), rounds)
        row[name] = {"page1_ms": first, "page100_ms": deep,
                     "ratio": round(deep / first, 2) if first else None}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=Path(__file__).resolve().parent / "data" / "10mb.jsonl")
    parser.add_argument("--work", type=Path, default=Path("/tmp/frsearch-paging"),
                        help="where the two indexes are built once and kept")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--output", type=Path, default=RESULTS / "paging.json")
    args = parser.parse_args()
    index, database = _indexes(args.corpus, args.work)
    rows = [measure(index, database, query, args.rounds) for query in QUERIES]
    print(f"{'query':18} {'passages':>9} {'hits':>6} | {'frsearch p1':>11} {'p100':>7} "
          f"{'ratio':>5} | {'ungrouped p1':>12} {'p100':>7} {'ratio':>5} | "
          f"{'FTS5 p1':>8} {'p100':>7} {'ratio':>5}")
    for row in rows:
        cells = " | ".join(
            f"{row[name]['page1_ms']:{width}.2f} {row[name]['page100_ms']:7.2f} "
            f"{row[name]['ratio']:5.2f}"
            for name, width in (("frsearch", 11), ("frsearch_ungrouped", 12), ("fts5", 8)))
        print(f"{row['query']:18} {row['frsearch_passages']:9,} {row['frsearch_hits']:6,} "
              f"| {cells}")
    summary = {name: round(statistics.median(row[name]["ratio"] for row in rows), 2)
               for name in ("frsearch", "frsearch_ungrouped", "fts5")}
    print("median page 100 / page 1: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({
        "provenance": provenance(), "corpus": str(args.corpus), "limit": LIMIT,
        "deep_offset": DEEP, "rounds": args.rounds, "queries": rows,
        "median_ratio": summary}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
