"""Measuring a child process (wall time, peak memory) and an index on disk, and
recording where a result comes from (``provenance``, ``write_result``)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
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


# -- where a result comes from -------------------------------------------------------

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS = REPOSITORY / "benchmarks" / "results"


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], cwd=REPOSITORY, capture_output=True,
                          text=True, check=True).stdout.strip()


def _versions(packages: tuple[str, ...]) -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "absent"
    return versions


def provenance(packages: tuple[str, ...] = ("frsearch", "whoosh")) -> dict:
    """What a stored result was measured on: the commit, whether the working tree
    differed from it (and where), when, and the command that reproduces it.

    ``changed`` lists the tracked files that differ from the commit (untracked
    files and the stored results are left out: the code measured is the tracked
    code). A result with
    ``frsearch/`` among them measured code no commit holds; ``diff_sha256`` then
    tells two such runs of the same uncommitted code apart from others. If
    frsearch would be imported from outside this checkout, the commit is left
    out (None) and where it comes from is recorded instead."""
    script = Path(sys.argv[0]).resolve()
    try:
        script_name = str(script.relative_to(REPOSITORY))
    except ValueError:
        script_name = str(script)
    record: dict = {
        "commit": None,
        "dirty": None,
        "changed": [],
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join(["python", script_name, *sys.argv[1:]]),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": _versions(packages),
    }
    spec = importlib.util.find_spec("frsearch")  # found, not imported
    if spec is not None and spec.origin and not Path(spec.origin).is_relative_to(REPOSITORY):
        # the code measured is not this checkout's: its commit says nothing
        record["frsearch_imported_from"] = spec.origin
        return record
    try:
        record["commit"] = _git("rev-parse", "HEAD")
        record["frsearch_tree"] = _git("rev-parse", "HEAD:frsearch")
        changed = _git("diff", "--name-only", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        return record  # not a git checkout: the versions and the date are all there is
    # results are what runs write, not what they measure: one run after another is not "dirty"
    record["changed"] = sorted(path for path in changed.splitlines()
                               if not path.startswith("benchmarks/results/"))
    record["dirty"] = bool(record["changed"])
    if record["dirty"]:
        diff = subprocess.run(["git", "diff", "HEAD"], cwd=REPOSITORY, capture_output=True,
                              check=True).stdout
        record["diff_sha256"] = hashlib.sha256(diff).hexdigest()
        code_diff = subprocess.run(["git", "diff", "HEAD", "--", "frsearch/"], cwd=REPOSITORY,
                                   capture_output=True, check=True).stdout
        record["frsearch_diff_sha256"] = hashlib.sha256(code_diff).hexdigest()
    return record


def code_changed(before: dict, after: dict) -> bool:
    """Whether frsearch's code differs between two ``provenance`` records: a run
    spanning such a change measured a mix of both."""
    def code(record: dict) -> tuple:
        return (record.get("frsearch_tree"), record.get("frsearch_diff_sha256"),
                any(path.startswith("frsearch/") for path in record.get("changed", ())))
    return code(before) != code(after)


def write_result(name: str, content: dict, source: dict) -> Path:
    """Write ``content`` to ``benchmarks/results/<name>.json`` with its
    ``provenance`` record first, atomically: a run killed midway leaves the
    previous result whole."""
    target = RESULTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.tmp")
    partial.write_text(json.dumps({"provenance": source, **content}, ensure_ascii=False,
                                  indent=1) + "\n", encoding="utf-8")
    partial.replace(target)
    return target
