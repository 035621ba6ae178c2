"""What safety costs: fsync at commit, and checksums at open and in ``check``.

Each cost is a ratio between two runs of the same work in this process, one
with the safety and one without, alternated so that the machine's drift
falls on both (``--repeat`` pairs, median of each side):

- indexing a corpus with every file fsynced, against ``os.fsync`` made a no-op;
- opening the index with its checksums compared (files up to
  ``storage.FULL_CHECK_BYTES`` read whole), against no comparison at all;
- ``frsearch check`` (every byte read), against opening.

    python benchmarks/durability.py --corpus 10mb --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

import frsearch  # noqa: E402
import frsearch.index  # noqa: E402
from frsearch.storage import CheckReport  # noqa: E402


@contextmanager
def without_fsync():
    """``os.fsync`` as a no-op, in this process and the writer processes it forks."""
    real = os.fsync
    os.fsync = lambda descriptor: None
    try:
        yield
    finally:
        os.fsync = real


@contextmanager
def without_checksums():
    real = frsearch.index.verify
    frsearch.index.verify = lambda folder, generation, segments, **_: CheckReport(generation)
    try:
        yield
    finally:
        frsearch.index.verify = real


def index_seconds(source: Path, folder: Path) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    with frsearch.open_index(folder, create=True) as index:
        index.add([source])
    return time.perf_counter() - started


def open_seconds(folder: Path, times: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(times):
        frsearch.open_index(folder).close()
    return (time.perf_counter() - started) / times


def check_seconds(folder: Path) -> float:
    started = time.perf_counter()
    report = frsearch.check_index(folder)
    assert report.ok, report.problems
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="10mb", choices=corpus.CORPORA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = corpus.corpus_path(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="frsearch-durability-", dir=corpus.DATA))
    folder = work / "index"
    synced, unsynced = [], []
    try:
        for _ in range(args.repeat):
            synced.append(index_seconds(source, folder))
            with without_fsync():
                unsynced.append(index_seconds(source, folder))
        size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
        checked, unchecked = [], []
        for _ in range(args.repeat):
            checked.append(open_seconds(folder))
            with without_checksums():
                unchecked.append(open_seconds(folder))
        full = [check_seconds(folder) for _ in range(args.repeat)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "corpus": args.corpus,
        "index_mb": round(size / 1e6, 1),
        "index_s_with_fsync": round(statistics.median(synced), 2),
        "index_s_without_fsync": round(statistics.median(unsynced), 2),
        "fsync_cost_ratio": round(statistics.median(synced) / statistics.median(unsynced), 3),
        "open_ms_with_checksums": round(statistics.median(checked) * 1000, 2),
        "open_ms_without_checksums": round(statistics.median(unchecked) * 1000, 2),
        "checksum_at_open_ratio": round(statistics.median(checked)
                                        / statistics.median(unchecked), 2),
        "check_ms_every_byte": round(statistics.median(full) * 1000, 1),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
