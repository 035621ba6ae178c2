"""No silent loss when a writer process dies: ``frsearch index`` killed at random.

Each run indexes new articles (a slice of the Littré of a few MB, large enough
for frsearch to write with two sub-writer processes; ids and a marker word of
the run's own on every passage) with ``frsearch index RUN.jsonl --index IX``,
and at a random moment of the run's expected duration one process of the
writer's tree is killed with SIGKILL: the parent or one of its children (found
in /proc), now and then none. With ``--oom``, a child writer is given a memory
limit just above what it maps when it starts instead (``prlimit``), so that it
fails with MemoryError.

After each run, the index is opened through the API and checked:

(a) a run that exited 0 has every passage of every article it was given;
(b) a run that lost work (killed, or passages missing) did not exit 0;
(c) the index opens (not "damaged") and searches; the passages of earlier
    complete runs are all still there;
(d) no run hangs: one still running after the time limit is killed and counted.

    .venv/bin/python benchmarks/kill_storm.py              # 30 runs, SIGKILL
    .venv/bin/python benchmarks/kill_storm.py --runs 8     # a quick look
    .venv/bin/python benchmarks/kill_storm.py --oom        # memory limit instead

Exit status: 0 no fault, 1 faults found.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import corpus
from faults_common import (
    Tally,
    check_markers,
    descendants,
    error_kind,
    exception_kind,
    frsearch_command,
    is_running,
    kill_all,
    littre_records,
    marker,
    table,
    verdict,
    virtual_bytes,
    work_dir,
    write_jsonl,
)

MARKER_PREFIX = "zqxk"
COMMON_WORD = "cheval"
POLL_SECONDS = 0.02
MIN_HANG_SECONDS = 30.0
HANG_FACTOR = 3.0
"""A run still going after this many times the expected duration (the median of
the runs left alone) hangs, or after MIN_HANG_SECONDS if that is longer."""
KILL_SPAN = 1.25
"""Kills fall at random in this many times the expected duration."""
FIRST_RUN_SECONDS = 60.0
"""What the first run (left alone, to measure) is expected to take at most."""
_SUMMARY = re.compile(r"(\d+) articles read: (\d+) added.*?; (\d+) passages written")


@dataclass
class Run:
    """One run of ``frsearch index``: what it was given, what was done to it, what
    it said, and what the index held afterwards."""

    number: int
    path: Path
    articles: int
    passages: int
    marker: str
    action: str = "none"       # none, parent, child, "oom (+N MB)", "none (…)"
    action_at: float | None = None
    exit: int | None = None
    seconds: float = 0.0
    said: str = ""
    hung: bool = False
    hang_state: str = ""       # what each process of a hung run was waiting on
    oom_seen: bool = False     # "MemoryError" in what it printed
    present: int | None = None  # its passages found after the run
    verdict: str = ""
    faults: list[str] = field(default_factory=list)

    @property
    def exited_ok(self) -> bool:
        return self.exit == 0


# -- the inputs ---------------------------------------------------------------------


def run_inputs(data: Path, work: Path, size: int) -> Iterator[tuple[Path, int]]:
    """For run 0, 1, 2…: a JSON Lines file of at least ``size`` bytes of new
    articles. Consecutive slices of the Littré (from the start again when it runs
    out); each article's id is prefixed with the run's number, and each passage
    holds the run's marker, so that every run adds articles the index lacks."""
    number = 0
    while True:
        for records in _slices(littre_records(data), size):
            word = marker(number, MARKER_PREFIX)
            path = work / f"run-{number:03d}.jsonl"
            write_jsonl(path, ({
                "id": f"k{number:03d}-{record['id']}",
                "title": f"{record['title']} {word}",
                "paragraphs": [f"{paragraph} {word}" for paragraph in record["paragraphs"]],
            } for record in records))
            yield path, number
            number += 1


def _slices(records: Iterator[dict], size: int) -> Iterator[list[dict]]:
    """Runs of consecutive records of about ``size`` bytes as JSON Lines (with
    room for the markers: they are measured without)."""
    taken: list[dict] = []
    bytes_taken = 0
    for record in records:
        taken.append(record)
        bytes_taken += len(json.dumps(record, ensure_ascii=False).encode()) + 1
        if bytes_taken >= size:
            yield taken
            taken, bytes_taken = [], 0


def expected_content(path: Path) -> tuple[int, int]:
    """Articles and passages frsearch makes of ``path``: what a complete run adds."""
    import frsearch

    articles = passages = 0
    for article in frsearch.read_articles([path]):
        articles += 1
        passages += len(article.passages)
    return articles, passages


def parallel_threshold() -> int:
    """The input size from which frsearch writes with sub-writer processes."""
    try:
        from frsearch.index import PARALLEL_FROM_BYTES
    except ImportError:
        return 4_000_000
    return PARALLEL_FROM_BYTES


# -- one run --------------------------------------------------------------------------


def _said(stdout: str, stderr: str) -> str:
    """What the run claimed, in a few words: its closing summary, or its last line."""
    found = _SUMMARY.search(stderr)
    if found:
        return f"{found.group(2)} added, {found.group(3)} passages"
    errors = [line for line in stderr.splitlines() if line.startswith("frsearch:")]
    if errors:
        return errors[-1]
    tail = [line for line in stderr.splitlines() if line.strip() and "indexing:" not in line]
    return f"(no summary; last line: {tail[-1].strip()})" if tail else "(no summary)"


def _limit_memory(pid: int, rng: random.Random) -> int | None:
    """Give ``pid`` an address-space limit a little above what it maps now: its
    next large allocations fail, as if the machine ran out of memory."""
    mapped = virtual_bytes(pid)
    if mapped is None:
        return None
    margin = rng.randint(1, 12)
    limit = mapped + margin * 1024 * 1024
    try:
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except OSError:  # gone meanwhile, or not ours to limit
        return None
    return margin


def execute(run: Run, index_dir: Path, expected_seconds: float, hang_after: float,
            kill: bool, oom: bool, rng: random.Random, log: Path) -> set[int]:
    """Run ``frsearch index`` on ``run.path``, doing to it what the storm does;
    fills in the exit, what it said, what was done; returns every pid of its tree."""
    stdout_path, stderr_path = log / f"run-{run.number:03d}.out", log / f"run-{run.number:03d}.err"
    # a little past the expected end: a kill as the run commits is the likeliest to lose
    delay = rng.uniform(0.0, KILL_SPAN * expected_seconds) if kill else None
    oom_child = rng.randint(0, 1)  # which sub-writer gets the limit, in order of start
    seen: set[int] = set()
    started = time.monotonic()
    with stdout_path.open("w") as out, stderr_path.open("w") as err:
        process = subprocess.Popen([*frsearch_command(), "index", str(run.path), "--index",
                                    str(index_dir)], stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL)
        seen.add(process.pid)
        done_to_it = False
        while process.poll() is None:
            now = time.monotonic() - started
            children = sorted(descendants(process.pid))
            seen.update(children)
            if delay is not None and not done_to_it and now >= delay:
                done_to_it = True
                if children and rng.random() < 2 / 3:
                    victim, run.action = rng.choice(children), "child"
                else:
                    victim, run.action = process.pid, "parent"
                run.action_at = now
                kill_all([victim])
            if oom and not done_to_it and len(children) > oom_child:
                done_to_it = True
                margin = _limit_memory(children[oom_child], rng)
                if margin is not None:
                    run.action, run.action_at = f"oom (+{margin} MB)", now
            if now > hang_after:
                run.hung = True
                run.hang_state = process_states([process.pid, *descendants(process.pid)])
                kill_all([process.pid, *descendants(process.pid)])
                process.wait()
                break
            time.sleep(POLL_SECONDS)
        if delay is not None and not done_to_it:
            run.action = "none (ended first)"
        elif oom and not done_to_it:
            run.action = "none (no child seen)"
    run.seconds = time.monotonic() - started
    run.exit = process.returncode
    stdout = stdout_path.read_text(errors="replace")
    stderr = stderr_path.read_text(errors="replace")
    run.said = _said(stdout, stderr)
    run.oom_seen = "MemoryError" in stderr
    return seen


def process_states(pids: list[int]) -> str:
    """Each process's state and kernel wait channel, e.g. ``123 S futex_wait_queue``:
    where a hung run was stuck, for whoever looks into it."""
    states = []
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            wchan = Path(f"/proc/{pid}/wchan").read_text().strip() or "-"
        except OSError:
            continue
        states.append(f"{pid} {stat[stat.rindex(')') + 2]} {wchan}")
    return "; ".join(states)


def leftovers(pids: set[int]) -> list[int]:
    """Processes of a finished run still running (sub-writers orphaned by their
    parent's death), after a moment's grace; they are killed."""
    deadline = time.monotonic() + 2.0
    while True:
        alive = [pid for pid in pids if is_running(pid) and _is_frsearch(pid)]
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    kill_all(alive)
    return alive


def _is_frsearch(pid: int) -> bool:
    """True if ``pid`` still runs frsearch (not a new process that took its id)."""
    try:
        return b"frsearch" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


# -- checking the index --------------------------------------------------------------


@dataclass
class Check:
    """What the index held after a run."""

    opened: bool = True
    damaged: str = ""
    searched: bool = True
    search_error: str = ""
    articles: int | None = None
    passages: int | None = None
    present: dict[int, int] = field(default_factory=dict)


def check_index(index_dir: Path, runs: list[Run], with_stats: bool) -> Check:
    """Open the index with the API, count each run's passages (by its marker),
    search a common word, and, ``with_stats``, read its stats (slow on a large
    index: they count every article and term)."""
    import frsearch

    check = Check()
    try:
        index = frsearch.open_index(index_dir)
    except Exception as error:
        check.opened, check.damaged = False, exception_kind(error)
        return check
    try:
        for run in runs:
            check.present[run.number] = index.search(run.marker, limit=1, collapse=False).total
        if with_stats:
            stats = index.stats()
            check.articles, check.passages = stats.articles, stats.passages
        if any(check.present.values()) and not index.search(COMMON_WORD, limit=1).hits:
            check.searched, check.search_error = False, f"{COMMON_WORD!r} found nothing"
    except Exception as error:
        check.searched, check.search_error = False, exception_kind(error)
    finally:
        index.close()
    return check


def judge(run: Run, check: Check, earlier: list[Run], faults: Tally) -> None:
    """Name what went wrong in this run, if anything (see the module's a–d)."""

    def fault(kind: str, detail: str = "") -> None:
        run.faults.append(kind)
        faults.add(kind, f"run {run.number}", detail or kind)

    if run.hung:
        fault("hang", f"run {run.number} still running after its time limit "
                      f"(pid state wait-channel, parent first: {run.hang_state})")
    if not check.opened:
        fault("damaged open", check.damaged)
        run.verdict = "index does not open"
        return
    if not check.searched:
        fault("search failed", check.search_error)
    run.present = check.present.get(run.number)
    complete = run.present == run.passages
    if run.present is not None and run.present > run.passages:
        fault("passages duplicated", f"{run.present} of {run.passages} passages")
    if run.exited_ok and not complete:
        fault("silent loss", f"exit 0 but {run.present} of {run.passages} passages present")
        run.verdict = f"SILENT LOSS of {run.passages - (run.present or 0):,} passages"
    elif not run.exited_ok and run.present and not complete:
        fault("partial commit", f"exit {run.exit}, {run.present} of {run.passages} present")
        run.verdict = "failed loudly, but half of it committed"
    elif run.exited_ok:
        run.verdict = "ok"
    elif complete:
        run.verdict = "ok (committed before it died)"
    else:
        run.verdict = "ok (failed loudly, nothing committed)"
    _judge_stats(run, check, [*earlier, run], fault)
    for before in earlier:
        now = check.present.get(before.number)
        if before.present == before.passages and now != before.passages:
            fault("earlier run lost", f"run {before.number}: {now} of {before.passages} "
                                      f"passages after run {run.number}")


def _judge_stats(run: Run, check: Check, runs: list[Run], fault) -> None:
    """The index's own counts must agree with the passages found run by run (the
    index started empty; each passage holds its run's marker once)."""
    if check.passages is None:
        return
    found = sum(check.present.get(r.number) or 0 for r in runs)
    if check.passages != found:
        fault("stats disagree", f"after run {run.number}: stats count {check.passages} "
                                f"passages, the runs' markers {found}")
    if all(check.present.get(r.number) in (0, r.passages) for r in runs):
        articles = sum(r.articles for r in runs if check.present.get(r.number))
        if check.articles != articles:
            fault("stats disagree", f"after run {run.number}: stats count {check.articles} "
                                    f"articles, the complete runs {articles}")


def folder_bytes(folder: Path) -> tuple[int, int]:
    """Bytes under ``folder``, and how many of them are in temporary files and
    folders (``*.tmp``), which a run that died leaves behind."""
    total = temporary = 0
    for path in folder.rglob("*"):
        try:
            size = path.stat().st_size if path.is_file() else 0
        except OSError:
            continue
        total += size
        if any(part.endswith(".tmp") for part in path.relative_to(folder).parts):
            temporary += size
    return total, temporary


# -- the storm ---------------------------------------------------------------------------


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="runs of frsearch index (default 30)")
    parser.add_argument("--oom", action="store_true",
                        help="limit a child writer's memory instead of killing a process")
    parser.add_argument("--big-mb", type=float, default=4.5,
                        help="MB of JSON Lines per run, at least frsearch's threshold for "
                             "sub-writers (default 4.5)")
    parser.add_argument("--none-share", type=float, default=0.1,
                        help="share of runs left alone after the first (default 0.1)")
    parser.add_argument("--hang-seconds", type=float,
                        help=f"a run still going after this long hangs (default: {HANG_FACTOR:g} "
                             f"times the median run left alone, at least {MIN_HANG_SECONDS:g})")
    parser.add_argument("--stats-every", type=int, default=10, metavar="K",
                        help="compare Index.stats with the runs' passages after every K-th "
                             "run and the last (default 10; slow on a large index)")
    parser.add_argument("--data", type=Path, default=corpus.DATA,
                        help=f"where the Littré corpus is or is built (default {corpus.DATA})")
    parser.add_argument("--work", help="folder for the index, inputs and logs (default: a "
                                       "new temporary folder, kept)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main() -> int:
    args = _parse()
    rng = random.Random(args.seed)
    check_markers([marker(n, MARKER_PREFIX) for n in range(max(args.runs, 1))])
    work = work_dir(args.work, "frsearch-kill-storm-")
    index_dir, log = work / "index", work / "logs"
    log.mkdir(exist_ok=True)
    size = max(int(args.big_mb * 1e6), int(parallel_threshold() * 1.05))
    import frsearch

    frsearch.open_index(index_dir, rebuild=True).close()
    mode = "memory limit on a child writer" if args.oom else "SIGKILL at a random moment"
    print(f"kill_storm: {args.runs} runs of frsearch index, {size / 1e6:.1f} MB each, "
          f"{mode}; work folder {work}\n", flush=True)

    runs: list[Run] = []
    faults, messages = Tally(), Tally()
    clean_seconds: list[float] = []  # durations of the runs left alone that exited 0
    kept: list[Run] = []  # runs whose articles the index should still hold
    inputs = run_inputs(args.data, work, size)
    print(f"{'run':>3}  {'done to it':<24} {'at s':>5}  {'exit':>7}  {'s':>5}  {'said':<44}  "
          f"{'present':>15}  verdict", flush=True)
    for number in range(args.runs):
        path, _ = next(inputs)
        articles, passages = expected_content(path)
        run = Run(number, path, articles, passages, marker(number, MARKER_PREFIX))
        calibrating = number == 0
        kill = not args.oom and not calibrating and rng.random() >= args.none_share
        oom = args.oom and not calibrating
        expected = statistics.median(clean_seconds) if clean_seconds else FIRST_RUN_SECONDS
        hang_after = args.hang_seconds or max(MIN_HANG_SECONDS, HANG_FACTOR * expected)
        pids = execute(run, index_dir, expected, hang_after, kill, oom, rng, log)
        if run.exit == 0 and run.action.startswith("none"):
            clean_seconds.append(run.seconds)
        orphans = leftovers(pids)
        with_stats = (number + 1) % args.stats_every == 0 or number == args.runs - 1
        check = check_index(index_dir, [*kept, run], with_stats)
        judge(run, check, kept, faults)
        if orphans:
            run.faults.append("left running")
            faults.add("processes left running", f"run {number}", f"pids {orphans}")
        if run.exit != 0:
            messages.add(error_kind(run.said) if run.exit and run.exit > 0
                         else f"killed by {_exit_text(run.exit)}", f"run {number}", run.said)
        if not check.opened:  # start again from an empty index: later runs stay meaningful
            frsearch.open_index(index_dir, rebuild=True).close()
            kept = []
        else:
            kept.append(run)
        runs.append(run)
        print_run(run)
    return summary(args, runs, faults, messages, folder_bytes(index_dir))


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        return signal.Signals(-code).name
    return str(code)


def print_run(run: Run) -> None:
    at = f"{run.action_at:.1f}" if run.action_at is not None else "-"
    present = f"{run.present:,}/{run.passages:,}" if run.present is not None else "-"
    verdict_text = run.verdict + (f" [{', '.join(run.faults)}]" if run.faults else "")
    oom = " MemoryError" if run.oom_seen else ""
    print(f"{run.number:3}  {run.action + oom:<24} {at:>5}  {_exit_text(run.exit):>7}  "
          f"{run.seconds:5.1f}  {run.said[:44]:<44}  {present:>15}  {verdict_text}", flush=True)


def summary(args, runs: list[Run], faults: Tally, messages: Tally,
            sizes: tuple[int, int]) -> int:
    """The counts the storm is about, the failures' own words, and the verdict."""
    succeeded = [run for run in runs if run.exited_ok]
    counts = [
        ("runs", len(runs)),
        ("exited 0", len(succeeded)),
        ("failures reported (exit ≠ 0)", len(runs) - len(succeeded)),
        ("  of which killed by the storm's SIGKILL", sum(run.exit == -9 and not run.hung
                                                         for run in runs)),
        ("processes acted on: parent / child / oom", " / ".join(
            str(sum(run.action.startswith(kind) for run in runs))
            for kind in ("parent", "child", "oom"))),
        ("runs with MemoryError in their output", sum(run.oom_seen for run in runs)),
        ("silent losses (exit 0, passages missing)", faults.counts["silent loss"]),
        ("partial commits (exit ≠ 0, some passages present)", faults.counts["partial commit"]),
        ("earlier runs' passages lost later", faults.counts["earlier run lost"]),
        ("hangs (killed at the time limit)", faults.counts["hang"]),
        ("damaged opens", faults.counts["damaged open"]),
        ("searches that failed", faults.counts["search failed"]),
        ("runs that left processes running", faults.counts["processes left running"]),
        ("stats disagreeing with the passages found", faults.counts["stats disagree"]),
    ]
    print("\nkill_storm summary" + (" (--oom)" if args.oom else ""))
    print(table(["", "count"], [[name, f"{value:,}" if isinstance(value, int) else value]
                                for name, value in counts]))
    lost = sum(run.passages - (run.present or 0) for run in runs
               if run.exited_ok and "silent loss" in run.faults)
    if lost:
        print(f"\npassages lost by runs that exited 0: {lost:,}")
    print(f"\nindex folder at the end: {sizes[0] / 1e6:,.0f} MB, of which "
          f"{sizes[1] / 1e6:,.0f} MB in temporary files left by runs that died")
    if messages.total():
        print("\nwhat the failed runs said:")
        rows = [[count, _shorten(where), said] for count, where, said in messages.rows()]
        print(table(["count", "runs", "said"], rows))
    if faults.total():
        print("\nfaults, first example of each:")
        for kind, _ in faults.counts.most_common():
            print(f"  {kind}: {faults.examples[kind][:200]}")
    for run in runs:
        if run.hung:
            print(f"  run {run.number} hung; pid state wait-channel: {run.hang_state}")
    if args.oom and not any(run.action.startswith("oom") for run in runs):
        print("\nnote: no child writer was given a memory limit")
    return verdict(faults.total(), "faults: silent losses, partial commits, later losses, "
                                   "hangs, damaged opens, failed searches, processes left")


def _shorten(runs_text: str, width: int = 30) -> str:
    return runs_text if len(runs_text) <= width else runs_text[:width - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
