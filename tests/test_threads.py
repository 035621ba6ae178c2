"""One Index shared by threads, as a web framework shares it: every search
answers, and answers what a single thread gets."""

from __future__ import annotations

import threading

import frsearch

QUERIES = ["sanctions", "crimee annexion", "Kremlim", '"lignes rouges"', "présid*",
           "Maison Blanche", "13 000", "Poutine -Biden"]


def _answer(index, query: str) -> list[tuple[str, float]]:
    return [(hit.passage_id, round(hit.score, 6)) for hit in index.search(query).hits]


def test_threads_sharing_an_index_get_what_one_thread_gets(seed_index_folder):
    with frsearch.open_index(seed_index_folder) as alone:
        expected = {query: _answer(alone, query) for query in QUERIES}
    shared = frsearch.open_index(seed_index_folder)
    errors: list[str] = []
    wrong: list[str] = []

    def work() -> None:
        for query in QUERIES * 40:
            try:
                if _answer(shared, query) != expected[query]:
                    wrong.append(query)
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    shared.close()
    assert errors == [] and wrong == [], (errors[:3], wrong[:3])
    assert all(expected[query] for query in ("sanctions", "crimee annexion", "présid*"))
