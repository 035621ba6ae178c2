"""Whoosh writers that commit all of a run or nothing of it.

Whoosh's writers make a commit visible by renaming its table of contents into
place. frsearch's writers add three things before that rename:

- the checksums of the files the commit lists, recorded durably
  (``storage.write_checksums``), so that damage is found by the next reader;
- with writer processes, the proof that every one of them finished:
  Whoosh's own parallel writer commits whatever results arrived within a
  second, so a sub-writer killed by the OOM killer lost its passages silently;
  here a missing, failed or killed sub-writer fails the run with
  ``IndexWriteError`` and nothing is committed;
- the previous commit's files are kept until the next commit (Whoosh deletes
  them at once): a searcher that opened that commit reads some of its files
  only when a query first needs them.

The writer classes are in ``whoosh_internals``: they extend Whoosh's, and
keep each segment's postings in ``segments.PostingsBuffer`` until it is
written, instead of Whoosh's sorted pool of tuples.
"""

from __future__ import annotations

import os

from whoosh.index import LockError

from frsearch.errors import IndexLockedError
from frsearch.whoosh_internals import ParallelWriter, SerialWriter

__all__ = ["open_writer", "writer_processes"]

PROCESSES_ENV = "FRSEARCH_WRITER_PROCESSES"
"""Environment variable that sets how many writer processes a parallel run
starts (for measuring; default: one per CPU, ``os.cpu_count()``)."""


def writer_processes() -> int:
    """How many writer processes a parallel run starts: one per CPU (each
    analyses and writes the articles it is given; the reading process only
    reads), at least two, or ``FRSEARCH_WRITER_PROCESSES``."""
    chosen = os.environ.get(PROCESSES_ENV, "")
    if chosen.strip().isdigit() and int(chosen) > 0:
        return int(chosen)
    return max(2, os.cpu_count() or 1)


def open_writer(whoosh_ix, codec, parallel: bool, lock_timeout: float):
    """A writer of ``whoosh_ix``: ``writer_processes()`` processes if ``parallel``.

    Segments stay separate files (not compound): Whoosh reads a compound file
    into memory whenever the index is opened. In parallel, each process writes
    a segment of its own (multisegment): merging them would cost what the
    second core saved. Raises IndexLockedError if another writer holds the
    index for longer than ``lock_timeout`` seconds.
    """
    options = dict(timeout=lock_timeout, delay=0.1, codec=codec, compound=False)
    try:
        if parallel:
            return ParallelWriter(whoosh_ix, procs=writer_processes(), multisegment=True,
                                  **options)
        return SerialWriter(whoosh_ix, **options)
    except LockError:
        raise IndexLockedError.at(whoosh_ix.storage.folder) from None
