"""Run one command; write its wall time, CPU time, peak memory and exit code as JSON.

    python -S launch.py RESULT.json COMMAND...

Two memory figures, because an engine may run several processes at once:

* ``peak_rss_bytes``: ``ru_maxrss`` from ``wait4``, the largest single process
  among the command and the children it waited for. Linux starts it at the
  high-water mark of the address space the command was spawned from, so a child
  of the benchmark runner would show at least the runner's own peak; spawned
  from this small process, the floor is a bare interpreter's (about 8 MB).
* ``peak_tree_pss_bytes``: the largest sum of PSS (shared pages split between
  the processes sharing them) over the command's process tree, sampled every
  ``SAMPLE_SECONDS``: what the processes running together took.
"""

import json
import os
import sys
import threading
import time

SAMPLE_SECONDS = 0.2
"""A sample costs about 3 ms of CPU: 1.5% of a core."""


def _parents() -> dict[int, int]:
    """Parent of every process now running."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    # "pid (command name) state ppid …": the name may hold spaces
                    parents[int(name)] = int(stat.read().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    return parents


def tree_pss_bytes(root: int) -> int:
    """Summed PSS of ``root`` and its descendants."""
    parents = _parents()
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


class _TreeSampler(threading.Thread):
    """Samples the process tree's PSS until told to stop; the main thread waits
    for the command meanwhile, so the wall time is exact."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_pss_bytes(self.root))


def main(result: str, command: list[str]) -> None:
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    sampler = _TreeSampler(pid)
    sampler.start()
    _pid, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    with open(result, "w") as out:
        json.dump({
            "seconds": seconds,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux: KiB
            "peak_tree_pss_bytes": sampler.peak,
            "exit_code": os.waitstatus_to_exitcode(status),
        }, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
