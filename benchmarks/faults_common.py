"""Helpers shared by the fault benchmarks ``commit_race.py`` and ``kill_storm.py``.

Both scripts put frsearch under conditions a unit test rarely reaches (commits
racing searches, writer processes dying) and count what went wrong. They need
the same few things: words that can be found again exactly (markers), slices of
the Littré to index, the processes of a writer's tree, errors grouped by kind,
and a table to print.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import corpus

MARKER_DIGITS = "bcdfghjklmnpqrtvwz"
"""Consonants only, without ``s`` and ``x``: the French stemmer strips endings
made of vowels or a final ``s``/``x``, so a word of these letters is its own term."""
MARKER_REPEAT = 3
"""Each digit written three times: two markers differ by at least three edits,
more than typo correction bridges (two at most), so a missing marker is never
"corrected" into another one."""


def marker(number: int, prefix: str = "zqx") -> str:
    """A word made only of letters, unique to ``number``, that French analysis
    keeps as one term equal to itself (see ``check_markers``)."""
    digits = []
    while True:
        number, digit = divmod(number, len(MARKER_DIGITS))
        digits.append(MARKER_DIGITS[digit] * MARKER_REPEAT)
        if number == 0:
            break
    return prefix + "".join(reversed(digits))


def check_markers(words: Iterable[str]) -> None:
    """Stop before measuring if frsearch's analysis would change a marker:
    two markers sharing a term would make a miss look like a hit."""
    import frsearch

    for word in words:
        terms = frsearch.analyze(word)
        if terms != [word]:
            raise SystemExit(f"marker {word!r} analyses to {terms}, not to itself: "
                             "choose other marker letters")


def littre_path(data: Path) -> Path:
    """The whole Littré as JSON Lines (see ``corpus``), built on first use."""
    return corpus.corpus_path("full", data)


def littre_records(data: Path) -> Iterator[dict]:
    """The Littré's articles, one dict each, in the corpus's order."""
    with littre_path(data).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def write_jsonl(path: Path, records: Iterable[dict]) -> int:
    """Write ``records`` as frsearch JSON Lines; returns the file's size in bytes.
    Written under another name first: a reader never sees half a file."""
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.replace(path)
    return path.stat().st_size


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` whole: the file other processes poll is never half written."""
    partial = path.with_name(path.name + f".{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def work_dir(given: str | None, prefix: str) -> Path:
    """The folder a run writes its corpus slices and index to: ``given``, or a
    new temporary one (kept afterwards, so that a fault can be looked at)."""
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix=prefix))


def frsearch_command() -> list[str]:
    """How to run the ``frsearch`` command of the Python running this script:
    its console script beside the interpreter, else ``python -m frsearch``."""
    script = Path(sys.executable).with_name("frsearch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "frsearch"]


# -- processes ---------------------------------------------------------------------


def parent_of(pid: int) -> int | None:
    """The parent process id of ``pid`` from /proc, None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name, in parentheses, may hold spaces: read after its last ')'
    return int(stat[stat.rindex(")") + 2:].split()[1])


def is_running(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie (dead, not yet waited for)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (children, their children…), from /proc:
    the sub-writers a writer forks, whichever way it starts them."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = parent_of(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found: list[int] = []
    waiting = [pid]
    while waiting:
        for child in children.get(waiting.pop(), []):
            if is_running(child):
                found.append(child)
                waiting.append(child)
    return found


def kill_all(pids: Iterable[int]) -> None:
    """SIGKILL each of ``pids`` (processes this script started or their own
    children), ignoring those already gone."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def virtual_bytes(pid: int) -> int | None:
    """The address space ``pid`` maps now (VmSize), None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


# -- errors ------------------------------------------------------------------------

_VARIABLE = re.compile(r"/[^\s'\"():,]+|\b[0-9a-f]{12,}\b|[a-z0-9]{16}(?=\.)|\d+")


def error_kind(message: str) -> str:
    """An error message with what changes from one occurrence to the next (paths,
    segment names, numbers) masked, so that occurrences of one fault count together."""
    first_line = message.strip().splitlines()[0] if message.strip() else "(no message)"
    return _VARIABLE.sub("…", first_line)[:160]


def exception_kind(error: BaseException) -> str:
    """``Type: message``, masked as ``error_kind`` masks it."""
    return f"{type(error).__name__}: {error_kind(str(error))}"


class Tally:
    """Errors counted by kind, with the first full message of each and which
    sources (readers, runs) met it."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.sources: dict[str, set[str]] = {}

    def add(self, kind: str, source: str, example: str = "", count: int = 1) -> None:
        self.counts[kind] += count
        self.examples.setdefault(kind, example or kind)
        self.sources.setdefault(kind, set()).add(source)

    def merge(self, other: Tally) -> None:
        for kind, count in other.counts.items():
            for source in other.sources[kind]:
                self.sources.setdefault(kind, set()).add(source)
            self.counts[kind] += count
            self.examples.setdefault(kind, other.examples[kind])

    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[list[str]]:
        return [[f"{count:,}", ", ".join(sorted(self.sources[kind], key=_natural)), kind]
                for kind, count in self.counts.most_common()]

    def to_dict(self) -> dict:
        """A plain form, to send from a child process."""
        return {"counts": dict(self.counts), "examples": self.examples,
                "sources": {kind: sorted(found) for kind, found in self.sources.items()}}

    @classmethod
    def from_dict(cls, value: dict) -> Tally:
        tally = cls()
        tally.counts.update(value["counts"])
        tally.examples.update(value["examples"])
        tally.sources.update({kind: set(found) for kind, found in value["sources"].items()})
        return tally


def _natural(text: str) -> list:
    """Sort key that puts "run 9" before "run 10"."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# -- output ------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table, numbers right-aligned, for a terminal or a log."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(headers[i])] + [len(row[i]) for row in cells])
              for i in range(len(headers))]

    def line(row: Sequence[str], numeric: Sequence[bool]) -> str:
        return "  ".join(cell.rjust(width) if right else cell.ljust(width)
                         for cell, width, right in zip(row, widths, numeric, strict=True)).rstrip()

    numeric = [all(re.fullmatch(r"[\d,.%+-]+|-", row[i]) for row in cells) if cells else False
               for i in range(len(headers))]
    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(list(headers), numeric), rule] + [line(row, numeric) for row in cells])


def verdict(faults: int, what: str) -> int:
    """The closing line and the exit status: 1 when faults were found."""
    if faults:
        print(f"\nFAULT: {faults:,} {what}")
        return 1
    print("\nOK: no fault found")
    return 0
