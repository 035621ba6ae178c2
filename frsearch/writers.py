"""Whoosh writers that commit all of a run or nothing of it.

Whoosh's writers make a commit visible by renaming its table of contents into
place. frsearch's writers add three things before that rename:

(The writer classes are in ``whoosh_internals``: they extend Whoosh's.)

- the checksums of the files the commit lists, recorded durably
  (``storage.write_checksums``), so that damage is found by the next reader;
- with two writer processes, the proof that every one of them finished:
  Whoosh's own parallel writer commits whatever results arrived within a
  second, so a sub-writer killed by the OOM killer lost its passages silently;
  here a missing, failed or killed sub-writer fails the run with
  ``IndexWriteError`` and nothing is committed;
- the previous commit's files are kept until the next commit (Whoosh deletes
  them at once): a searcher that opened that commit reads some of its files
  only when a query first needs them.
"""

from __future__ import annotations

from whoosh.index import LockError

from frsearch.errors import IndexLockedError
from frsearch.whoosh_internals import ParallelWriter, SerialWriter

__all__ = ["open_writer"]

WRITER_PROCESSES = 2
WRITER_MB = 256
"""Whoosh's estimate of the postings a writer process may hold in memory before
sorting them to disk. Below it, a 10 MB corpus never spills (spilling pickles
each posting twice). On the 100 MB Littré each process peaks near 400 MB and the
run takes 139 s; with 1024 it peaks at 1.1 GB and takes 119 s."""


def open_writer(whoosh_ix, codec, parallel: bool, lock_timeout: float):
    """A writer of ``whoosh_ix``: two processes if ``parallel``.

    Segments stay separate files (not compound): Whoosh reads a compound file
    into memory whenever the index is opened. In parallel, each process writes
    a segment of its own (multisegment): merging them would cost what the
    second core saved. Raises IndexLockedError if another writer holds the
    index for longer than ``lock_timeout`` seconds.
    """
    options = dict(timeout=lock_timeout, delay=0.1, limitmb=WRITER_MB, codec=codec,
                   compound=False)
    try:
        if parallel:
            return ParallelWriter(whoosh_ix, procs=WRITER_PROCESSES, multisegment=True,
                                  **options)
        return SerialWriter(whoosh_ix, **options)
    except LockError:
        raise IndexLockedError(
            f"index is locked by another frsearch process: {whoosh_ix.storage.folder} "
            "(wait for it, or pass a longer lock_timeout)") from None
