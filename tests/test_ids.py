"""Ids that never collide (issue 12, problem 3): an article read from a file in
a folder given to index is named by its path relative to that folder, a file
given itself by its stem, and a file whose id another file holds already takes
the next longer id of its path; every file keeps its id at every run, however
it is given; the seeds keep theirs."""

from __future__ import annotations

import json
from pathlib import Path

from seed_ids import A000, A001, A002, A003, A004

import frsearch
from frsearch.articles import MAX_ID_CHARS, file_article_ids, id_fault


def _write(path: Path, title: str, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    return path


def _ids(index, query: str) -> list[str]:
    return [hit.article_id for hit in index.search(query, limit=50).hits]


def test_the_issues_example_indexes_both_articles(tmp_path, cli_main, monkeypatch):
    """mkdir -p a b; … frsearch index --index ix a; frsearch index --index ix b"""
    monkeypatch.chdir(tmp_path)
    _write(Path("a/article.txt"), "Titre A", "Ukraine.")
    _write(Path("b/article.txt"), "Titre B", "Inflation.")
    assert cli_main("index", "--index", "ix", "a").returncode == 0
    second = cli_main("index", "--index", "ix", "b")
    assert second.returncode == 0 and "1 added, 0 updated" in second.stderr, second.stderr
    found = json.loads(cli_main("query", "--index", "ix", "Ukraine", "--json").stdout)
    assert [(hit["passage_id"], hit["title"]) for hit in found["hits"]] == [
        ("article:1", "Titre A")]
    found = json.loads(cli_main("query", "--index", "ix", "Inflation", "--json").stdout)
    assert [hit["passage_id"] for hit in found["hits"]] == ["b/article:1"]
    with frsearch.open_index("ix") as index:
        assert index.stats().articles == 2
        again = index.add(["a", "b"])  # both keep their ids
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2)


def test_a_folder_gives_paths_relative_to_it(tmp_path):
    archive = tmp_path / "archive"
    _write(archive / "2021-12-07" / "article.txt", "Sommet virtuel", "Biden menace Poutine.")
    _write(archive / "2021-12-08" / "article.txt", "Inflation", "Les prix montent en zone euro.")
    _write(archive / "une.txt", "À la une", "Le Kremlin dément.")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        first = index.add([archive])
        assert (first.added, first.problems) == (3, [])
        assert _ids(index, "Poutine") == ["2021-12-07/article"]
        assert index.search("prix").hits[0].passage_id == "2021-12-08/article:1"
        assert _ids(index, "Kremlin") == ["une"]
        again = index.add([archive])
        assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


def test_a_file_keeps_its_id_however_it_is_given(tmp_path):
    archive = tmp_path / "archive"
    day = archive / "2021-12-07"
    article = _write(day / "article.txt", "Sommet virtuel", "Biden menace Poutine.")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([archive])
        for given in (day, article, archive):
            report = index.add([given])
            assert (report.added, report.unchanged) == (0, 1), given
        _write(day / "article.txt", "Sommet virtuel", "Biden menace Poutine de sanctions.")
        report = index.add([article])  # changed: replaced under its id
        assert (report.added, report.updated) == (0, 1)
        assert _ids(index, "sanctions") == ["2021-12-07/article"]
    with frsearch.open_index(tmp_path / "ix2", create=True) as index:
        index.add([article])  # given itself first: its stem
        report = index.add([archive])
        assert (report.added, report.unchanged) == (0, 1)
        assert _ids(index, "Poutine") == ["article"]


def test_one_run_over_two_folders_tells_their_files_apart(tmp_path):
    _write(tmp_path / "a" / "article.txt", "Titre A", "Ukraine.")
    _write(tmp_path / "b" / "article.txt", "Titre B", "Inflation.")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        report = index.add([tmp_path / "a", tmp_path / "b"])
        assert (report.added, report.problems) == (2, [])
        assert (_ids(index, "Ukraine"), _ids(index, "Inflation")) == (["article"], ["b/article"])


def test_sync_keeps_the_settled_ids_and_removes_what_is_gone(tmp_path):
    _write(tmp_path / "a" / "article.txt", "Titre A", "Ukraine.")
    gone = _write(tmp_path / "b" / "article.txt", "Titre B", "Inflation.")
    _write(tmp_path / "b" / "autre.txt", "Titre C", "Chômage.")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([tmp_path / "a"])
        index.add([tmp_path / "b"])
        report = index.add([tmp_path / "b"], sync=True)
        assert (report.removed, report.unchanged) == (0, 2)
        gone.unlink()
        report = index.add([tmp_path / "b"], sync=True)
        assert (report.removed, report.unchanged) == (1, 1)
        assert _ids(index, "Inflation") == [] and _ids(index, "Ukraine") == ["article"]
        report = index.add([tmp_path], sync=True)  # the whole tree: same files, same ids
        assert (report.added, report.removed, report.unchanged) == (0, 0, 2)
        assert _ids(index, "Chômage") == ["autre"]


def test_the_seeds_keep_their_article_and_passage_ids(tmp_path, seed_passages):
    seeds = frsearch.seeds_dir()
    assert [article.id for article in frsearch.read_articles([seeds])] == [
        A000, A001, A002, A003, A004]
    one_by_one = sorted(seeds.glob("*.txt"))
    assert [article.id for article in frsearch.read_articles(one_by_one)] == [
        A000, A001, A002, A003, A004]
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([seeds])
        shown = {hit.passage_id for query in ("Biden", "Poutine", "sanctions")
                 for hit in index.search(query, limit=100).hits}
    assert shown <= set(seed_passages) and f"{A000}:0" in shown


def test_a_json_id_held_by_another_file_is_reported_naming_both(tmp_path):
    first, second = tmp_path / "afp.jsonl", tmp_path / "reuters.jsonl"
    for path, text in ((first, "Les sanctions visent les banques."),
                       (second, "Les sanctions frappent les oligarques.")):
        path.write_text(json.dumps({"id": "depeche-1", "title": "Sanctions",
                                    "paragraphs": [text]}) + "\n", encoding="utf-8")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([first])
        report = index.add([second])
        assert report.added == 0 and len(report.problems) == 1
        problem = report.problems[0]
        assert problem.source == str(second)
        assert f"'depeche-1' is already indexed from {first.resolve()}" in problem.reason
        assert _ids(index, "banques") == ["depeche-1"] and _ids(index, "oligarques") == []


def test_ids_from_paths_are_valid_ids(tmp_path):
    deep = tmp_path / ("dossier-" * 30) / "sous-dossier" / ("é" * 60 + ".txt")
    article_id, path_ids = file_article_ids(deep, tmp_path)
    assert article_id in path_ids and all(id_fault(each) is None for each in path_ids)
    assert len(article_id) <= MAX_ID_CHARS and article_id.startswith("dossier-")
    assert file_article_ids(deep, tmp_path) == (article_id, path_ids)  # stable
    assert file_article_ids(Path("/archives/2021-12-07/article.txt"), Path("/archives")) == (
        "2021-12-07/article", ("article", "2021-12-07/article", "archives/2021-12-07/article"))
    assert file_article_ids(Path("/archives/2021-12-07/article.txt"))[0] == "article"


def test_an_id_with_a_folder_can_be_removed(tmp_path, cli_main):
    _write(tmp_path / "archive" / "2021-12-07" / "article.txt", "Sommet", "Biden menace Poutine.")
    index = str(tmp_path / "ix")
    assert cli_main("index", "--index", index, str(tmp_path / "archive")).returncode == 0
    done = cli_main("remove", "2021-12-07/article", "--index", index)
    assert done.returncode == 0, done.stderr
    assert json.loads(cli_main("query", "Poutine", "--json", "--index", index).stdout)[
        "total"] == 0
