"""An article's metadata (the JSON Lines fields frsearch does not read itself)
and the file it came from are kept with its passages and returned on its hits."""

from __future__ import annotations

import json

import frsearch


def _write(path, records) -> None:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n"
                            for record in records), encoding="utf-8")


ARTICLE = {
    "id": "lemonde-2021-12-07", "title": "Biden menace Poutine de sanctions",
    "date": "2021-12-07", "url": "https://www.lemonde.fr/international/article/2021/12/07/x",
    "author": "Piotr Smolar", "source": "lemonde", "tags": ["Russie", "Ukraine"],
    "paywall": False, "words": 640,
    "paragraphs": ["Le président américain a promis des sanctions économiques sévères."],
}


def test_hits_carry_the_articles_metadata_and_file(tmp_path, cli_main):
    source = tmp_path / "depeches.jsonl"
    _write(source, [ARTICLE])
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([source])
        hits = index.search("sanctions économiques").hits
    assert hits
    for hit in hits:
        assert hit.meta == {"url": ARTICLE["url"], "author": "Piotr Smolar", "source": "lemonde",
                            "tags": ["Russie", "Ukraine"], "paywall": False, "words": 640}
        assert hit.source == str(source.resolve())
    done = cli_main("query", "sanctions", "--json", "--index", str(tmp_path / "ix"))
    first = json.loads(done.stdout)["hits"][0]
    assert first["meta"]["author"] == "Piotr Smolar" and first["source"] == str(source.resolve())


def test_a_text_file_says_where_it_came_from_and_has_no_metadata(seed_index):
    hit = seed_index.search("sanctions").hits[0]
    assert hit.source == str((frsearch.seeds_dir() / f"{hit.article_id}.txt").resolve())
    assert hit.meta == {}


def test_changed_metadata_is_indexed_again(tmp_path):
    source = tmp_path / "depeches.jsonl"
    _write(source, [ARTICLE])
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([source])
        _write(source, [{**ARTICLE, "author": "Isabelle Mandraud"}])
        report = index.add([source])
        assert report.updated == 1
        assert index.search("sanctions").hits[0].meta["author"] == "Isabelle Mandraud"
