"""Measuring a child process (wall time, peak memory) and an index on disk."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "launch.py"


@dataclass(frozen=True, slots=True)
class ChildRun:
    """A finished child process: how long it ran, the CPU time it and its
    children used, and its peak memory (both figures: see ``launch``)."""

    seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    peak_tree_pss_bytes: int
    exit_code: int


def run_child(command: list[str], log: Path) -> ChildRun:
    """Run ``command`` to its end through ``launch.py``, its output appended to ``log``."""
    with log.open("a") as output, tempfile.TemporaryDirectory() as scratch:
        output.write(f"$ {' '.join(command)}\n")
        output.flush()
        result = Path(scratch) / "run.json"
        subprocess.run([sys.executable, "-S", str(LAUNCHER), str(result), *command],
                       stdout=output, stderr=subprocess.STDOUT, check=True)
        return ChildRun(**json.loads(result.read_text()))


def run_checked(command: list[str], log: Path) -> ChildRun:
    """``run_child``, stopping the benchmark with the log's end if the child failed."""
    run = run_child(command, log)
    if run.exit_code != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise SystemExit(f"failed (exit {run.exit_code}): {' '.join(command)}\n"
                         + "\n".join(tail))
    return run


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder``: what the index takes on disk."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def p95(values: list[float]) -> float:
    """95th percentile, interpolated between the closest ranks."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]
