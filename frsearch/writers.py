"""Whoosh writers that commit all of a run or nothing of it.

Whoosh's writers make a commit visible by renaming its table of contents into
place. frsearch's writers add three things before that rename:

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

import os
import pickle
import queue
import signal
import sys
from pathlib import Path

from whoosh.index import TOC, LockError, clean_files
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from frsearch.errors import IndexLockedError, IndexWriteError
from frsearch.storage import delete_old_checksums, write_checksums

__all__ = ["open_writer"]

WRITER_PROCESSES = 2
WRITER_MB = 256
"""Whoosh's estimate of the postings a writer process may hold in memory before
sorting them to disk. Below it, a 10 MB corpus never spills (spilling pickles
each posting twice). On the 100 MB Littré each process peaks near 400 MB and the
run takes 139 s; with 1024 it peaks at 1.1 GB and takes 119 s."""
_OUT_OF_MEMORY = 3
"""Exit status of a sub-writer that ran out of memory."""
_POLL_SECONDS = 0.2
"""How often a blocked hand-over to the sub-writers checks they are alive."""


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


class _ChecksummedCommit:
    """Writes the checksums of a commit's files before the commit itself, and
    keeps the files of the commit it replaces."""

    def _commit_toc(self, segments):
        folder = Path(self.storage.folder)
        write_checksums(folder, self.generation, segments)
        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)
        clean_files(self.storage, self.indexname, self.generation, [*segments, *self.segments])
        delete_old_checksums(folder, self.generation)


class SerialWriter(_ChecksummedCommit, SegmentWriter):
    """Whoosh's writer, in this process."""


class ParallelWriter(_ChecksummedCommit, MpWriter):
    """Whoosh's multi-process writer, made to account for each sub-writer.

    Documents go to the sub-writers in job files through a bounded queue; a
    hand-over that waits checks that they are alive, so a run whose
    sub-writers all died fails instead of waiting forever.
    """

    def _new_task(self):
        task = _SubWriter(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                          self.subargs, self.multisegment,
                          lock_descriptor=getattr(self.writelock, "fd", None))
        self.tasks.append(task)
        task.start()
        return task

    def _enqueue(self):
        name = f"{random_name()}.doclist"
        with self.temp_storage().create_file(name).raw_file() as jobfile:
            for item in self.docbuffer:
                pickle.dump(item, jobfile, pickle.HIGHEST_PROTOCOL)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._hand_over((name, len(self.docbuffer)))
        self.docbuffer = []

    def _hand_over(self, job) -> None:
        while True:
            try:
                self.jobqueue.put(job, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                dead = [task for task in self.tasks if not task.is_alive()]
                if dead:
                    raise IndexWriteError(_failure(dead[0], None)) from None

    def _commit(self, mergetype, optimize, merge):
        try:
            if self.docbuffer:
                self._enqueue()
            for _ in self.tasks:
                self._hand_over(None)
            segments = self._merge_segments(mergetype, optimize, merge)
            segments += self._sub_segments()
        except BaseException:
            self.cancel()
            raise
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def _sub_segments(self) -> list:
        """The segment of each sub-writer, once all have finished; raises
        IndexWriteError if any of them failed or died."""
        reported: dict[int, tuple[str, object]] = {}
        while len(reported) < len(self.tasks):
            try:
                pid, outcome, value = self.resultqueue.get(timeout=_POLL_SECONDS)
                reported[pid] = (outcome, value)
            except queue.Empty:
                if not any(task.is_alive() for task in self.tasks):
                    try:  # what the last of them sent just before exiting
                        pid, outcome, value = self.resultqueue.get(timeout=1.0)
                        reported[pid] = (outcome, value)
                        continue
                    except queue.Empty:
                        break
        for task in self.tasks:
            task.join()
        for task in self.tasks:
            outcome, value = reported.get(task.pid, ("missing", None))
            if outcome != "done" or task.exitcode != 0:
                raise IndexWriteError(_failure(task, value if outcome == "failed" else None))
        return [reported[task.pid][1] for task in self.tasks]

    def cancel(self):
        for task in self.tasks:
            if task.is_alive():
                task.terminate()  # it waits on its job queue: nothing else would end it
        for task in self.tasks:
            task.join()
        SegmentWriter.cancel(self)


def _failure(task, reason: str | None) -> str:
    """A one-line account of a sub-writer that did not finish."""
    if reason is not None:
        what = f"failed ({reason})"
    elif task.exitcode is not None and task.exitcode < 0:
        name = signal.Signals(-task.exitcode).name
        what = f"was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    elif task.exitcode == _OUT_OF_MEMORY:
        what = "ran out of memory"
    elif task.exitcode is None:
        what = "stopped answering"
    else:
        what = f"exited with status {task.exitcode}"
    return (f"a writer process {what}; nothing of this run was committed, "
            "the index is as it was before it")


class _SubWriter(SubWriterTask):
    """A sub-writer process that always reports: its segment, or why it failed
    (instead of a traceback on the terminal and silence for the parent)."""

    def __init__(self, *args, lock_descriptor: int | None = None):
        super().__init__(*args)
        self._parent = os.getpid()
        self._lock_descriptor = lock_descriptor

    def run(self):
        try:
            self._detach_from_parent()
            ix = self.storage.open_index(self.indexname)
            writer = self.writer = SegmentWriter(ix, _lk=False, **self.kwargs)
            while (job := self.jobqueue.get()) is not None:
                self._process_file(*job)
            self.resultqueue.put((os.getpid(), "done", writer._finalize_segment()))
        except BaseException as error:
            try:  # out of memory, even this may fail: the exit status still tells
                self.resultqueue.put((os.getpid(), "failed", f"{type(error).__name__}: {error}"))
            except BaseException:
                pass
            raise SystemExit(_OUT_OF_MEMORY if isinstance(error, MemoryError) else 1) from None

    def _detach_from_parent(self) -> None:
        """Forked, this process holds the parent's lock file open: a parent
        killed with SIGKILL would leave it waiting on its job queue forever,
        and the index locked for every later writer. It closes its copy of the
        lock and dies with the parent. Ctrl-C is the parent's to handle (it
        cancels the whole write)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if self._lock_descriptor is not None:
            os.close(self._lock_descriptor)
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != self._parent:  # it died before that
            os._exit(1)
