"""Where frsearch's indexing time goes: cProfile of ``Index.add`` in one process.

    .venv/bin/python benchmarks/profile_index.py --corpus 10mb [--lines 25]

frsearch indexes large inputs with two writer processes, which a profiler of the
parent does not see (it shows the parent waiting for them); here the input is
indexed by one process, so that all the work shows. Compare with
``python -m cProfile -s cumtime -m frsearch index CORPUS --index DIR``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from pathlib import Path

from corpus import CORPORA, corpus_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=CORPORA, default="10mb")
    parser.add_argument("--lines", type=int, default=25, help="rows of the profile shown")
    parser.add_argument("--sort", default="cumtime", help="pstats sort key (default: cumtime)")
    args = parser.parse_args()
    source = corpus_path(args.corpus)

    import frsearch
    import frsearch.index

    if hasattr(frsearch.index, "PARALLEL_FROM_BYTES"):
        frsearch.index.PARALLEL_FROM_BYTES = float("inf")  # one writer process
    with tempfile.TemporaryDirectory() as folder:
        index = frsearch.open_index(Path(folder) / "index", create=True)
        profiler = cProfile.Profile()
        report = profiler.runcall(index.add, [source])
        index.close()
    print(f"{report.passages:,} passages of {source.name} indexed in one process")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
