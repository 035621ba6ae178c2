"""One phase of one engine, in a process of its own so that its peak memory is its own.

    worker.py ENGINE build CORPUS FOLDER
    worker.py ENGINE query FOLDER OUT.json ROUNDS

``query`` opens the index, runs every query once to warm up, then ``ROUNDS``
times in turn, and writes each query's timings and its best passage to OUT.json.
The parent process times the whole child and reads its rusage.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from engines import make_engine
from queries import QUERIES


def run_queries(engine_name: str, folder: Path, rounds: int) -> dict:
    engine = make_engine(engine_name)
    started = time.perf_counter()
    engine.open(folder)
    opened = time.perf_counter() - started
    first: dict[str, float] = {}
    top: dict[str, dict] = {}
    for query in QUERIES:  # warm-up: the first run pays for loading what the query needs
        started = time.perf_counter()
        found = engine.search(query)
        first[query] = time.perf_counter() - started
        best = found[0] if found else None
        top[query] = {
            "hits": len(found),
            "passage_id": best.passage_id if best else None,
            "snippet": best.snippet[:300] if best else None,
        }
    timings: dict[str, list[float]] = {query: [] for query in QUERIES}
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            engine.search(query)
            timings[query].append(time.perf_counter() - started)
    return {"open_seconds": opened, "first_seconds": first, "seconds": timings, "top": top}


def main(argv: list[str]) -> None:
    engine_name, phase = argv[0], argv[1]
    if phase == "build":
        make_engine(engine_name).build(Path(argv[2]), Path(argv[3]))
    elif phase == "query":
        result = run_queries(engine_name, Path(argv[2]), int(argv[4]))
        Path(argv[3]).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        raise SystemExit(f"unknown phase {phase!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
