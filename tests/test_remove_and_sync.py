"""Deleting articles: by id (``Index.remove``, ``frsearch remove``), and by
indexing with ``sync`` the files and folders they came from, after a file was
deleted or a line left a ``.jsonl``. Each change is one commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import frsearch
from frsearch.storage import latest_generation

SUMMIT = "000_6f9472f48d466d8a"
"""Sommet virtuel : Biden menace Poutine de «fortes sanctions»…: 14 passages."""
OTHERS = ["001_6c41907e8ecef70d", "002_5304680d689b3a2e", "004_b987cb3fb497488e"]
"""The other seed articles speaking of sanctions."""


def _found(index, query: str = "sanctions") -> set[str]:
    return {hit.article_id for hit in index.search(query, limit=50, collapse=False).hits}


def _seed_copy(folder):
    shutil.copytree(frsearch.seeds_dir(), folder)
    return folder


def _seed_jsonl(path, leave_out: str | None = None) -> None:
    """The seed articles as JSON Lines, one a line, but ``leave_out``."""
    lines = [
        json.dumps({"id": article.id, "title": article.title, "date": article.date,
                    "paragraphs": [passage.text for passage in article.passages[1:]]},
                   ensure_ascii=False)
        for article in frsearch.read_articles([frsearch.seeds_dir()]) if article.id != leave_out
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_remove_deletes_the_passages_of_an_article_in_one_commit(tmp_path):
    index = frsearch.open_index(tmp_path / "ix", create=True)
    index.add([frsearch.seeds_dir()])
    assert _found(index) == {SUMMIT, *OTHERS}
    before, generation = index.stats(), latest_generation(index.path)

    report = index.remove([SUMMIT, "absent", SUMMIT])

    assert report == frsearch.RemoveReport(removed=1, unknown=("absent",))
    assert latest_generation(index.path) == generation + 1
    assert _found(index) == set(OTHERS)
    assert not _found(index, "fortes sanctions s'il attaque") & {SUMMIT}
    after = index.stats()
    assert (after.articles, after.passages) == (before.articles - 1, before.passages - 14)

    again = index.remove([SUMMIT])
    assert (again.removed, again.unknown) == (0, (SUMMIT,))
    assert latest_generation(index.path) == generation + 1  # nothing to commit
    assert index.check().ok
    index.close()


def test_frsearch_remove_says_what_it_removed_and_what_it_did_not_find(tmp_path, cli_main):
    folder = tmp_path / "ix"
    assert cli_main("index", "--index", str(folder)).returncode == 0

    done = cli_main("remove", SUMMIT, "inconnu", "--index", str(folder))
    assert done.returncode == 0, done.stderr
    assert "no article 'inconnu' in the index" in done.stderr
    assert "1 article removed" in done.stderr
    stats = json.loads(cli_main("stats", "--json", "--index", str(folder)).stdout)
    assert (stats["articles"], stats["passages"]) == (4, 32)
    assert SUMMIT not in cli_main("query", "sanctions", "--index", str(folder)).stdout

    nothing = cli_main("remove", SUMMIT, "--index", str(folder))
    assert nothing.returncode == 1
    assert f"no article '{SUMMIT}' in the index" in nothing.stderr
    missing = cli_main("remove", SUMMIT, "--index", str(tmp_path / "none"))
    assert missing.returncode == 2 and "no index at" in missing.stderr


def test_sync_removes_the_article_of_a_deleted_file_in_the_same_commit(tmp_path):
    source = _seed_copy(tmp_path / "articles")
    index = frsearch.open_index(tmp_path / "ix", create=True)
    index.add([source])
    (source / f"{SUMMIT}.txt").unlink()
    (source / "005_nouveau.txt").write_text(
        " date 2021-12 Nouvelles sanctions\n\nL’Union européenne prépare de nouvelles "
        "sanctions contre la Russie.\n", encoding="utf-8")
    generation = latest_generation(index.path)

    report = index.add([source], sync=True)

    assert (report.added, report.unchanged, report.removed) == (1, 4, 1)
    assert latest_generation(index.path) == generation + 1
    assert _found(index) == {*OTHERS, "005_nouveau"}
    assert index.stats().articles == 5
    index.close()


def test_sync_removes_an_article_whose_line_left_its_jsonl_file(tmp_path):
    news = tmp_path / "news.jsonl"
    _seed_jsonl(news)
    index = frsearch.open_index(tmp_path / "ix", create=True)
    assert index.add([news]).added == 5
    _seed_jsonl(news, leave_out=SUMMIT)
    generation = latest_generation(index.path)

    report = index.add([news], sync=True)

    assert (report.unchanged, report.removed, report.passages) == (4, 1, 0)
    assert latest_generation(index.path) == generation + 1
    assert _found(index) == set(OTHERS)
    index.close()


def test_without_sync_a_deleted_file_stays_indexed(tmp_path):
    source = _seed_copy(tmp_path / "articles")
    index = frsearch.open_index(tmp_path / "ix", create=True)
    index.add([source])
    (source / f"{SUMMIT}.txt").unlink()
    assert index.add([source]).removed == 0
    assert SUMMIT in _found(index)
    index.close()


def test_sync_leaves_the_articles_of_other_paths_alone(tmp_path):
    first, second = tmp_path / "premier", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for article in sorted(frsearch.seeds_dir().iterdir()):
        shutil.copy(article, (first if article.name < "002" else second) / article.name)
    index = frsearch.open_index(tmp_path / "ix", create=True)
    index.add([first, second])
    (second / "002_5304680d689b3a2e.txt").unlink()

    report = index.add([first], sync=True)

    assert (report.unchanged, report.removed) == (2, 0)
    assert _found(index) == {SUMMIT, *OTHERS}  # 002 was not synced: it stays
    assert index.add([second / "004_b987cb3fb497488e.txt"], sync=True).removed == 0
    assert index.add([second], sync=True).removed == 1
    assert _found(index) == {SUMMIT, "001_6c41907e8ecef70d", "004_b987cb3fb497488e"}
    index.close()


def test_sync_keeps_the_articles_of_a_file_it_could_not_read(tmp_path):
    """A broken line may be an article being edited: its file's articles stay."""
    news = tmp_path / "news.jsonl"
    _seed_jsonl(news)
    index = frsearch.open_index(tmp_path / "ix", create=True)
    index.add([news])
    _seed_jsonl(news, leave_out=SUMMIT)
    with news.open("a", encoding="utf-8") as file:
        file.write('{"id": "000_6f9472f48d466d8a", "title": "Sommet virtuel\n')

    report = index.add([news], sync=True)

    assert report.removed == 0 and report.problems
    assert SUMMIT in _found(index)
    index.close()


def _as_a_user() -> list[str]:
    """A command prefix under which file permissions apply: none for a user;
    for root (CI containers), ``setpriv`` dropping the capabilities that let
    root read any folder. Skips the test where neither is possible."""
    if os.geteuid() != 0:
        return []
    drop = "-dac_override,-dac_read_search"
    prefix = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", "--"]
    if shutil.which("setpriv") is None or subprocess.run(
            [*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root, and setpriv cannot drop root's right to read anything")
    return prefix


def test_a_folder_that_cannot_be_listed_is_named_and_sync_keeps_its_articles(tmp_path, cli):
    """``Path.rglob`` passes over a folder it cannot list: its articles were
    dropped from the run without a word, and removed by a sync."""
    source = tmp_path / "articles"
    shutil.copytree(frsearch.seeds_dir(), source / "inner")
    shutil.move(source / "inner" / f"{SUMMIT}.txt", source)
    folder = tmp_path / "ix"
    assert cli("index", str(source), "--index", str(folder)).returncode == 0
    prefix = _as_a_user()
    (source / "inner").chmod(0)
    try:
        synced = subprocess.run(
            [*prefix, sys.executable, "-m", "frsearch", "index", "--sync", str(source),
             "--index", str(folder)], capture_output=True, text=True, env=cli.env, timeout=120)
        alone = subprocess.run(
            [*prefix, sys.executable, "-m", "frsearch", "index", str(source / "inner"),
             "--index", str(folder)], capture_output=True, text=True, env=cli.env, timeout=120)
    finally:
        (source / "inner").chmod(0o755)
    assert synced.returncode == 1, synced.stderr  # something skipped, the rest read
    assert f"skipped {source / 'inner'}: folder not read: Permission denied" in synced.stderr
    assert "1 unchanged, 0 removed" in synced.stderr
    assert alone.returncode == 2 and "folder not read: Permission denied" in alone.stderr
    assert "no *.txt" not in alone.stderr
    with frsearch.open_index(folder) as index:
        assert index.stats().articles == 5


def test_frsearch_index_sync_reports_what_it_removed(tmp_path, cli_main):
    source = _seed_copy(tmp_path / "articles")
    folder = tmp_path / "ix"
    assert cli_main("index", str(source), "--index", str(folder)).returncode == 0
    (source / f"{SUMMIT}.txt").unlink()

    done = cli_main("index", "--sync", str(source), "--index", str(folder))

    assert done.returncode == 0, done.stderr
    assert "4 unchanged, 1 removed" in done.stderr
    assert SUMMIT not in cli_main("query", "sanctions", "--index", str(folder)).stdout


def test_threads_removing_through_one_index_take_turns(tmp_path):
    """Each removal waits for the writer lock the others hold; searches go on."""
    import threading

    index = frsearch.open_index(tmp_path / "ix", create=True)
    index.add([frsearch.seeds_dir()])
    ids = [article.id for article in frsearch.read_articles([frsearch.seeds_dir()])]
    reports, errors = [], []

    def remove(article_id: str) -> None:
        try:
            reports.append(index.remove([article_id], lock_timeout=30))
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=remove, args=(article_id,)) for article_id in ids]
    for thread in threads:
        thread.start()
    for _ in range(10):
        index.search("sanctions")
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(report.removed for report in reports) == 5
    assert (index.stats().articles, index.stats().passages) == (0, 0)
    assert index.check().ok
    index.close()


def test_an_article_added_again_after_removal_counts_as_added(tmp_path):
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([frsearch.seeds_dir()])
        assert index.remove(["000_6f9472f48d466d8a"]).removed == 1
        report = index.add([frsearch.seeds_dir()])
        assert (report.added, report.updated, report.unchanged) == (1, 0, 4)
