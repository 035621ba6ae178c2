"""Searches survive commits: while another process commits as fast as it can
(each commit merging small segments away), long-lived and reopened indexes
and the CLI answer every search, and find every article a finished commit
holds. (``benchmarks/commit_race.py`` runs the same race for longer.)"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import frsearch

COMMITS = 60


def marker(number: int) -> str:
    letters = ""
    number += 26 * 26
    while number:
        number, rest = divmod(number, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return "zx" + letters


def commit_markers(folder: str, drop: str, done: multiprocessing.Event) -> None:
    """The writer: one small article per commit, then its number in ``drop``."""
    article = Path(drop).with_suffix(".jsonl")
    with frsearch.open_index(folder) as index:
        for number in range(COMMITS):
            article.write_text(json.dumps({
                "id": f"course-{number}", "title": f"Dépêche {number}",
                "paragraphs": [f"Les sanctions du jour, référence {marker(number)}."]}) + "\n",
                encoding="utf-8")
            index.add([article], lock_timeout=30)
            Path(drop).write_text(str(number), encoding="utf-8")
    done.set()


def last_committed(drop: Path) -> int:
    try:
        return int(drop.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return -1


@pytest.mark.slow
def test_searches_during_commits_never_fail_and_see_every_commit(seed_index_folder, tmp_path,
                                                                 cli):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    drop = tmp_path / "committed"
    done = multiprocessing.get_context("fork").Event()
    writer = multiprocessing.get_context("fork").Process(
        target=commit_markers, args=(str(folder), str(drop), done))
    errors: list[str] = []
    searches = [0]

    def check(index, number: int) -> None:
        """Search for a common word and for the marker of a finished commit."""
        if not index.search("sanctions").hits:
            errors.append("sanctions: no hit")
        if number >= 0:
            found = {hit.article_id for hit in index.search(marker(number)).hits}
            if f"course-{number}" not in found:
                errors.append(f"marker {number} not found")
        searches[0] += 1

    def long_lived() -> None:
        with frsearch.open_index(folder) as index:
            while not done.is_set():
                try:
                    check(index, last_committed(drop))
                except Exception as error:
                    errors.append(f"long-lived: {type(error).__name__}: {error}")

    def reopened() -> None:
        while not done.is_set():
            try:
                number = last_committed(drop)
                with frsearch.open_index(folder) as index:
                    check(index, number)
            except Exception as error:
                errors.append(f"reopened: {type(error).__name__}: {error}")

    def command_line() -> None:
        while not done.is_set():
            number = last_committed(drop)
            answer = subprocess.run(
                [sys.executable, "-m", "frsearch", "query", marker(max(number, 0)), "--json",
                 "--index", str(folder)], capture_output=True, text=True, env=cli.env)
            searches[0] += 1
            if answer.returncode != 0:
                errors.append(f"cli: {answer.stderr.strip()}")
            elif number >= 0 and f"course-{number}" not in answer.stdout:
                errors.append(f"cli: marker {number} not found")

    readers = [threading.Thread(target=job) for job in (long_lived, reopened, command_line)]
    writer.start()
    for reader in readers:
        reader.start()
    writer.join(timeout=300)
    done.set()
    for reader in readers:
        reader.join(timeout=60)
    assert writer.exitcode == 0
    assert last_committed(drop) == COMMITS - 1
    assert errors == [], f"{len(errors)} of {searches[0]} searches: {errors[:5]}"
    assert searches[0] > COMMITS
    with frsearch.open_index(folder) as index:
        assert index.check().ok
        assert len(index.search("Dépêche", limit=100, collapse=False).hits) == COMMITS


def test_a_search_whose_newest_commit_goes_while_it_opens_is_run_again(
        seed_index_folder, tmp_path, monkeypatch):
    """Opening the newest commit can fail when two more commits replace it
    meanwhile (its dictionary file is deleted): the search is run again on the
    commit then newest, however many opens failed before, up to the retries."""
    from frsearch import index as index_module

    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    article = tmp_path / "course.jsonl"
    article.write_text(json.dumps({"id": "course", "title": "Dépêche",
                                   "paragraphs": ["Les sanctions tombent encore."]}),
                       encoding="utf-8")
    with frsearch.open_index(folder) as long_lived:
        assert long_lived.search("sanctions").hits
        with frsearch.open_index(folder) as writer:
            writer.add([article])  # the long-lived index's searcher is now stale
        opening = index_module._open_searcher
        failures = [FileNotFoundError(2, "No such file or directory", "dictionary.zdict")] * 2

        def open_after_two_commits(*args, **kwargs):
            if failures:
                raise failures.pop()
            return opening(*args, **kwargs)

        monkeypatch.setattr(index_module, "_open_searcher", open_after_two_commits)
        found = long_lived.search("sanctions", limit=50, collapse=False)
        assert not failures
        assert "course" in {hit.article_id for hit in found.hits}


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_search_whose_segment_goes_before_it_reads_its_columns_is_run_again(
        tmp_path, monkeypatch, rebuild):
    """Two commits (or a rebuild) land between a search opening its commit
    and its first read of the sketch column: the segment's files are gone.
    Whoosh read every missing column as its default, silently, so every
    passage looked like a copy of every other and the search answered one
    hit; now the search is run again on the newest commit."""
    from frsearch import catalog

    folder = tmp_path / "index"
    articles = tmp_path / "dépêches.jsonl"
    articles.write_text("".join(json.dumps({"id": f"d{n}", "title": f"Dépêche {n}", "paragraphs": [
        f"La zorglubite numéro {n} inquiète les {word}."]}, ensure_ascii=False) + "\n"
        for n, word in enumerate(["marins", "pêcheurs", "douaniers"])), encoding="utf-8")
    other = tmp_path / "autre.jsonl"
    other.write_text(json.dumps({"id": "autre", "paragraphs": ["Rien à voir."]}) + "\n",
                     encoding="utf-8")
    frsearch.open_index(folder, create=True).add([articles])
    columns = catalog._columns

    def after_two_commits(reader, fieldname, *args, **kwargs):
        if fieldname != "text":  # the sketch column, read once passages were (files open)
            return columns(reader, fieldname, *args, **kwargs)
        monkeypatch.setattr(catalog, "_columns", columns)
        reader.stored_fields(0)
        with frsearch.open_index(folder, rebuild=rebuild) as writer:
            writer.add([articles, other])
            writer.remove(["autre"])
            writer.add([other])
        return columns(reader, fieldname, *args, **kwargs)

    with frsearch.open_index(folder) as index:
        monkeypatch.setattr(catalog, "_columns", after_two_commits)
        found = index.search("zorglubite")
    assert catalog._columns is columns  # the commits did land mid-search
    assert (found.total, sorted(hit.article_id for hit in found.hits)) == (3, ["d0", "d1", "d2"])
