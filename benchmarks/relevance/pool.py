"""Pooling for judgment: what every system returns for a split, shuffled, to be read.

Run from the repository root::

    .venv/bin/python benchmarks/relevance/pool.py sheet [--heldout] [--depth 10]
    .venv/bin/python benchmarks/relevance/pool.py merge GRADES [--heldout]

``sheet`` runs every available system on the split's queries, as written and
typed without accents, takes the union of their top ``depth`` passages that
nobody has read yet, shuffles each query's pool (seeded) and writes it to
``benchmarks/data/relevance/sheet-<split>.md``: the query, what the reader
wants, then the passages numbered 1, 2… with their article's title. Nothing on
the sheet says which system returned a passage or at what rank, so the grades
come from reading the passage against the query, and held-out results are
never seen.

``merge`` reads a grades file, one line a query: ``kw02: 3=2 7=1`` (passage 3
of the sheet answers, passage 7 is on the topic), and writes the grades into
``queries.json``: every passage of the sheet not named gets 0 (read, not
relevant). A query whose line is missing keeps its pool unjudged.

``extra`` adds passages found by reading the corpus rather than the systems'
lists (the sections a reader knows to hold the answer, for a query whose pool
missed them): one line a query, ``kw19: reference-9.5.5:3=2 reference-9.5.5:0=1``.
Such passages are judged like the pooled ones; no system's ranking is looked at.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import judgments  # noqa: E402
from build_corpus import corpus_path  # noqa: E402
from debs import DATA  # noqa: E402
from run import SPELLINGS, query_id, run_systems, spelled  # noqa: E402
from systems import NAMES, Query  # noqa: E402

import frsearch  # noqa: E402

POOL_SEED = 11
_LINE = re.compile(r"^\s*(\w+)\s*:\s*(.*)$")
_GRADE = re.compile(r"(\d+)\s*=\s*([012])")
_PASSAGE_GRADE = re.compile(r"([\w.\-]+:\d+)\s*=\s*([012])")


def sheet_paths(split: str) -> tuple[Path, Path]:
    folder = DATA / "relevance"
    return folder / f"sheet-{split}.md", folder / f"sheet-{split}.json"


def make_sheet(split: str, depth: int) -> None:
    corpus = corpus_path()
    queries = [q for q in judgments.load() if q.split == split]
    runs = [Query(query_id(q.id, s), spelled(q.query, s)) for q in queries for s in SPELLINGS]
    rankings, _skipped, _seconds = run_systems(NAMES, runs, corpus, depth=depth)
    articles = {a.id: a for a in frsearch.read_articles([corpus])}
    texts = {f"{a.id}:{p.number}": (a.title, p.text) for a in articles.values()
             for p in a.passages}
    rng = random.Random(POOL_SEED)
    pools: dict[str, list[str]] = {}
    lines = [f"# Judging sheet, {split} split (pooled top {depth}, shuffled)", ""]
    total = 0
    for query in queries:
        pooled = sorted({pid for ranking in rankings.values() for s in SPELLINGS
                         for pid in ranking.get(query_id(query.id, s), [])[:depth]}
                        - query.grades.keys())
        rng.shuffle(pooled)
        pools[query.id] = pooled
        total += len(pooled)
        lines += [f"## {query.id}: {query.query}", f"need: {query.need}", ""]
        for number, pid in enumerate(pooled, start=1):
            title, text = texts[pid]
            shown = text if len(text) <= 700 else text[:700] + " […]"
            lines.append(f"{number}. [{title}] {shown}" if not pid.endswith(":0")
                         else f"{number}. (title) {shown}")
        lines.append("")
    markdown_path, json_path = sheet_paths(split)
    markdown_path.write_text("\n".join(lines), encoding="utf-8")
    json_path.write_text(json.dumps(pools, indent=1), encoding="utf-8")
    print(f"{total} passages to read for {len(queries)} queries: {markdown_path}")


def merge(split: str, grades_file: Path) -> None:
    _markdown, json_path = sheet_paths(split)
    pools = json.loads(json_path.read_text(encoding="utf-8"))
    queries = judgments.load()
    by_id = {q.id: q for q in queries}
    merged = 0
    for line in grades_file.read_text(encoding="utf-8").splitlines():
        found = _LINE.match(line)
        if not found or found.group(1) not in pools:
            continue
        qid, pool = found.group(1), pools[found.group(1)]
        grades = dict.fromkeys(pool, 0)
        for number, grade in _GRADE.findall(found.group(2)):
            if not 1 <= int(number) <= len(pool):
                raise SystemExit(f"{qid}: no passage {number} on the sheet ({len(pool)})")
            grades[pool[int(number) - 1]] = int(grade)
        by_id[qid].grades.update(grades)
        merged += 1
    judgments.save(queries)
    print(f"merged the grades of {merged} queries into {judgments.QUERIES.name}")


def extra(grades_file: Path) -> None:
    queries = judgments.load()
    by_id = {q.id: q for q in queries}
    known = {f"{a.id}:{p.number}" for a in frsearch.read_articles([corpus_path()])
             for p in a.passages}
    added = 0
    for line in grades_file.read_text(encoding="utf-8").splitlines():
        found = _LINE.match(line)
        if not found:
            continue
        qid = found.group(1)
        if qid not in by_id:
            raise SystemExit(f"no query {qid}")
        for pid, grade in _PASSAGE_GRADE.findall(found.group(2)):
            if pid not in known:
                raise SystemExit(f"{qid}: no passage {pid} in the corpus")
            by_id[qid].grades[pid] = int(grade)
            added += 1
    judgments.save(queries)
    print(f"added {added} grades from reading the corpus into {judgments.QUERIES.name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("sheet", "merge", "extra"))
    parser.add_argument("grades", nargs="?", type=Path)
    parser.add_argument("--heldout", action="store_true")
    parser.add_argument("--depth", type=int, default=10)
    args = parser.parse_args()
    split = "heldout" if args.heldout else "dev"
    if args.action == "sheet":
        make_sheet(split, args.depth)
    elif args.grades is None:
        parser.error(f"{args.action} needs the grades file")
    elif args.action == "extra":
        extra(args.grades)
    else:
        merge(split, args.grades)
    return 0


if __name__ == "__main__":
    sys.exit(main())
