"""How far an engine's ranking strays from frsearch's once an index is exported.

    .venv/bin/python benchmarks/lucene_scores.py

For each judged collection (the Debian manuals' dev queries, as written and typed
without accents, from ``benchmarks/relevance/queries.json``; the seeds' queries
of ``benchmarks/judgments.json``), frsearch indexes the passages, ranks each
query (top 10, near-duplicates not grouped) and exports the index
(``frsearch.export_opensearch``). ``tests/lucene/SearchWithSettings.java`` then
loads the export into Lucene 8 with the exported analyzers and BM25 (the
engines' default similarity, one shard) and runs two queries for each:

* ``translated``: the DSL ``frsearch.opensearch.translate`` writes, what
  ``connect_opensearch(...).search`` sends;
* ``no_context`` and ``no_proximity``: the translation without its
  headline-and-heading clauses, or without its ``match_phrase`` with slop (what
  each part brings the engine's order nearer frsearch's);
* ``match``: a plain ``match`` on the passage text, what a user of the engine
  gets from the exported analyzer alone.

With frsearch's ranking as the reference it reports, per collection and
variant: the mean share of frsearch's top 10 found in the engine's top 10, how
often both put the same passage first, Kendall's tau between the two orders of
the passages both top 10s hold, and the MRR@10 / nDCG@10 of each ranking.
It also counts, for each query, the passages the translated query matches
against those frsearch's search matches (whether the two select the same
passages, before any ranking), and measures what one shard of 10 MB of the
Littré weighs on disk: the export indexed by Lucene with each passage's source
stored (as ``_source``) and merged to one segment (the fastest of three timed
builds), for ``docs/scaling.md``'s shard counts.

Writes ``benchmarks/results/scaling-lucene.json`` (with the commit measured).
The held-out half of the Debian queries is never read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from statistics import mean

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
sys.path[:0] = [str(HERE), str(HERE / "relevance"), str(REPOSITORY / "tests" / "lucene")]

from measure import RESULTS, provenance, write_result  # noqa: E402
from metrics import ndcg, reciprocal_rank  # noqa: E402
from parity import lucene_jars  # noqa: E402
from search import Unavailable, compile_search, search  # noqa: E402
from unidecode import unidecode  # noqa: E402

import frsearch  # noqa: E402
from frsearch.export import DEFINITION_FILE, VOCABULARY_FILE  # noqa: E402
from frsearch.opensearch import Vocabulary, translate  # noqa: E402
from frsearch.query import join_digit_groups, parse_query  # noqa: E402

DEPTH = 10
SIZE_RUNS = 3
"""Builds of the shard timed; the fastest is kept (the machine is shared)."""
VARIANTS = ("translated", "no_context", "no_proximity", "match")


def without(query: dict, form: str) -> dict:
    """The translated query without its top-level optional clauses of ``form``
    (``multi_match``: the headline and heading, in a ``bool`` that leaves the
    headline itself out; ``match_phrase``: proximity)."""
    body = dict(query.get("bool", {}))
    if "should" not in body:
        return query
    body["should"] = [clause for clause in body["should"] if not _of_form(clause, form)]
    if not body["should"]:
        del body["should"]
    return {"bool": body}


def _of_form(clause: dict, form: str) -> bool:
    """Whether ``clause`` is a ``form`` query, itself or as a ``bool``'s one ``must``."""
    inner = clause.get("bool", {}).get("must", [])
    return form in clause or (len(inner) == 1 and form in inner[0])


# -- the judged collections ------------------------------------------------------

Judged = tuple[str, str, dict[str, int], str]
"""qid, query as typed, grades, kind."""


def debian_dev() -> tuple[Path, list[Judged]]:
    """The Debian manuals and their dev queries (those with an answer), each as
    written and, if that differs, unaccented."""
    import judgments
    from build_corpus import corpus_path

    queries = []
    for judged in judgments.load():
        if judged.split != "dev" or not judged.relevant:
            continue
        queries.append((judged.id, judged.query, judged.grades, judged.kind))
        if unidecode(judged.query) != judged.query:
            queries.append((f"{judged.id}/unaccented", unidecode(judged.query), judged.grades,
                            judged.kind))
    return corpus_path(), queries


def seeds() -> tuple[Path, list[Judged]]:
    """The seed articles and the queries of ``benchmarks/judgments.json``."""
    from evaluate import load_judgments

    return (Path(frsearch.seeds_dir()),
            [(f"{number:02d}", judged.query, judged.relevant, judged.kind)
             for number, judged in enumerate(load_judgments())])


COLLECTIONS: dict[str, Callable] = {"debian-dev": debian_dev, "seeds": seeds}


# -- the comparison ----------------------------------------------------------------

def kendall_tau(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Kendall's tau between two orders of the items both hold (None below two)."""
    shared = [item for item in first if item in set(second)]
    if len(shared) < 2:
        return None
    where = {item: rank for rank, item in enumerate(second)}
    concordant = discordant = 0
    for i, a in enumerate(shared):
        for b in shared[i + 1:]:
            if where[a] < where[b]:
                concordant += 1
            else:
                discordant += 1
    return (concordant - discordant) / (concordant + discordant)


def agreement(reference: dict[str, list[str]], other: dict[str, list[str]]) -> dict:
    """How close ``other``'s top 10s come to the reference's, over the queries
    the reference answers."""
    overlaps, firsts, taus = [], [], []
    for qid, mine in reference.items():
        if not mine:
            continue
        theirs = other.get(qid, [])[:DEPTH]
        mine = mine[:DEPTH]
        overlaps.append(len(set(mine) & set(theirs)) / len(mine))
        firsts.append(bool(theirs) and theirs[0] == mine[0])
        tau = kendall_tau(mine, theirs)
        if tau is not None:
            taus.append(tau)
    return {
        "queries": len(overlaps),
        "overlap@10": round(mean(overlaps), 4),
        "same_first": round(mean(firsts), 4),
        "kendall_tau": round(mean(taus), 4) if taus else None,
        "tau_queries": len(taus),
    }


def same_matches(mine: dict[str, int], theirs: dict[str, int],
                 queries: Sequence[Judged]) -> dict:
    """How often the translated query matches as many passages as frsearch's,
    by kind (a count, not the set: the engine's count is exact, frsearch's is
    the passages its search matched)."""
    kinds: dict[str, list[bool]] = {}
    for qid, _, _, kind in queries:
        kinds.setdefault(kind, []).append(mine[qid] == theirs.get(qid))
    every = [same for values in kinds.values() for same in values]
    return {"queries": len(every), "same_count": sum(every),
            "by_kind": {kind: [sum(values), len(values)] for kind, values in kinds.items()}}


def quality(ranking: dict[str, list[str]], queries: Sequence[Judged]) -> dict:
    return {
        "MRR@10": round(mean(reciprocal_rank(ranking.get(qid, []), grades)
                             for qid, _, grades, _ in queries), 4),
        "nDCG@10": round(mean(ndcg(ranking.get(qid, []), grades)
                              for qid, _, grades, _ in queries), 4),
    }


def compared(reference: dict[str, list[str]], engine: dict[str, dict[str, list[str]]],
             queries: Sequence[Judged]) -> dict:
    """frsearch's figures and each variant's, with its agreement with frsearch."""
    chosen = {qid for qid, *_ in queries}
    mine = {qid: ids for qid, ids in reference.items() if qid in chosen}
    return {
        "queries": len(queries),
        "frsearch": quality(reference, queries),
        "variants": {variant: {**quality(engine[variant], queries),
                               **agreement(mine, engine[variant])}
                     for variant in VARIANTS},
    }


def run_collection(name: str, classpath: str, work: Path) -> dict:
    corpus, queries = COLLECTIONS[name]()
    index_dir, export_dir = work / f"{name}-index", work / f"{name}-export"
    started = time.perf_counter()
    reference: dict[str, list[str]] = {}
    matched: dict[str, int] = {}
    with frsearch.open_index(index_dir, create=True) as index:
        index.add([corpus])
        passages = index.stats().passages
        for qid, text, *_ in queries:
            found = index.search(text, limit=DEPTH, collapse=False)
            reference[qid] = [hit.passage_id for hit in found.hits]
            matched[qid] = found.total_passages or found.total
    frsearch.export_opensearch(index_dir, export_dir)
    vocabulary = Vocabulary.read(export_dir / VOCABULARY_FILE)
    requests = []
    for qid, text, *_ in queries:
        translated = translate(parse_query(join_digit_groups(text)), vocabulary).query
        requests += [(f"translated|{qid}", translated),
                     (f"no_context|{qid}", without(translated, "multi_match")),
                     (f"no_proximity|{qid}", without(translated, "match_phrase")),
                     (f"match|{qid}", {"match": {"text": {"query": text}}})]
    engine: dict[str, dict[str, list[str]]] = {variant: {} for variant in VARIANTS}
    engine_matched: dict[str, int] = {}
    for key, record in search(classpath, export_dir, requests, DEPTH).items():
        variant, _, qid = key.partition("|")
        engine[variant][qid] = record["ids"]
        if variant == "translated":
            engine_matched[qid] = record["total"]
    kinds = sorted({kind for *_, kind in queries})
    return {
        "passages": passages,
        **compared(reference, engine, queries),
        "by_kind": {kind: compared(reference, engine, [q for q in queries if q[3] == kind])
                    for kind in kinds},
        "matched": same_matches(matched, engine_matched, queries),
        "seconds": round(time.perf_counter() - started, 1),
        "per_query": {qid: {"query": text, "kind": kind, "frsearch": reference[qid],
                            "matched": [matched[qid], engine_matched.get(qid)],
                            **{variant: engine[variant].get(qid, []) for variant in VARIANTS}}
                      for qid, text, _, kind in queries},
    }


def shard_size(classpath: str, work: Path, corpus_name: str = "10mb") -> dict:
    """Bytes of a Lucene shard of ``corpus_name`` (one segment, sources stored),
    against the text's bytes."""
    from corpus import corpus_path, corpus_stats

    corpus = corpus_path(corpus_name)
    stats = corpus_stats(corpus_name, corpus)
    index_dir, export_dir = work / "size-index", work / "size-export"
    with frsearch.open_index(index_dir, create=True) as index:
        index.add([corpus])
    frsearch.export_opensearch(index_dir, export_dir)
    bulk_bytes = sum(path.stat().st_size for path in export_dir.glob("bulk-*.ndjson"))
    runs = []
    load_before = os.getloadavg()
    for _ in range(SIZE_RUNS):
        done = subprocess.run(["java", "-Xmx512m", "-XX:ActiveProcessorCount=1", "-cp",
                               classpath, "SearchWithSettings", str(export_dir / DEFINITION_FILE),
                               str(export_dir), "--size", str(work / "shard")],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"SearchWithSettings --size failed: {done.stderr.strip()[-2000:]}")
        runs.append(json.loads(done.stdout))
    measured = min(runs, key=lambda run: run["seconds"])
    return {
        "corpus": corpus_name,
        "text_bytes": stats.text_bytes,
        "passages": measured["passages"],
        "bulk_bytes": bulk_bytes,
        "shard_bytes": measured["bytes"],
        "shard_per_text_byte": round(measured["bytes"] / stats.text_bytes, 3),
        "lucene_index_seconds": round(measured["seconds"], 1),
        "lucene_index_seconds_each_run": [round(run["seconds"], 1) for run in runs],
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }


def main() -> int:
    try:
        with tempfile.TemporaryDirectory(prefix="frsearch-lucene-scores-") as folder:
            work = Path(folder)
            classpath = compile_search(work / "classes")
            source = provenance()
            collections = {}
            for name in COLLECTIONS:
                collections[name] = run_collection(name, classpath, work)
                figures = collections[name]
                print(f"{name}: {figures['queries']} queries, frsearch {figures['frsearch']}",
                      file=sys.stderr)
                for variant, row in figures["variants"].items():
                    print(f"  {variant}: {row}", file=sys.stderr)
            size = shard_size(classpath, work)
            print(f"shard of {size['corpus']}: {size}", file=sys.stderr)
    except Unavailable as error:
        print(f"lucene_scores: {error}", file=sys.stderr)
        return 1
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    result = {
        "lucene_jars": [jar.name for jar in lucene_jars()],
        "java": java.splitlines()[0] if java else "",
        "similarity": "BM25 (k1 1.2, b 0.75), one shard",
        "depth": DEPTH,
        "collections": collections,
        "shard_size": size,
    }
    target = write_result("scaling-lucene", result, source)
    print(f"Wrote {target.relative_to(RESULTS.parents[1])}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
