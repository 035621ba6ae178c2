"""The index folder: which files are the index's, who may write them, and
the settings kept beside them.

Only files this layout names are ever deleted (a user's ``passages-notes.txt``
beside them is not one); writers take the lock file before changing anything;
settings are written whole or not at all, and record the format the index was
written in, so that another version of frsearch says "rebuild" instead of
misreading it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import time
from pathlib import Path

from frsearch.codec import FORMAT_VERSION
from frsearch.errors import IndexDamagedError, IndexExistsError, IndexLockedError
from frsearch.indexing import build_schema
from frsearch.storage import CHECKSUMS_PREFIX, INDEX_NAME, latest_generation, write_checksums
from frsearch.whoosh_internals import IndexStorage, read_table_of_contents

__all__ = [
    "DICTIONARY_PREFIX",
    "INDEX_NAME",
    "SETTINGS_FILE",
    "TEMPORARY_FOLDER",
    "check_format",
    "create_index",
    "delete_index_files",
    "delete_unused_dictionaries",
    "holds_segments",
    "index_storage",
    "is_index_file",
    "read_settings",
    "remove_index",
    "snapshot",
    "temporary_files",
    "write_json",
]

SETTINGS_FILE = "frsearch.json"
DICTIONARY_PREFIX = f"{INDEX_NAME}-dictionary-"
"""Start of the names of the files of preset dictionaries (see ``codec``)."""


def refuse_foreign_files(folder: Path) -> None:
    """Raise IndexExistsError if ``folder`` holds files that are not an
    index's: a folder about to be started over must hold only those."""
    foreign = sorted(f.name for f in folder.iterdir() if not is_index_file(f.name)) \
        if folder.is_dir() else []
    if foreign:
        raise IndexExistsError(
            f"{folder} holds files that are not an frsearch index ({', '.join(foreign[:3])}); "
            "choose another folder")


def delete_index_files(folder: Path) -> None:
    """Delete the index's own files in ``folder``, once no writer holds it."""
    if not folder.is_dir():
        return
    refuse_foreign_files(folder)  # before deleting anything
    lock = index_storage(folder).lock(f"{INDEX_NAME}_WRITELOCK")
    if not lock.acquire(blocking=False):
        raise IndexLockedError.at(folder)
    try:
        for file in folder.iterdir():
            if file.name == TEMPORARY_FOLDER and file.is_dir():
                shutil.rmtree(file)
            elif (file.is_file() and is_index_file(file.name)
                    and file.name not in (f"{INDEX_NAME}_WRITELOCK", SETTINGS_FILE)):
                file.unlink()
    finally:
        lock.release()


def remove_index(folder: Path) -> None:
    """Delete the index in ``folder``, and the folder once empty: what
    ``frsearch index`` does with the index it made in a run that read nothing,
    so that a wrong path leaves no empty index behind."""
    delete_index_files(folder)
    for name in (f"{INDEX_NAME}_WRITELOCK", SETTINGS_FILE):
        (folder / name).unlink(missing_ok=True)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def write_json(path: Path, value) -> None:
    """Write ``path`` whole or not at all: readers never see half a file."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(value, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def read_settings(folder: Path) -> dict:
    try:
        return json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise IndexDamagedError(f"settings of the index at {folder} cannot be read: {error}") \
            from None


def index_storage(folder: Path) -> IndexStorage:
    return IndexStorage(folder, build_schema())


def snapshot(whoosh_ix) -> tuple[int, list]:
    """The generation and segments of the last commit, its table of contents
    read once (a commit may replace it at any time)."""
    toc = read_table_of_contents(whoosh_ix)
    return toc.generation, toc.segments


_SEGMENT_FILE = re.compile(rf"^{INDEX_NAME}_[a-z0-9]{{16}}\.")


def holds_segments(folder: Path) -> bool:
    """True if ``folder`` holds segment files (which a table of contents lists;
    an index being created holds none yet)."""
    return any(_SEGMENT_FILE.match(f.name) for f in folder.iterdir())


def dictionary_files(segments) -> set[str]:
    return {name for segment in segments
            if (name := getattr(segment.codec(), "dictionary_file", None))}


def delete_other_commits(folder: Path, generation: int, segments) -> None:
    """Delete every index file but those of ``segments`` (the new commit's and
    the one it replaced, which a searcher may still be reading) and of the
    commit ``generation``: earlier tables of contents, segments, checksums
    and dictionaries, files of older versions. Called by a rebuild's writer
    once its commit is in place, the writers' lock still held (no other
    writer has files here)."""
    kept = {f"_{INDEX_NAME}_{generation}.toc", f"{CHECKSUMS_PREFIX}{generation}.json",
            f"{CHECKSUMS_PREFIX}{generation - 1}.json", f"{INDEX_NAME}_WRITELOCK",
            *dictionary_files(segments)}
    prefixes = tuple(f"{segment.segment_id()}." for segment in segments)
    for file in folder.iterdir():
        name = file.name
        if (file.is_file() and is_index_file(name) and name not in kept
                and not name.startswith(prefixes) and not name.startswith(SETTINGS_FILE)):
            file.unlink(missing_ok=True)


def delete_unused_dictionaries(folder: Path, whoosh_ix) -> None:
    """Delete the dictionary files no committed segment is read with (left by
    runs that were cancelled, or whose segments were merged since). Only while
    holding the writers' lock: another writer's new file is not yet committed."""
    used = dictionary_files(snapshot(whoosh_ix)[1])
    for file in folder.glob(f"{DICTIONARY_PREFIX}*"):
        if file.name not in used:
            file.unlink(missing_ok=True)


_INDEX_FILE = rf"""^(?:
    _{INDEX_NAME}_\d+\.toc(?:\.[\d.]+)?               # tables of contents (and being written)
    | {INDEX_NAME}_[a-z0-9]{{16}}\.(?:pst|trm|[a-z_]+\.col)  # segment files
    | {INDEX_NAME}_WRITELOCK
    | {INDEX_NAME}-checksums-\d+\.json(?:\.tmp)?
    | {INDEX_NAME}-dictionary-[0-9a-f]+\.zdict(?:\.tmp)?
    | {INDEX_NAME}-files\.json(?:\.tmp)?                 # written by frsearch before format 2
    | {re.escape(SETTINGS_FILE)}(?:\.tmp)?
    | {INDEX_NAME}\.tmp                                   # the writers' temporary folder
)$"""


TEMPORARY_FOLDER = f"{INDEX_NAME}.tmp"
"""Where Whoosh's writers keep sorting runs and job files until their commit."""


def temporary_files(folder: Path) -> list[Path]:
    """The files in the writers' temporary folder. Taken before a writer waits
    for the lock: once it holds it, the writer that made them has finished
    (and deleted them) or was killed, and they can go."""
    return [file for file in (folder / TEMPORARY_FOLDER).glob("*") if file.is_file()]


def is_index_file(name: str) -> bool:
    """A file an frsearch index, or one being made, holds: only these are ever
    deleted (a user's ``passages-notes.txt`` beside them is not one)."""
    return _index_file_pattern().match(name) is not None


@functools.cache
def _index_file_pattern() -> re.Pattern:
    """``_INDEX_FILE`` compiled, the first time a file is deleted (a search
    never needs it: compiled on import, it took a millisecond of every
    ``frsearch query``)."""
    return re.compile(_INDEX_FILE, re.VERBOSE)


def create_index(folder: Path, timeout: float = 10.0) -> None:
    """An empty index in ``folder``, unless another process makes one meanwhile.

    Two first runs may start together, and Whoosh's ``create_in`` deletes the
    index files it finds: creation holds the writers' lock, and looks again.
    """
    folder.mkdir(parents=True, exist_ok=True)
    storage = index_storage(folder)
    lock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
    deadline = time.monotonic() + timeout
    while not lock.acquire():
        if latest_generation(folder) >= 0:
            return  # made by the process holding the lock, now writing to it
        if time.monotonic() > deadline:
            raise IndexLockedError.at(folder)
        time.sleep(0.05)
    try:
        if latest_generation(folder) >= 0 or holds_segments(folder):
            return  # made meanwhile, or damaged: open_index says which
        write_checksums(folder, 0, [])
        write_json(folder / SETTINGS_FILE, {**read_settings(folder), "format": FORMAT_VERSION})
        storage.create_index(build_schema(), INDEX_NAME)
    finally:
        lock.release()


def check_format(folder: Path) -> None:
    """Raise IndexDamagedError if the settings say another format: an index
    written by another version of frsearch is named as such, not misread."""
    written = read_settings(folder).get("format")
    if written is not None and written != FORMAT_VERSION:
        raise IndexDamagedError(
            f"index at {folder} was written by another version of frsearch (format "
            f"{written}, this one reads {FORMAT_VERSION}); open it with rebuild=True to start over")
