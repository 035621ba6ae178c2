"""Reading the seed format and JSON Lines; re-indexing replaces, never duplicates."""

from __future__ import annotations

import json
import shutil

import pytest

import frsearch
from frsearch.articles import parse_text_article


def seed_articles() -> dict[str, frsearch.Article]:
    return {a.id: a for a in frsearch.read_articles([frsearch.seeds_dir()])}


def test_seed_header_gives_date_and_headline_as_passage_zero():
    article = seed_articles()["000_6f9472f48d466d8a"]
    assert article.date == "2021-12"
    assert article.title == (
        "Sommet virtuel : Biden menace Poutine de «fortes sanctions» s’il attaque l’Ukraine")
    assert article.passages[0].text == article.title
    assert article.passages[0].kind == "headline"
    assert len(article.passages) == 14


def test_article_002_title_residue_and_byline():
    article = seed_articles()["002_5304680d689b3a2e"]
    assert article.title == "Biden/Poutine"  # the video duration "1:13" is not part of it
    assert article.byline == "Alexis Guilleux, édité par Manon Fossat"
    assert article.date is None
    texts = [p.text for p in article.passages]
    assert not any("Copié" in text or "Guilleux" in text for text in texts)
    assert texts[1].startswith("Un échange téléphonique entre Poutine et Biden")
    # no-break spaces are normalised
    assert not any("\u00a0" in text for text in texts)
    assert "Poutine et Biden" in texts[1]


def test_short_lines_are_headings_of_the_paragraphs_under_them():
    article = seed_articles()["003_2ef0c382201d2834"]
    heading = next(p for p in article.passages if p.kind == "heading")
    assert heading.text == "Souvenirs de 2014"
    after = [p for p in article.passages if p.number > heading.number]
    assert after and all(p.heading == "Souvenirs de 2014" for p in after)
    before = [p for p in article.passages if p.number < heading.number]
    assert all(p.heading is None for p in before)
    headings = {p.text for a in seed_articles().values() for p in a.passages if p.kind == "heading"}
    assert headings == {
        "Depuis la «Situation Room»", "«Stable» et «prévisible»", "Qu’attendre de cette rencontre",
        "Garder ouverts les canaux de communication", "Souvenirs de 2014",
        "Ni promesses, ni concessions",
    }


def test_thousands_separator_survives_no_break_space_normalisation():
    article = parse_text_article(" date 2021-12 Bilan\n\nUne guerre de 13\u00a0000 morts.", "x")
    assert frsearch.analyze(article.passages[1].text) == ["guerr", "13000", "mort"]


def test_json_lines_articles(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(
        json.dumps({"id": "a1", "title": "Sommet à Genève", "date": "2021-06",
                    "paragraphs": ["Premier paragraphe.", "Second paragraphe."]}) + "\n"
        + json.dumps({"id": 7, "title": "Texte", "text": "Un.\n\nDeux lignes\nici."}) + "\n",
        encoding="utf-8",
    )
    first, second = frsearch.read_articles([path])
    assert (first.id, first.date, [p.text for p in first.passages]) == (
        "a1", "2021-06", ["Sommet à Genève", "Premier paragraphe.", "Second paragraphe."])
    assert second.id == "7"
    assert [p.text for p in second.passages] == ["Texte", "Un.", "Deux lignes ici."]


def test_reindexing_the_same_files_adds_no_duplicates(tmp_path):
    index = frsearch.open_index(tmp_path / "ix", create=True)
    first = index.add([frsearch.seeds_dir()])
    assert (first.added, first.passages) == (5, 46)
    again = index.add([frsearch.seeds_dir()])
    assert (again.added, again.updated, again.unchanged, again.passages) == (0, 0, 5, 0)
    assert index.stats().passages == 46
    assert index.stats().articles == 5
    hits = index.search("sanctions", limit=50).hits
    assert len(hits) == len({hit.passage_id for hit in hits}) == 4


def test_changed_file_is_reindexed_and_its_old_passages_go(tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(frsearch.seeds_dir(), folder)
    index = frsearch.open_index(tmp_path / "ix", create=True)
    index.add([folder])
    target = folder / "003_2ef0c382201d2834.txt"
    target.write_text(
        target.read_text(encoding="utf-8").replace("Peskov", "Peskoff"), encoding="utf-8")
    report = index.add([folder])
    assert (report.updated, report.unchanged) == (1, 4)
    assert index.search("Peskov").total == 0
    assert {h.passage_id for h in index.search("Peskoff").hits} == {
        "003_2ef0c382201d2834:2", "003_2ef0c382201d2834:10"}
    assert index.stats().passages == 46


def test_passage_ids_are_stable_across_indexes(tmp_path):
    one = frsearch.open_index(tmp_path / "one", create=True)
    two = frsearch.open_index(tmp_path / "two", create=True)
    one.add([frsearch.seeds_dir()])
    two.add(sorted(frsearch.seeds_dir().glob("*.txt"), reverse=True))
    for query in ("Kremlin", "Genève", "sanctions"):
        assert ({h.passage_id for h in one.search(query).hits}
                == {h.passage_id for h in two.search(query).hits})


def test_rebuild_starts_over_but_never_deletes_foreign_files(tmp_path):
    folder = tmp_path / "ix"
    index = frsearch.open_index(folder, create=True)
    index.add([frsearch.seeds_dir()])
    index.close()
    old_segments = {f.name for f in folder.glob("passages_*.*")}
    fresh = frsearch.open_index(folder, rebuild=True)
    assert fresh.stats().passages == 46  # the last commit stays until the rebuild's lands
    assert fresh.add([tmp_path / "absent"]).passages == 0  # reads nothing: nothing replaced
    assert frsearch.open_index(folder).stats().passages == 46 and fresh.rebuild_pending
    one = sorted(frsearch.seeds_dir().glob("*.txt"))[0]
    report = fresh.add([one])
    assert (report.added, report.passages) == (1, 14) and not fresh.rebuild_pending
    assert fresh.stats().articles == 1 and fresh.search("Biden").total > 0
    # the replaced commit's files stay one commit longer, as any commit's (for searchers)
    assert old_segments <= {f.name for f in folder.iterdir()}
    assert fresh.add([frsearch.seeds_dir()]).added == 4  # once rebuilt, adds as usual
    assert not old_segments & {f.name for f in folder.iterdir()}
    assert fresh.stats().passages == 46
    fresh.close()
    fresh = frsearch.open_index(folder, rebuild=True)
    fresh.add([frsearch.seeds_dir()])
    fresh.close()
    (folder / "notes.txt").write_text("à moi", encoding="utf-8")
    with pytest.raises(frsearch.IndexExistsError, match="notes.txt"):
        frsearch.open_index(folder, rebuild=True)
    assert frsearch.open_index(folder).stats().passages == 46  # nothing was deleted
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "à moi"


def test_json_article_is_reindexed_when_what_is_indexed_changes_only(tmp_path):
    """The version of a JSON article is that of what it shows: id, title, date,
    text and metadata (a URL, a view count: returned on its hits), not of how
    the line is written (the order of its fields)."""
    feed = tmp_path / "feed.jsonl"

    def write(reverse: bool = False, **changes) -> None:
        record = {"id": "bce", "title": "La BCE relève ses taux", "date": "2023-07",
                  "url": "https://example.org/bce", "vues": 10,
                  "paragraphs": ["La Banque centrale européenne relève ses taux directeurs."]}
        items = list({**record, **changes}.items())
        feed.write_text(json.dumps(dict(items[::-1] if reverse else items)) + "\n",
                        encoding="utf-8")

    write()
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        assert index.add([feed]).added == 1
        write(reverse=True)
        assert index.add([feed]).unchanged == 1
        write(vues=5000, url="https://example.org/bce?utm=1")
        assert index.add([feed]).updated == 1
        assert index.search("taux").hits[0].meta["vues"] == 5000
        write(paragraphs=["La Banque centrale européenne relève encore ses taux."])
        assert index.add([feed]).updated == 1
        assert index.search("encore").hits[0].passage_id == "bce:1"
