"""Pages and sorting (issue 12, problems 7 and 8): ``offset`` pages through
the same list as a longer ``limit`` would show, the last page ends at
``total``, which counts hits once near-duplicates are grouped; by date,
passages without one come last, equal dates by relevance then passage id."""

from __future__ import annotations

import random

import pytest
from newsroom import ARTICLES, WIRE, WIRE_COPY, newsroom_index

import frsearch
from frsearch import collapsing

SENTENCES = [paragraph for article in ARTICLES for paragraph in article["paragraphs"]
             if paragraph not in (WIRE, WIRE_COPY)]
DAYS = ["2021", "2021-11", "2021-11-30", "2021-12", "2021-12-01", "2021-12-07", "2022-01-15",
        None]
SOURCES = ["lemonde", "afp", "libération", "lefigaro"]


def _archive() -> list[dict]:
    """Sixty articles made of the newsroom's sentences (many passages scoring
    alike), the wire paragraph in a fifth of them, dates of every precision."""
    draw = random.Random(12)
    articles = []
    for number in range(60):
        paragraphs = [" ".join(draw.sample(SENTENCES, 2)) for _ in range(3)]
        if number % 5 == 0:
            paragraphs.append(WIRE if number % 2 else WIRE_COPY)
        article = {"id": f"depeche-{number:02}", "title": draw.choice(SENTENCES),
                   "source": draw.choice(SOURCES), "paragraphs": paragraphs}
        if (day := draw.choice(DAYS)) is not None:
            article["date"] = day
        articles.append(article)
    return articles


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    index = newsroom_index(tmp_path_factory.mktemp("pages"), _archive())
    yield index
    index.close()


def _shown(result) -> list[tuple[str, float, list[str]]]:
    return [(hit.passage_id, hit.score, [d.passage_id for d in hit.duplicates])
            for hit in result.hits]


@pytest.mark.parametrize("sort", ["relevance", "date", "-date"])
@pytest.mark.parametrize("collapse", [True, False])
@pytest.mark.parametrize("query", ["sanctions", "sanctions Kremlin", "Genève OR prix",
                                   "source:afp", "sanctions -Russie"])
def test_pages_follow_one_another_to_total(archive, query, sort, collapse):
    whole = archive.search(query, limit=10_000, sort=sort, collapse=collapse)
    assert whole.total == len(whole.hits) > 20
    pages = []
    for offset in range(0, whole.total + 7, 7):
        page = archive.search(query, limit=7, offset=offset, sort=sort, collapse=collapse)
        assert (page.total, page.offset, page.sort) == (whole.total, offset, sort)
        pages += _shown(page)
    assert pages == _shown(whole)  # the last page ends at total, and no hit repeats


@pytest.mark.parametrize("sort", ["relevance", "-date"])
def test_past_the_grouping_window_each_passage_is_a_hit(archive, monkeypatch, sort):
    """Near-duplicates are grouped among the first GROUPED_WITHIN passages:
    pages stay consistent across its end, and total counts what they list."""
    monkeypatch.setattr(collapsing, "GROUPED_WITHIN", 25)
    whole = archive.search("banques russes énergie", limit=10_000, sort=sort)
    every = archive.search("banques russes énergie", limit=10_000, sort=sort, collapse=False)
    copies = sum(len(hit.duplicates) for hit in whole.hits)
    assert 0 < copies and whole.total == len(whole.hits) == every.total - copies
    listed = [p for hit in whole.hits for p in (hit.passage_id, *(d.passage_id
                                                                  for d in hit.duplicates))]
    assert sorted(listed) == sorted(hit.passage_id for hit in every.hits)
    # below the first 25 passages, none is grouped: the hits are the passages as ranked
    assert [hit.passage_id for hit in every.hits[25:]] == [
        hit.passage_id for hit in whole.hits[whole.total - (every.total - 25):]]
    pages = []
    for offset in range(0, whole.total, 6):
        pages += _shown(archive.search("banques russes énergie", limit=6, offset=offset,
                                       sort=sort))
    assert pages == _shown(whole)


def test_total_counts_hits_once_copies_are_grouped(archive):
    """Before, total counted passages: 12 copies of one wire paragraph made 12."""
    grouped = archive.search("banques russes énergie", limit=1000)
    every = archive.search("banques russes énergie", limit=1000, collapse=False)
    copies = sum(len(hit.duplicates) for hit in grouped.hits)
    assert copies >= 10
    assert grouped.total == len(grouped.hits) == every.total - copies
    assert grouped.total_passages == every.total == every.total_passages == len(every.hits)


def test_a_page_past_the_end_is_empty(archive):
    last = archive.search("sanctions", offset=10_000)
    assert last.hits == [] and last.total == archive.search("sanctions").total


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_by_date_undated_last_then_relevance_then_passage_id(archive, sort):
    hits = archive.search("sanctions", limit=10_000, sort=sort, collapse=False).hits
    dated = [hit for hit in hits if hit.date is not None]
    assert hits[len(dated):] and all(hit.date is None for hit in hits[len(dated):])
    dates = [hit.date for hit in dated]
    # dates as written sort as text: 2021 before 2021-11, 2021-11 before 2021-11-30
    assert dates == sorted(dates, reverse=sort == "-date")
    for before, after in zip(hits, hits[1:], strict=False):
        if before.date == after.date:
            assert (-before.score, before.article_id, before.paragraph) <= (
                -after.score, after.article_id, after.paragraph)


def test_the_default_ranking_is_unchanged_by_paging(archive):
    first = archive.search("sanctions Kremlin")
    assert _shown(first) == _shown(archive.search("sanctions Kremlin", offset=0, limit=10,
                                                  sort="relevance"))
    assert _shown(archive.search("sanctions Kremlin", limit=30))[:10] == _shown(first)


def test_bad_options_are_refused(archive):
    for options in ({"sort": "newest"}, {"group": "source"}, {"offset": -1}, {"limit": 0},
                    {"limit": -1}, {"limit": True}, {"offset": 1.5},
                    {"time_budget": float("nan")}, {"time_budget": -1}):
        with pytest.raises(ValueError):
            archive.search("sanctions", **options)
    for options in ({"filters": "date=2021-12"}, {"filters": [("date", "2021-12")]},
                    {"facets": [1]}):
        with pytest.raises(TypeError):  # not an AttributeError from deep inside
            archive.search("sanctions", **options)
    with pytest.raises(TypeError):
        archive.search(None)


def test_one_name_is_taken_as_one(archive, tmp_path):
    """A string where a list is expected is one item, not its letters."""
    import numpy

    assert set(archive.search("sanctions", facets="date").facets) == {"date"}
    assert archive.search("sanctions", limit=numpy.int64(3)).hits == archive.search(
        "sanctions", limit=3).hits
    index = frsearch.open_index(tmp_path / "ix", create=True)
    one = sorted(frsearch.seeds_dir().glob("*.txt"))[0]
    assert index.add(str(one)).added == 1  # walked character by character: "/" was indexed
    assert index.add(frsearch.seeds_dir()).added == 4
    report = index.remove(one.stem)
    assert (report.removed, report.unknown) == (1, ())
    with pytest.raises(TypeError, match="files or folders"):
        index.add([1])
    for wrong in (b"afp-1", None, 5):
        with pytest.raises(TypeError, match="article_ids"):
            index.remove(wrong)
    assert index.search("sanctions", facets=None).facets == {}
    index.close()


def test_seeds_pages(seed_index):
    whole = seed_index.search("Russie", limit=100)
    assert [h.passage_id for h in seed_index.search("Russie", offset=3, limit=3).hits] == [
        h.passage_id for h in whole.hits[3:6]]


def test_the_cli_says_which_page(cli_main, tmp_path):
    newsroom_index(tmp_path / "n", _archive()).close()
    folder = str(tmp_path / "n" / "index")
    whole = frsearch.open_index(folder).search("sanctions", limit=1000)
    done = cli_main("query", "sanctions", "--offset", "2", "--limit", "2", "--sort", "-date",
                    "--index", folder)
    first = done.stdout.splitlines()[0]
    assert done.returncode == 0
    assert first.startswith(f"{whole.total_passages} passages for 'sanctions', "
                            f"{whole.total} hits once near-duplicates are grouped; "
                            f"results 3–4 of {whole.total}")
    assert first.endswith("(sorted by date, newest first)")
    assert "\n3. " in done.stdout and "\n4. " in done.stdout and "\n1. " not in done.stdout
