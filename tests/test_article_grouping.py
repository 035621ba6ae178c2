"""Articles, not only passages: ``group="article"`` ranks articles by their
best passage and shows each with its best passages; ``total`` counts articles
and pages go through them."""

from __future__ import annotations

import json

import pytest
from newsroom import DATES, newsroom_index

from frsearch.collapsing import PASSAGES_PER_ARTICLE


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    index = newsroom_index(tmp_path_factory.mktemp("articles"))
    yield index
    index.close()


@pytest.mark.parametrize("query", ["sanctions", "sanctions Kremlin", "Russie OR Genève",
                                   "source:lemonde", "sanctions économiques"])
def test_articles_rank_by_their_best_passage(newsroom, query):
    passages = newsroom.search(query, limit=1000, collapse=False).hits
    result = newsroom.search(query, limit=100, group="article")
    assert result.hits == [] and result.articles is not None
    held: dict[str, list] = {}
    for hit in passages:
        held.setdefault(hit.article_id, []).append(hit)
    assert result.total == len(held) == len(result.articles)
    assert result.total_passages == len(passages)
    assert [a.article_id for a in result.articles] == sorted(
        held, key=lambda article: (-max(h.score for h in held[article]), article))
    for article in result.articles:
        mine = held[article.article_id]
        assert article.score == max(h.score for h in mine) and article.matched == len(mine)
        best = sorted(mine, key=lambda h: (-h.score, h.paragraph))[:PASSAGES_PER_ARTICLE]
        assert [(h.passage_id, h.score, h.matches) for h in article.passages] == [
            (h.passage_id, h.score, h.matches) for h in best]
        assert article.date == DATES[article.article_id]


def test_an_article_comes_with_its_metadata_and_highlights(newsroom):
    first = newsroom.search("visioconférence sanctions", group="article").articles[0]
    assert first.article_id == "lemonde-1" and first.meta["author"] == "Piotr Smolar"
    assert first.title == "Biden menace Poutine de sanctions économiques"
    assert first.source.endswith("archive.jsonl")
    assert all("<mark>" in hit.snippet for hit in first.passages)


def test_pages_of_articles(newsroom):
    for sort in ("relevance", "date", "-date"):
        whole = newsroom.search("sanctions", limit=100, group="article", sort=sort)
        paged = [article.article_id for offset in range(0, whole.total, 3)
                 for article in newsroom.search("sanctions", limit=3, offset=offset,
                                                group="article", sort=sort).articles]
        assert paged == [article.article_id for article in whole.articles]


def test_articles_by_date_undated_last(newsroom):
    newest = [a.article_id for a in newsroom.search("sanctions", group="article",
                                                    sort="-date").articles]
    assert newest == ["lemonde-2", "liberation-1", "lemonde-1", "afp-1", "liberation-2",
                      "lemonde-3", "figaro-1"]


def test_facets_count_articles_when_grouped(newsroom):
    result = newsroom.search("sanctions", group="article", facets=["source", "date"])
    assert result.facets["source"] == [("lemonde", 3), ("libération", 2), ("afp", 1),
                                       ("lefigaro", 1)]
    assert result.facets["date"] == [("2021", 1), ("2021-06", 1), ("2021-12", 3),
                                     ("2022-01", 1)]


def test_the_cli_lists_articles(cli_main, tmp_path):
    newsroom_index(tmp_path / "n").close()
    folder = str(tmp_path / "n" / "index")
    done = cli_main("query", "sanctions", "Kremlin", "--by-article", "--limit", "2",
                    "--index", folder)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith("7 articles for 'sanctions Kremlin' (")
    assert lines[0].endswith("; results 1–2 of 7")
    assert any(line.startswith("   [liberation-1] score ") for line in lines)
    payload = json.loads(cli_main("query", "sanctions", "--by-article", "--json",
                                  "--index", folder).stdout)
    assert payload["total"] == 7 and payload["hits"] == []
    article = payload["articles"][0]
    assert set(article) == {"article_id", "title", "date", "source", "meta", "score",
                            "matched", "passages"}
    assert all(hit["text_truncated"] is False for hit in article["passages"])
