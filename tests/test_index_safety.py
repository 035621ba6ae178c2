"""The index on disk under faults: missing, damaged, a writer killed mid-run,
two writers at once. Nothing committed is ever lost, and nothing is overwritten
without being asked."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import frsearch
from frsearch.index import PARALLEL_FROM_BYTES

ONE_LINE = re.compile(r"^frsearch: [^\n]+\n$")


# -- a synthetic corpus ---------------------------------------------------------

def _seed_sentences() -> list[str]:
    text = " ".join(passage.text for article in frsearch.read_articles([frsearch.seeds_dir()])
                    for passage in article.passages)
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]


SENTENCES = _seed_sentences()


def marker(number: int) -> str:
    """A made-up word that only article ``number`` holds: ``zqbaa``…"""
    letters, number = "", number + 26 * 26
    while number:
        number, rest = divmod(number, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return "zq" + letters


def write_corpus(path: Path, first: int, count: int = 0, min_bytes: int = 0) -> range:
    """Synthetic French articles ``first``… as JSON Lines, ``count`` of them or
    as many as make ``min_bytes``; each holds its marker word."""
    rng = random.Random(first)
    number = first
    with path.open("w", encoding="utf-8") as out:
        while number < first + count or out.tell() < min_bytes:
            paragraphs = [" ".join(rng.choices(SENTENCES, k=rng.randint(1, 3)))
                          for _ in range(rng.randint(2, 5))]
            paragraphs[-1] += f" Référence {marker(number)}."
            out.write(json.dumps({"id": f"synth-{number}", "title": f"Dépêche {number}",
                                  "date": "2022-01", "paragraphs": paragraphs},
                                 ensure_ascii=False) + "\n")
            number += 1
    return range(first, number)


def passages_in(*paths: Path) -> int:
    return sum(len(article.passages) for article in frsearch.read_articles(paths))


# -- what an index holds ----------------------------------------------------------

PROBES = ["Poutine", "sanctions", "Ukraine invasion", '"lignes rouges"', "Genève"]


def view(folder: Path, markers: range = range(0)) -> dict:
    """Counts, the passages a few queries find, and which markers are found,
    read by a fresh reader (another process's view)."""
    with frsearch.open_index(folder) as index:
        stats = index.stats()
        found = {query: sorted(hit.passage_id for hit in
                               index.search(query, limit=100_000, collapse=False).hits)
                 for query in PROBES}
        missing = [n for n in markers
                   if f"synth-{n}" not in {h.article_id for h in index.search(marker(n)).hits}]
    return {"articles": stats.articles, "passages": stats.passages, "found": found,
            "missing markers": missing}


def committed_files(folder: Path) -> dict[str, str]:
    """Tables of contents and the files the last commit lists (its segments and
    their dictionaries: a cancelled run's leftovers are not committed), with a
    hash of their bytes."""
    checksums = max(folder.glob("passages-checksums-*.json"),
                    key=lambda f: int(f.stem.rsplit("-", 1)[1]))
    listed = json.loads(checksums.read_text(encoding="utf-8"))["files"]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in folder.iterdir()
            if f.is_file() and (f.name in listed or f.suffix == ".toc")}


def _live_processes(field: int, value: int) -> list[int]:
    """Live (not zombie) processes whose /proc stat field ``field`` (counted
    after the state: 1 parent, 2 process group) is ``value``, sorted."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[field]) == value and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def group_members(pgid: int) -> list[int]:
    """Live processes of a process group."""
    return _live_processes(2, pgid)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpora")
    base = write_corpus(root / "base.jsonl", 0, count=100)
    serial = write_corpus(root / "serial.jsonl", 1000, count=2400)
    parallel = write_corpus(root / "parallel.jsonl", 10_000,
                            min_bytes=int(PARALLEL_FROM_BYTES * 1.05))
    small = write_corpus(root / "small.jsonl", 50_000, count=30)
    other = write_corpus(root / "other.jsonl", 60_000, count=30)
    assert (root / "serial.jsonl").stat().st_size < PARALLEL_FROM_BYTES
    ranges = {"base": base, "serial": serial, "parallel": parallel, "small": small,
              "other": other}
    return root, ranges


@pytest.fixture(scope="module")
def base_index(corpora, tmp_path_factory):
    """Seeds and 100 synthetic articles, committed; copy it before changing it."""
    root, _ = corpora
    folder = tmp_path_factory.mktemp("base") / "index"
    with frsearch.open_index(folder, create=True) as index:
        index.add([frsearch.seeds_dir(), root / "base.jsonl"])
    return folder


@pytest.fixture
def index_copy(base_index, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(base_index, folder)
    return folder


# -- missing and damaged ------------------------------------------------------------

def test_missing_index_is_one_line_and_exit_2(cli, tmp_path):
    for command in (["query", "sanctions"], ["stats"], ["query", "x", "--json"]):
        done = cli(*command, "--index", str(tmp_path / "nowhere"))
        assert done.returncode == 2 and done.stdout == ""
        assert ONE_LINE.match(done.stderr) and "no index at" in done.stderr
    assert not (tmp_path / "nowhere").exists()


def _cut(path: Path, size: int) -> None:
    path.write_bytes(path.read_bytes()[:size])


def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(path.name).randbytes(path.stat().st_size))


def _largest(folder: Path, suffix: str) -> Path:
    return max(folder.glob(f"*{suffix}"), key=lambda f: f.stat().st_size)


DAMAGE = {
    "postings cut in half": lambda f: _cut(_largest(f, ".pst"),
                                          _largest(f, ".pst").stat().st_size // 2),
    "postings cut to 10 bytes": lambda f: _cut(_largest(f, ".pst"), 10),
    "postings emptied": lambda f: _cut(_largest(f, ".pst"), 0),
    "postings garbage": lambda f: _garbage(_largest(f, ".pst")),
    "postings deleted": lambda f: _largest(f, ".pst").unlink(),
    "table of contents garbage": lambda f: _garbage(_largest(f, ".toc")),
    "table of contents cut": lambda f: _cut(_largest(f, ".toc"),
                                            _largest(f, ".toc").stat().st_size // 2),
    "table of contents emptied": lambda f: _cut(_largest(f, ".toc"), 0),
    "table of contents deleted": lambda f: _largest(f, ".toc").unlink(),
    "stored passages' dictionary garbage": lambda f: _garbage(_largest(f, ".zdict")),
    "stored passages' dictionary deleted": lambda f: _largest(f, ".zdict").unlink(),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_is_named_and_left_as_it_is(seed_index_folder, tmp_path, cli, damage):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    DAMAGE[damage](folder)
    before = committed_files(folder)
    with pytest.raises(frsearch.IndexDamagedError):
        frsearch.open_index(folder)
    with pytest.raises(frsearch.IndexDamagedError):
        frsearch.open_index(folder, create=True)
    commands = [["query", "sanctions", "--json"], ["stats"],
                ["index", str(frsearch.seeds_dir())]]
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(lambda c: cli(*c, "--index", str(folder)), commands))
    for command, done in zip(commands, answers, strict=True):
        assert done.returncode == 2, (command, done.stderr)
        assert ONE_LINE.match(done.stderr), (command, done.stderr)
        assert "damaged" in done.stderr or "no table of contents" in done.stderr
        assert "--rebuild" in done.stderr and done.stdout == ""
    assert committed_files(folder) == before  # nothing overwritten without being asked


def test_rebuild_is_the_way_out_of_a_damaged_index(seed_index_folder, tmp_path, cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    DAMAGE["postings cut in half"](folder)
    done = cli("index", str(frsearch.seeds_dir()), "--index", str(folder), "--rebuild")
    assert done.returncode == 0, done.stderr
    assert cli("query", "sanctions", "--index", str(folder)).returncode == 0


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_bytes_changed_inside_a_segment_never_give_a_traceback(seed_index_folder, tmp_path, cli,
                                                                where):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    segment = _largest(folder, ".pst")
    data = bytearray(segment.read_bytes())
    at = int(len(data) * where)
    data[at:at + 64] = random.Random(at).randbytes(64)
    segment.write_bytes(bytes(data))
    for command in (["query", "sanctions", "--json"], ["query", "Genève"], ["stats"]):
        done = cli(*command, "--index", str(folder))
        assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr, command
        if done.returncode == 2:
            assert ONE_LINE.match(done.stderr)
        elif "--json" in command:
            json.loads(done.stdout)


def test_a_folder_that_is_not_an_index_is_never_written(cli, tmp_path):
    folder = tmp_path / "documents"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.txt").write_text("mes notes\n")
    (folder / "sub" / "data.bin").write_bytes(b"\x00\x01")
    listing = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    for extra in ([], ["--rebuild"]):
        done = cli("index", str(frsearch.seeds_dir()), "--index", str(folder), *extra)
        assert done.returncode == 2 and ONE_LINE.match(done.stderr), done.stderr
        assert "not an frsearch index" in done.stderr or "not empty" in done.stderr
    for command in (["query", "sanctions"], ["stats"]):
        done = cli(*command, "--index", str(folder))
        assert done.returncode == 2 and ONE_LINE.match(done.stderr)
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == listing
    assert (folder / "notes.txt").read_text() == "mes notes\n"


def test_a_file_given_as_the_index_is_left_alone(cli, tmp_path):
    target = tmp_path / "index"
    target.write_text("pas un dossier\n")
    done = cli("index", str(frsearch.seeds_dir()), "--index", str(target))
    assert done.returncode == 2 and ONE_LINE.match(done.stderr)
    assert target.read_text() == "pas un dossier\n"


# -- a writer killed mid-run --------------------------------------------------------

def _new_entries(folder: Path, before: set[str]) -> list[Path]:
    return [f for f in folder.iterdir() if f.name not in before
            and f.name != "passages_WRITELOCK"]


def _names(folder: Path) -> set[str]:
    return {f.name for f in folder.iterdir()}


def read_share(pid: int, source: Path) -> float | None:
    """How much of ``source`` process ``pid`` has read (its open file's
    offset, from /proc), or None if it has not opened it or has closed it."""
    size = source.stat().st_size
    try:
        for link in Path(f"/proc/{pid}/fd").iterdir():
            if os.readlink(link) == str(source):
                fields = Path(f"/proc/{pid}/fdinfo/{link.name}").read_text().split()
                return int(fields[fields.index("pos:") + 1]) / size
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return None


def reading(share: float):
    """Fires once the writer has read ``share`` of its input: it is adding
    articles, far from its commit, however fast it runs (a trigger counted in
    seconds fired after the commit once the writer got faster, and where a
    killed run had left files behind). Where /proc cannot tell, fires at the
    writer's first new files."""
    def fire(folder: Path, before: set[str], pid: int, source: Path) -> bool:
        if not sys.platform.startswith("linux"):
            return bool(_new_entries(folder, before))
        done = read_share(pid, source)
        return done is not None and done >= share

    return fire


def committing(folder: Path, before: set[str], pid: int, source: Path) -> bool:
    """Fires when the writer starts putting postings on disk: its commit."""
    return any(f.is_file() and f.name.startswith("passages_") and f.stat().st_size > 0
               for f in _new_entries(folder, before))


def interrupt(cli, folder: Path, sources: list[Path], when, sig: int, group: bool = False,
              may_land: bool = False, options: tuple[str, ...] = ()):
    """Run ``frsearch index`` (with ``options``) and send it ``sig`` (to its whole process group, as
    Ctrl-C does, with ``group``) when ``when`` fires; return its exit status,
    stderr, and whether its commit landed before the signal (allowed only with
    ``may_land``: a commit of a few MB can end within the few ms the signal takes)."""
    before = committed_files(folder)
    present = _names(folder)
    process = subprocess.Popen(
        [sys.executable, "-m", "frsearch", "index", *map(str, sources), "--index", str(folder),
         *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli.env,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not when(folder, present, process.pid, sources[0].resolve()):
            assert process.poll() is None, "the run ended before the fault: corpus too small"
            assert time.monotonic() < deadline
            time.sleep(0.003)
        (os.killpg if group else os.kill)(process.pid, sig)
        _, stderr = process.communicate(timeout=60)
        if sys.platform.startswith("linux"):  # sub-writers of a parallel run go too
            deadline = time.monotonic() + 10
            while group_members(process.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not group_members(process.pid), "sub-writer processes outlived the run"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of this run's group
        except ProcessLookupError:
            pass
        process.wait()
    assert "Traceback" not in stderr, stderr
    after = committed_files(folder)
    tocs = sorted(name for name in after if name.endswith(".toc"))
    if may_land and tocs != sorted(name for name in before if name.endswith(".toc")):
        return process.returncode, stderr, True
    assert tocs == sorted(name for name in before if name.endswith(".toc")), \
        f"the run committed before the fault: corpus too small ({tocs}, {stderr!r})"
    assert {k: after.get(k) for k in before} == before, "a committed file changed"
    return process.returncode, stderr, False


@pytest.mark.slow
def test_killed_writers_leave_the_last_commit_whole(corpora, index_copy, base_index, cli):
    root, ranges = corpora
    serial, parallel = root / "serial.jsonl", root / "parallel.jsonl"
    before = view(index_copy, ranges["base"])
    assert before["missing markers"] == [] and before["passages"] == \
        passages_in(frsearch.seeds_dir(), root / "base.jsonl")

    rebuild = ("--rebuild",)  # replaces every passage, in its commit only
    faults = [
        ("SIGKILL while adding", [serial], reading(0.3), signal.SIGKILL, False, -9, ()),
        ("SIGKILL while committing", [serial], committing, signal.SIGKILL, False, -9, ()),
        ("SIGTERM while adding", [serial], reading(0.3), signal.SIGTERM, False, -15, ()),
        ("SIGKILL, two writer processes", [parallel], reading(0.6), signal.SIGKILL,
         False, -9, ()),
        ("Ctrl-C, two writer processes", [parallel], reading(0.6), signal.SIGINT,
         True, 2, ()),
        ("SIGKILL while rebuilding", [serial], reading(0.3), signal.SIGKILL, False, -9,
         rebuild),
        ("SIGKILL while rebuilding, two writer processes", [parallel], reading(0.6),
         signal.SIGKILL, False, -9, rebuild),
    ]
    interrupted = []
    for name, sources, when, sig, group, status, options in faults:
        returncode, stderr, landed = interrupt(cli, index_copy, sources, when, sig, group,
                                               may_land=True, options=options)
        if landed and options:  # a rebuild that finished first: the base is gone, rightly
            shutil.rmtree(index_copy)
            shutil.copytree(base_index, index_copy)
            continue
        if landed:  # the signal came as the run finished: it holds the whole run, whole
            whole = view(index_copy, [*ranges["base"], *(m for source in sources for m in (
                ranges["serial"] if source == serial else ranges["parallel"])[::97])])
            assert whole["missing markers"] == [], name
            assert frsearch.check_index(index_copy).ok, name
            shutil.rmtree(index_copy)  # the next faults start from the base again
            shutil.copytree(base_index, index_copy)
            continue
        interrupted.append(name)
        assert returncode == status, (name, stderr)
        if sig == signal.SIGINT:
            assert "interrupted; the index keeps its last complete update" in stderr
        assert view(index_copy) == {**before, "missing markers": []}, name
        # the lock went with the writer: a search and a writer of nothing new work at once
        assert cli("query", "sanctions", "--index", str(index_copy)).returncode == 0

    # either way nothing is half done; most faults must land mid-run for that to mean much
    assert len(interrupted) >= 3, interrupted
    done = cli("index", str(serial), str(parallel), "--index", str(index_copy))
    assert done.returncode == 0, done.stderr
    sample = [*ranges["base"], *ranges["serial"][::97], *ranges["parallel"][::301],
              ranges["serial"][-1], ranges["parallel"][-1]]
    after = view(index_copy, sample)
    assert after["missing markers"] == []
    assert after["passages"] == passages_in(frsearch.seeds_dir(), root / "base.jsonl",
                                            serial, parallel)
    assert after["articles"] == 5 + len(ranges["base"]) + len(ranges["serial"]) + len(
        ranges["parallel"])
    for query in PROBES:  # every passage found before is still found
        assert set(before["found"][query]) <= set(after["found"][query]), query


# -- two writers at once ------------------------------------------------------------

@pytest.mark.slow
def test_second_writer_waits_or_says_locked_and_nothing_is_lost(corpora, index_copy, cli):
    root, ranges = corpora
    reader = frsearch.open_index(index_copy)  # a long-lived searcher, as in a server
    base_passages = reader.stats().passages
    first_files = _names(index_copy)
    # both corpora, about 3.5 s on a quiet machine: the first writer must still
    # hold the lock after the refused run and the waiting one have started
    first = subprocess.Popen(
        [sys.executable, "-m", "frsearch", "index", str(root / "serial.jsonl"),
         str(root / "parallel.jsonl"), "--index", str(index_copy)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli.env,
        start_new_session=True)
    waiting = None
    try:
        deadline = time.monotonic() + 60
        while not _new_entries(index_copy, first_files):  # the first writer holds the lock
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)

        started = time.monotonic()
        refused = cli("index", str(root / "small.jsonl"), "--index", str(index_copy),
                      "--lock-timeout", "0.3")
        assert refused.returncode == 2 and ONE_LINE.match(refused.stderr), refused.stderr
        assert "index is locked" in refused.stderr
        assert time.monotonic() - started >= 0.3
        waiting = subprocess.Popen(
            [sys.executable, "-m", "frsearch", "index", str(root / "other.jsonl"),
             "--index", str(index_copy), "--lock-timeout", "120"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli.env,
            start_new_session=True)

        # searches keep working during the write, and see the last commit
        assert first.poll() is None, "the first writer ended too soon: corpus too small"
        assert reader.stats().passages == base_passages
        assert reader.search(marker(ranges["base"][0])).hits
        during = cli("stats", "--index", str(index_copy), "--json")
        assert json.loads(during.stdout)["passages"] == base_passages
        assert cli("query", "sanctions", "--index", str(index_copy)).returncode == 0

        assert first.wait(timeout=120) == 0, first.stderr.read()
        assert waiting.wait(timeout=120) == 0, waiting.stderr.read()
    finally:
        for process in (first, waiting):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            if process is not None:
                process.stderr.close()

    expected = base_passages + passages_in(root / "serial.jsonl", root / "parallel.jsonl",
                                           root / "other.jsonl")
    assert reader.stats().passages == expected  # the same searcher sees the new commit
    reader.close()
    final = view(index_copy, [*ranges["base"], *ranges["serial"][::50],
                              *ranges["parallel"][::200], *ranges["other"]])
    assert final["passages"] == expected and final["missing markers"] == []
    assert view(index_copy, ranges["small"])["missing markers"] == list(ranges["small"])


def test_two_first_runs_on_a_new_folder_both_land(corpora, cli, tmp_path):
    root, ranges = corpora
    folder = tmp_path / "new" / "index"

    def run(source: str):
        return cli("index", str(root / source), "--index", str(folder), "--lock-timeout", "60")

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(run, ["small.jsonl", "other.jsonl"]))
    assert [done.returncode for done in answers] == [0, 0], [d.stderr for d in answers]
    final = view(folder, [*ranges["small"], *ranges["other"]])
    assert final["missing markers"] == []
    assert final["passages"] == passages_in(root / "small.jsonl", root / "other.jsonl")


def test_an_index_of_another_version_says_so_and_rebuild_replaces_it(seed_index_folder, tmp_path,
                                                                     cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    toc = _largest(folder, ".toc")
    data = toc.read_bytes()
    assert b"PassageCodec" in data
    toc.write_bytes(data.replace(b"PassageCodec", b"LegacyCodecX"))  # a class no longer there
    with pytest.raises(frsearch.IndexDamagedError, match="another version of frsearch"):
        frsearch.open_index(folder)
    done = cli("query", "sanctions", "--index", str(folder))
    assert done.returncode == 2 and ONE_LINE.match(done.stderr)
    assert "another version" in done.stderr and "--rebuild" in done.stderr
    rebuilt = cli("index", str(frsearch.seeds_dir()), "--index", str(folder), "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert cli("query", "sanctions", "--index", str(folder)).returncode == 0


# -- a writer process that dies ------------------------------------------------------

def children_of(pid: int) -> list[int]:
    """Live child processes of ``pid``."""
    return _live_processes(1, pid)


def starve(pid: int) -> None:
    """Let process ``pid`` grow by 8 MB at most, as a memory cap set by an
    operator would: its next large allocation fails (a writer process holds
    some 20 MB of postings a 12 MB corpus gives it, and its word caches)."""
    import resource

    status = Path(f"/proc/{pid}/status").read_text()
    size_kb = int(re.search(r"VmSize:\s+(\d+)", status).group(1))
    cap = size_kb * 1024 + 8 * 1024 * 1024
    resource.prlimit(pid, resource.RLIMIT_AS, (cap, cap))


def fill_disk(pid: int) -> None:
    """Let process ``pid`` write files of 64 KiB at most, as a full disk would
    stop it: its next write past that fails (Python ignores SIGXFSZ)."""
    import resource

    resource.prlimit(pid, resource.RLIMIT_FSIZE, (65536, 65536))


def fail_children(cli, folder: Path, sources: list[Path], delay: float, how) -> tuple[int, str]:
    """Run ``frsearch index`` with two writer processes; ``delay`` seconds after
    both started, do ``how(children)``. Returns the exit status and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "frsearch", "index", *map(str, sources), "--index", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli.env,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(children := children_of(process.pid)) < 2:
            assert process.poll() is None, "the run ended before its sub-writers started"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(delay)
        assert process.poll() is None, "the run ended before the fault: corpus too small"
        how(children)
        _, stderr = process.communicate(timeout=120)  # never waits forever
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
    return process.returncode, stderr


def _kill(which: slice):
    return lambda children: [os.kill(pid, signal.SIGKILL) for pid in children[which]]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_dead_sub_writer_fails_the_run_and_commits_nothing(corpora, index_copy, cli):
    root, ranges = corpora
    parallel = root / "parallel.jsonl"
    big = root / "big.jsonl"  # long enough to be killed late (never committed)
    if not big.exists():
        write_corpus(big, 200_000, min_bytes=int(PARALLEL_FROM_BYTES * 3))
    before = view(index_copy, ranges["base"])
    committed = committed_files(index_copy)
    faults = [
        ("first sub-writer killed early", 0.2, _kill(slice(0, 1))),
        ("second sub-writer killed late", 1.5, _kill(slice(1, 2))),
        ("both sub-writers killed", 0.5, _kill(slice(0, 2))),
        ("a sub-writer out of memory", 0.1, lambda children: starve(children[0])),
        ("a sub-writer's disk full", 0.1, lambda children: fill_disk(children[1])),
    ]
    for name, delay, how in faults:
        status, stderr = fail_children(cli, index_copy, [big], delay, how)
        assert status == 2, (name, status, stderr)
        message = stderr.splitlines()[-1] + "\n"  # after the progress line
        assert ONE_LINE.match(message), (name, stderr)
        assert "writer process" in message and "nothing of this run was committed" in message
        assert "Traceback" not in stderr, stderr
        assert committed_files(index_copy) == committed, name
        assert view(index_copy) == {**before, "missing markers": []}, name

    done = cli("index", str(parallel), "--index", str(index_copy))
    assert done.returncode == 0, done.stderr
    sample = [*ranges["base"], *ranges["parallel"][::97], ranges["parallel"][-1]]
    after = view(index_copy, sample)
    assert after["missing markers"] == []
    assert after["passages"] == passages_in(frsearch.seeds_dir(), root / "base.jsonl", parallel)
