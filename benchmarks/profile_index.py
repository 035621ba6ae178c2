"""Where frsearch's indexing time goes, and what its stored-passage compression saves.

    .venv/bin/python benchmarks/profile_index.py --corpus 10mb [--lines 25]

Prints both and writes ``benchmarks/results/profile-<corpus>.json`` (with the
commit it ran on: see ``measure.provenance``), from which
``benchmarks/report.py --readme`` writes the README's list.

**Time.** cProfile of ``Index.add`` in one process. frsearch indexes large
inputs with two writer processes, which a profiler of the parent does not see
(it would show the parent waiting); here one process does all the work. Each
function's own time (not counting what it calls) goes to a stage: the frsearch
module it is in, Whoosh, or zlib's compressors. Other code (built-ins such as
``re``'s matching, ``struct`` or the stemmer, the standard library's ``json``,
``unidecode``) is charged to the stages of the functions that called it, in
proportion to the time each call site took. The stages then add up to the whole
profiled time. cProfile slows Python calls more than C ones, so shares are of
profiled time, not of an unprofiled run.

**Bytes.** Each passage's stored record, built as ``indexing`` builds it and
encoded by the codec's own ``StoredColumn`` writer, once deflated alone and
once with the preset dictionary sampled from the corpus's first records (a
block of ``RECORDS_PER_BLOCK`` at a time, as the index stores them), as
``Index.add`` samples it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from corpus import CORPORA, corpus_path
from measure import provenance, write_result

WHOOSH = "Whoosh (its writer, postings pool, sort and merge at commit)"
COMPRESSION = "zlib (compressing stored passages, and posting blocks where it pays)"
OTHER = "other"

Function = tuple[str, int, str]
"""pstats' key for a function: file, line, name."""


def _own_stage(function: Function) -> str | None:
    """An frsearch module, Whoosh or zlib; None for code charged to its callers."""
    path, _line, name = function
    if "zlib" in name:  # "<built-in method zlib.…>", "<method '…' of 'zlib.Compress' …>"
        return COMPRESSION
    parts = Path(path).parts
    if "whoosh" in parts:
        return WHOOSH
    if len(parts) >= 2 and parts[-2] == "frsearch" and path.endswith(".py"):
        return f"frsearch/{parts[-1]}"
    return None


def stage_seconds(stats: pstats.Stats) -> tuple[dict[str, float], dict[Function, str]]:
    """Profiled seconds per stage (adding up to the total), and each function's stage
    (or the stage its callers mostly belong to)."""
    table = stats.stats  # function → (calls, primitive calls, own time, total time, callers)
    totals: dict[str, float] = defaultdict(float)
    shares_memo: dict[Function, dict[str, float]] = {}

    def shares(function: Function, seen: frozenset[Function]) -> dict[str, float]:
        """How ``function``'s own time splits between stages."""
        if function in shares_memo:
            return shares_memo[function]
        stage = _own_stage(function)
        if stage is not None:
            result = {stage: 1.0}
        else:
            callers = table[function][4] if function in table else {}
            # per call site: (calls, primitive calls, own time, total time)
            weights = {caller: site[2] for caller, site in callers.items()
                       if caller not in seen}
            whole = sum(weights.values())
            result = defaultdict(float)
            if not whole:
                result[OTHER] = 1.0
            else:
                for caller, weight in weights.items():
                    for name, share in shares(caller, seen | {function}).items():
                        result[name] += share * weight / whole
        shares_memo[function] = dict(result)
        return shares_memo[function]

    for function, (_calls, _primitive, own, _total, _callers) in table.items():
        for stage, share in shares(function, frozenset()).items():
            totals[stage] += own * share
    owners = {function: max(split, key=split.get) for function, split in shares_memo.items()}
    return dict(totals), owners


def profile_indexing(source: Path) -> tuple[int, float, pstats.Stats]:
    """Index ``source`` in one process under cProfile: passages, wall seconds, profile."""
    import frsearch

    with tempfile.TemporaryDirectory() as folder:
        index = frsearch.open_index(Path(folder) / "index", create=True)
        _one_writer_process()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        report = profiler.runcall(index.add, [source])
        seconds = time.perf_counter() - started
        index.close()
    return report.passages, seconds, pstats.Stats(profiler, stream=io.StringIO())


def _frsearch_module(defining: str):
    """The frsearch module that defines ``defining``: these are internals, and
    issue 10 moves them between modules. A clear error if none does any more."""
    import importlib

    for name in ("frsearch.codec", "frsearch.whoosh_internals", "frsearch.index",
                 "frsearch.writers", "frsearch.indexing", "frsearch.store"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, defining):
            return module
    raise SystemExit(f"profile_index.py: no frsearch module defines {defining} any more; "
                     "update _frsearch_module")


def _one_writer_process() -> None:
    """Raise the input size from which frsearch starts writer processes."""
    _frsearch_module("PARALLEL_FROM_BYTES").PARALLEL_FROM_BYTES = float("inf")


def compression_figures(source: Path) -> dict:
    """Stored records deflated alone and with the preset dictionary, by the
    codec, a block at a time (medians: of the blocks)."""
    from whoosh.columns import VarBytesColumn
    from whoosh.filedb.structfile import StructFile

    import frsearch

    StoredColumn = _frsearch_module("StoredColumn").StoredColumn  # noqa: N806
    dictionary_sample = _frsearch_module("dictionary_sample").dictionary_sample
    encode_record = _frsearch_module("encode_record").encode_record
    records = [  # as indexing stores a passage (``StoredPassage``)
        {"passage": (article.id, passage.number, passage.text, passage.heading,
                     article.title, article.date)}
        for article in frsearch.read_articles([source]) for passage in article.passages
    ]
    dictionary = dictionary_sample(records)

    per_block = _frsearch_module("RECORDS_PER_BLOCK").RECORDS_PER_BLOCK
    blocks = -(-len(records) // per_block)

    def written(column_dictionary: bytes) -> list[int]:
        """The deflated size of each block of records, as the column writes them."""
        out = StructFile(io.BytesIO())
        writer = StoredColumn(column_dictionary).writer(out)
        for docnum, record in enumerate(records):
            writer.add(docnum, record)
        writer.finish(len(records))
        return list(VarBytesColumn.Reader(out, 0, out.tell(), blocks)._lengths)

    lengths = [len(encode_record(record)) for record in records]
    raw = [sum(lengths[at:at + per_block]) + len(lengths[at:at + per_block]) - 1
           for at in range(0, len(lengths), per_block)]  # a newline between two records
    alone, primed = written(b""), written(dictionary)
    return {
        "records": len(records),
        "dictionary_bytes": len(dictionary),
        "record_bytes_median": statistics.median(lengths),
        "records_per_block": per_block,
        "raw_bytes": sum(raw),
        "deflated_alone_bytes": sum(alone),
        "deflated_with_dictionary_bytes": sum(primed),
        "alone_share": sum(alone) / sum(raw),
        "with_dictionary_share": sum(primed) / sum(raw),
        "alone_share_median": statistics.median(a / r for a, r in zip(alone, raw, strict=True)),
        "with_dictionary_share_median": statistics.median(
            p / r for p, r in zip(primed, raw, strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, default="10mb")
    parser.add_argument("--lines", type=int, default=25, help="functions shown (default: 25)")
    args = parser.parse_args()
    source = corpus_path(args.corpus)
    started = provenance(("frsearch", "whoosh", "PyStemmer"))

    passages, seconds, stats = profile_indexing(source)
    totals, owners = stage_seconds(stats)
    whole = sum(totals.values())
    stages = [{"stage": stage, "seconds": spent, "share": spent / whole}
              for stage, spent in sorted(totals.items(), key=lambda item: -item[1])]
    print(f"{passages:,} passages of {source.name} indexed in one process in {seconds:.1f} s "
          f"under cProfile ({whole:.1f} s profiled)\n")
    print("| stage | seconds | share |\n| --- | ---: | ---: |")
    for row in stages:
        print(f"| {row['stage']} | {row['seconds']:.2f} | {100 * row['share']:.0f} % |")

    own_time = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:args.lines]
    functions = [{"function": pstats.func_std_string(function), "own_seconds": entry[2],
                  "calls": entry[1], "stage": owners.get(function, OTHER)}
                 for function, entry in own_time]
    print(f"\nThe {args.lines} functions with the most time of their own:\n")
    for row in functions:
        print(f"{row['own_seconds']:8.2f} s  {row['function']}  [{row['stage']}]")

    compression = compression_figures(source)
    print(f"\nStored records ({compression['records']:,}, median "
          f"{compression['record_bytes_median']:.0f} bytes) deflated alone: "
          f"{100 * compression['alone_share']:.0f} % of their size (median block "
          f"{100 * compression['alone_share_median']:.0f} %); with the "
          f"{compression['dictionary_bytes']:,}-byte preset dictionary: "
          f"{100 * compression['with_dictionary_share']:.0f} % (median block "
          f"{100 * compression['with_dictionary_share_median']:.0f} %)")

    target = write_result(f"profile-{args.corpus}", {
        "corpus": args.corpus,
        "passages": passages,
        "wall_seconds_profiled": seconds,
        "profiled_seconds": whole,
        "stages": stages,
        "functions": functions,
        "compression": compression,
    }, started)
    print(f"\nWrote {target.relative_to(target.parents[2])}", file=sys.stderr)


if __name__ == "__main__":
    main()
