"""What a person at the terminal waits: a whole ``frsearch query`` process.

Timed beside the least a Python program searching the same index must do: open
it with Whoosh and run one parsed query (no highlights, no ranking tiers), and
beside bare interpreter start-ups, so the share of frsearch's own work shows.
Opening an frsearch index with Whoosh unpickles its schema, which imports
``frsearch.indexing``; that cost is in the minimal script too.
"""

from __future__ import annotations

import compileall
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from engines import frsearch_command
from measure import run_checked, run_child

import frsearch

QUERY = "sanctions"
MINIMAL_WHOOSH_SEARCH = f"""
import sys
from whoosh import index
from whoosh.qparser import QueryParser
ix = index.open_dir(sys.argv[1], indexname="passages")
with ix.searcher() as searcher:
    for hit in searcher.search(QueryParser("text", ix.schema).parse({QUERY!r}), limit=10):
        print(hit.docnum)
"""


@dataclass(frozen=True, slots=True)
class CommandTiming:
    label: str
    command: list[str]
    seconds: float
    """Median wall time of the whole process."""
    peak_rss_bytes: int


def build_seeds_index(folder: Path, log: Path) -> Path:
    """The index ``frsearch index`` makes of the built-in seeds (no path given)."""
    if not folder.exists():
        run_checked([*frsearch_command(), "index", "--index", str(folder)], log)
    return folder


def time_commands(seeds_index: Path, corpus_index: Path | None, log: Path,
                  times: int = 7) -> list[CommandTiming]:
    """Median wall time of each command, the commands taking turns ``times`` times.

    frsearch's modules are compiled to bytecode first, as ``pip install``
    does: where bytecode is not written (``PYTHONDONTWRITEBYTECODE``, a fresh
    clone) every start would compile them again, some 50 ms a user never pays."""
    compileall.compile_dir(str(Path(frsearch.__file__).parent), quiet=1)
    commands = {
        f"frsearch query {QUERY} (seeds)":
            [*frsearch_command(), "query", QUERY, "--index", str(seeds_index)],
        "minimal Whoosh search script (seeds)":
            [sys.executable, "-c", MINIMAL_WHOOSH_SEARCH, str(seeds_index)],
        "python -c 'import whoosh'": [sys.executable, "-c", "import whoosh"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
    }
    if corpus_index is not None:
        commands[f"frsearch query {QUERY} (this corpus)"] = [
            *frsearch_command(), "query", QUERY, "--index", str(corpus_index)]
    runs: dict[str, list] = {label: [] for label in commands}
    for _ in range(times):
        for label, command in commands.items():
            run = run_child(command, log)
            if run.exit_code not in (0, 1):  # 1: frsearch found nothing, not an error
                raise SystemExit(f"failed (exit {run.exit_code}): {label}; see {log}")
            runs[label].append(run)
    return [
        CommandTiming(label, command, statistics.median(r.seconds for r in runs[label]),
                      max(r.peak_rss_bytes for r in runs[label]))
        for label, command in commands.items()
    ]
