"""Threads × queries × commits from another process: one Index shared by four
threads, while a writer process commits (and Whoosh merges segments away),
answers every search exactly as a lone thread answers on a commit the search
could have seen. The writer's articles hold the queries' words, so every
commit changes the answers."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import threading
from pathlib import Path

import pytest

import frsearch

COMMITS = 25
THREADS = 4
QUERIES = ["sanctions", "Poutine Biden", '"fortes sanctions"', "crimee annexion", "présid*",
           "Kremlim", "sanctions -Russie", "sanctions date:2021-12"]


def _answer(index, query: str) -> tuple:
    result = index.search(query, limit=10)
    return result.total, tuple((hit.passage_id, round(hit.score, 9),
                                tuple(d.passage_id for d in hit.duplicates))
                               for hit in result.hits)


def _write(folder: str, drop: str, go, committed) -> None:
    """The writer: at each ``go``, one commit of an article holding the
    queries' words, then ``committed``."""
    article = Path(drop)
    with frsearch.open_index(folder) as index:
        for number in range(COMMITS):
            go.wait()
            go.clear()
            article.write_text(json.dumps({
                "id": f"depeche-{number}", "date": f"2021-12-{number % 28 + 1:02}",
                "title": f"Dépêche {number} : le président Poutine et les sanctions",
                "paragraphs": [
                    f"Joe Biden a évoqué de fortes sanctions ({number}) contre la Russie, et "
                    "Vladimir Poutine a répondu.",
                    f"La Crimée, annexée en 2014, reste au cœur du conflit ({number})."]},
                ensure_ascii=False) + "\n", encoding="utf-8")
            index.add([str(article)])
            committed.set()


@pytest.mark.slow
def test_threads_sharing_an_index_answer_as_one_thread_while_another_process_commits(
        seed_index_folder, tmp_path):
    folder = tmp_path / "index"
    shutil.copytree(seed_index_folder, folder)
    context = multiprocessing.get_context("fork")
    go, committed = context.Event(), context.Event()
    writer = context.Process(target=_write, args=(str(folder), str(tmp_path / "depeche.jsonl"),
                                                  go, committed))
    expected: list[dict[str, tuple]] = []  # at each commit, what a lone thread gets

    def alone() -> dict[str, tuple]:
        with frsearch.open_index(folder) as index:
            return {query: _answer(index, query) for query in QUERIES}

    expected.append(alone())
    shared = frsearch.open_index(folder)
    stop = threading.Event()
    seen: list[tuple[int, str, tuple, int]] = []  # commits known before, query, answer, after
    errors: list[str] = []

    def search() -> None:
        while not stop.is_set():
            for query in QUERIES:
                before = len(expected) - 1
                try:
                    answer = _answer(shared, query)
                except Exception as error:
                    errors.append(f"{query}: {type(error).__name__}: {error}")
                    continue
                seen.append((before, query, answer, len(expected)))

    threads = [threading.Thread(target=search) for _ in range(THREADS)]
    writer.start()
    for thread in threads:
        thread.start()
    try:
        for _ in range(COMMITS):
            go.set()
            assert committed.wait(timeout=60), "the writer did not commit"
            committed.clear()
            # the writer waits for the next go: this commit is the newest while
            # the lone thread reads it and the shared index's threads search
            expected.append(alone())
    finally:
        stop.set()
        go.set()
        for thread in threads:
            thread.join(timeout=60)
        writer.join(timeout=60)
        shared.close()
    assert writer.exitcode == 0
    assert errors == [], errors[:5]
    # a search started after commit ``before`` and ended before commit ``after``
    # (at the latest) must answer as a lone thread does on one of those commits
    wrong = [(query, before, after) for before, query, answer, after in seen
             if answer not in [expected[n][query] for n in range(before, min(after + 1,
                                                                             len(expected)))]]
    assert wrong == [], f"{len(wrong)} of {len(seen)} searches: {wrong[:5]}"
    assert len(seen) > COMMITS * len(QUERIES)
    assert expected[-1]["sanctions"] != expected[0]["sanctions"]  # commits changed the answers
    with frsearch.open_index(folder) as index:
        assert index.check().ok
