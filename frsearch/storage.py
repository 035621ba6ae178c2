"""The index's files: opened without running anything they hold, written
durably, and checked against the checksums of the commit that lists them.

Three promises, each kept here and nowhere else:

- **Data only.** Whoosh keeps its table of contents, the extras of its term
  tables and its column headers as pickles, and unpickling can call any
  function a file names. Every pickle an index file holds is read by
  ``_DataOnlyUnpickler``, which builds plain data and the few classes a
  table of contents lists (a segment and frsearch's codec), and refuses
  anything else with ``IndexTamperedError``. frsearch's own records (the
  passages shown as hits) are JSON (``codec.encode_record``). The schema
  pickled in the table of contents is never read: frsearch brings its own.
  (``whoosh_internals.IndexStorage`` plugs this into Whoosh.)
- **Durable.** Each file the index writes is ``fsync``ed when it is closed
  (``whoosh_internals.IndexStorage``), and the folder after each rename, so a
  commit reported done survives a power cut.
- **Checked.** Before a commit becomes visible, the writer records the size
  and CRC-32 of every file it lists in ``passages-checksums-<generation>.json``
  (``write_checksums``). ``verify`` compares the files with it, as Lucene's
  footers and tantivy's let them: in full for files up to
  ``FULL_CHECK_BYTES`` when an index is opened, every byte of every file for
  ``frsearch check``.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from frsearch.errors import IndexDamagedError, IndexTamperedError

__all__ = [
    "CHECKSUMS_PREFIX",
    "FULL_CHECK_BYTES",
    "data_loads",
    "read_data_only_pickle",
    "latest_generation",
    "verify",
    "write_checksums",
]

INDEX_NAME = "passages"
CHECKSUMS_PREFIX = f"{INDEX_NAME}-checksums-"
"""Start of the checksum files' names (a dash: Whoosh deletes the files named
like its own segments' that no commit lists)."""
FULL_CHECK_BYTES = 8 * 1024 * 1024
"""Files up to this size are read whole and checked when an index is opened
(about 5 ms per MB here); bigger ones have their size and both ends checked,
and are read whole by ``frsearch check``."""
_END_BYTES = 4096
_SEGMENT_ID = re.compile(r"^[a-z0-9]{1,64}$")

_TABLE_OF_CONTENTS_CLASSES = frozenset({
    ("whoosh.codec.whoosh3", "W3Segment"),
    ("frsearch.whoosh_internals", "PassageCodec"),
    ("collections", "defaultdict"),
    ("builtins", "int"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
})
"""Everything a table of contents written by frsearch asks to build: its
segments, their codec, and the containers of their document counts."""


# -- data-only pickles ----------------------------------------------------------

def _latin1_bytes(text: str, encoding: str) -> bytes:
    """How pickle protocol 2 spells a bytes object; any other use of
    ``_codecs.encode`` is refused."""
    if encoding != "latin1" or not isinstance(text, str):
        raise IndexTamperedError(_tampered_message(f"_codecs.encode(..., {encoding!r})"))
    return text.encode("latin1")


class _DataOnlyUnpickler(pickle.Unpickler):
    """An unpickler that builds numbers, strings, bytes and containers, plus
    the classes it is given; it never imports or calls anything else."""

    def __init__(self, file, allowed: frozenset = frozenset()):
        super().__init__(file)
        self._allowed = allowed

    def find_class(self, module: str, name: str):
        if (module, name) == ("_codecs", "encode"):
            return _latin1_bytes
        if (module, name) in self._allowed:
            return super().find_class(module, name)
        if module.split(".")[0] == "frsearch":  # a class this version does not have
            raise IndexDamagedError(
                f"index was written by another version of frsearch (it names {module}.{name}); "
                "open it with rebuild=True to start over")
        raise IndexTamperedError(_tampered_message(f"{module}.{name}"))


def _tampered_message(what: str) -> str:
    return (f"an index file asks to run {what}: not an frsearch index, or tampered with "
            "(nothing was run)")


def read_data_only_pickle(file):
    """The pickle at the position of ``file``, as a table of contents holds it."""
    return _DataOnlyUnpickler(file, _TABLE_OF_CONTENTS_CLASSES).load()


def data_loads(data: bytes):
    """``pickle.loads`` for pickles that may only hold data."""
    import io

    try:
        return _DataOnlyUnpickler(io.BytesIO(data)).load()
    except IndexTamperedError:
        raise
    except Exception as error:
        raise IndexDamagedError(f"an index record cannot be read ({error})") from None


def sync_folder(folder: str | os.PathLike) -> None:
    """``fsync`` a folder, so that the renames and new files in it survive a
    power cut (a no-op where folders cannot be opened, as on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# -- checksums ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FileSum:
    """What a commit records of one of its files."""

    size: int
    crc32: int
    """Of the whole file."""
    head_crc32: int
    tail_crc32: int
    """Of its first and last 4 KiB: what a cheap check at open compares."""

    def as_list(self) -> list[int]:
        return [self.size, self.crc32, self.head_crc32, self.tail_crc32]


def file_sum(path: Path) -> FileSum:
    crc = 0
    head = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if not head:
                head = chunk[:_END_BYTES]
            crc = zlib.crc32(chunk, crc)
        size = handle.tell()
        handle.seek(max(0, size - _END_BYTES))
        tail = handle.read(_END_BYTES)
    return FileSum(size, crc, zlib.crc32(head), zlib.crc32(tail))


def _ends_sum(path: Path) -> tuple[int, int, int]:
    with path.open("rb") as handle:
        head = handle.read(_END_BYTES)
        size = os.fstat(handle.fileno()).st_size
        handle.seek(max(0, size - _END_BYTES))
        tail = handle.read(_END_BYTES)
    return size, zlib.crc32(head), zlib.crc32(tail)


def checksums_file(folder: Path, generation: int) -> Path:
    return folder / f"{CHECKSUMS_PREFIX}{generation}.json"


def segment_file_names(folder: Path, segments) -> list[str]:
    """The files the segments of a commit are read from, with the dictionary
    files of their codecs (see ``codec``)."""
    prefixes = tuple(f"{INDEX_NAME}_{segment.segid}." for segment in segments)
    dictionaries = {name for segment in segments
                    if (name := getattr(segment.codec(), "dictionary_file", None))}
    return sorted(name for name in os.listdir(folder)
                  if (name.startswith(prefixes) and not name.endswith(".tmp"))
                  or name in dictionaries)


def write_checksums(folder: Path, generation: int, segments) -> None:
    """Record the checksum of every file of ``segments``, durably, before the
    table of contents of ``generation`` that lists them is written."""
    sums = {name: file_sum(folder / name).as_list()
            for name in segment_file_names(folder, segments)}
    target = checksums_file(folder, generation)
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump({"generation": generation, "files": sums}, handle, indent=0)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    sync_folder(folder)


def delete_old_checksums(folder: Path, generation: int) -> None:
    """Delete checksum files older than the previous commit's (a reader that
    opened the previous commit may still be checking it)."""
    for path in folder.glob(f"{CHECKSUMS_PREFIX}*.json"):
        number = path.name[len(CHECKSUMS_PREFIX):-len(".json")]
        if number.isdigit() and int(number) < generation - 1:
            path.unlink(missing_ok=True)


@dataclass(slots=True)
class CheckReport:
    """What ``verify`` found: every problem, not only the first."""

    generation: int
    files: int = 0
    bytes_read: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(folder: Path, generation: int, segments, full: bool = False,
           already: set | None = None) -> CheckReport:
    """Compare the files of commit ``generation`` with its checksums.

    Every file's size and both ends are compared; its whole content too if it
    is at most ``FULL_CHECK_BYTES`` long, or with ``full``. ``already`` holds
    (name, size) of files checked before by the caller, skipped and updated.
    """
    report = CheckReport(generation)
    for segment in segments:
        if not _SEGMENT_ID.match(str(getattr(segment, "segid", ""))):
            report.problems.append(f"the table of contents lists a segment named "
                                   f"{getattr(segment, 'segid', None)!r}")
    if report.problems:
        return report
    try:
        recorded = json.loads(checksums_file(folder, generation).read_text(encoding="utf-8"))
        sums = {name: FileSum(*values) for name, values in recorded["files"].items()}
    except FileNotFoundError:
        if not segments:
            return report  # an empty index: nothing to check
        if not any(folder.glob(f"{CHECKSUMS_PREFIX}*.json")):
            raise IndexDamagedError(
                f"index at {folder} was written by another version of frsearch (one without "
                "checksums); open it with rebuild=True to start over") from None
        report.problems.append(f"{checksums_file(folder, generation).name} is missing")
        return report
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        report.problems.append(f"{checksums_file(folder, generation).name} cannot be read "
                               f"({error})")
        return report
    expected = set(segment_file_names(folder, segments))
    for name in sorted(expected - set(sums)):
        report.problems.append(f"{name} is not listed in the checksums of the commit")
    for name, recorded_sum in sorted(sums.items()):
        if already is not None and (name, recorded_sum.size) in already:
            continue
        problem = _check_file(folder / name, recorded_sum, full, report)
        if problem:
            report.problems.append(f"{name} {problem}")
        elif already is not None:
            already.add((name, recorded_sum.size))
    return report


def _check_file(path: Path, recorded: FileSum, full: bool, report: CheckReport) -> str | None:
    """What is wrong with one file, or None."""
    try:
        size, head, tail = _ends_sum(path)
        report.files += 1
        if size != recorded.size:
            return f"is {size} bytes long, the commit wrote {recorded.size}"
        if (head, tail) != (recorded.head_crc32, recorded.tail_crc32):
            return "was changed since the commit (checksum of its ends)"
        if full or size <= FULL_CHECK_BYTES:
            report.bytes_read += size
            if file_sum(path).crc32 != recorded.crc32:
                return "was changed since the commit (checksum)"
    except FileNotFoundError:
        return "is missing"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    return None


_TABLE_OF_CONTENTS = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")


def latest_generation(folder: Path) -> int:
    """The generation of the newest table of contents in ``folder``, -1 if
    none: read from the names alone, so it never fails on a damaged file."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return -1
    return max((int(found.group(1)) for name in names
                if (found := _TABLE_OF_CONTENTS.match(name))), default=-1)
