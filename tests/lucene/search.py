"""An exported index searched by Lucene with the query DSL frsearch writes.

``SearchWithSettings.java`` loads an export (``index.json`` and the bulk files)
into Lucene with the exported analyzers and BM25, the engines' default
similarity, and runs queries of the engines' DSL: how one shard of OpenSearch
or Elasticsearch would match and rank them, without a server. Used by
``tests/test_lucene_search.py`` (what each query form matches) and
``benchmarks/lucene_scores.py`` (how the ranking compares with frsearch's).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from parity import HERE, Unavailable, compile_runner

SOURCES = (HERE / "AnalyzeWithSettings.java", HERE / "SearchWithSettings.java")

__all__ = ["Unavailable", "compile_search", "search"]


def compile_search(into: Path) -> str:
    """Both runners compiled into ``into`` (Unavailable without Java or Lucene);
    the classpath to run them with."""
    return compile_runner(into, SOURCES)


def search(classpath: str, export_dir: Path, queries: Iterable[tuple[str, dict]],
           depth: int = 10) -> dict[str, dict]:
    """qid → ``{"total", "ids", "scores"}`` for each ``(qid, DSL query)``."""
    with tempfile.TemporaryDirectory(prefix="frsearch-lucene-search-") as folder:
        requests = Path(folder) / "queries.jsonl"
        with requests.open("w", encoding="utf-8") as out:
            for qid, query in queries:
                out.write(json.dumps({"qid": qid, "query": query}, ensure_ascii=True) + "\n")
        done = subprocess.run(["java", "-Xmx512m", "-XX:ActiveProcessorCount=1", "-cp",
                               classpath, "SearchWithSettings",
                               str(export_dir / "index.json"), str(export_dir),
                               str(requests), str(depth)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"SearchWithSettings failed: {done.stderr.strip()[-2000:]}")
    found = {}
    for line in done.stdout.splitlines():
        record = json.loads(line)
        found[record.pop("qid")] = record
    return found
