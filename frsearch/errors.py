"""The errors frsearch raises: one class per thing a caller can act on."""

from __future__ import annotations

__all__ = [
    "FrsearchError",
    "IndexClosedError",
    "IndexDamagedError",
    "IndexExistsError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexTamperedError",
    "IndexWriteError",
    "NotAnIndexError",
]


class FrsearchError(Exception):
    """Base of every error frsearch raises on purpose; its message is one line
    that says what happened and what to do."""


class IndexNotFoundError(FrsearchError):
    """No index at the given path: build one with ``frsearch index``."""


class NotAnIndexError(FrsearchError):
    """The path holds something that is not an frsearch index; it is left alone."""


IndexExistsError = NotAnIndexError
"""The old name of :class:`NotAnIndexError`, kept for callers that catch it."""


class IndexDamagedError(FrsearchError):
    """The index cannot be read (damaged files, or written by an incompatible version)."""


class IndexLockedError(FrsearchError):
    """Another writer (a process, or a thread of this one) holds the index and
    did not finish in time."""

    @classmethod
    def at(cls, folder: object) -> IndexLockedError:
        return cls(f"index is locked by another writer (a process, or a thread of this one): "
                   f"{folder} (wait for it, or pass a longer lock_timeout)")


class IndexTamperedError(IndexDamagedError):
    """An index file holds something frsearch never writes (such as a pickle
    that would run code): it is refused, and nothing it holds is run."""


class IndexWriteError(FrsearchError):
    """A write could not finish (a writer process died or failed): nothing of
    it was committed, the index is as the last commit left it."""


class IndexClosedError(FrsearchError):
    """The Index was closed: open the folder again to use it."""
