"""Filters (issue 12, problem 6): date ranges, metadata fields and article ids,
in the query and as arguments; an unknown field or a malformed value is left
out with a warning, never searched as words nor an empty list in silence."""

from __future__ import annotations

import json

import pytest
from newsroom import DATES, article_ids, newsroom_index

from frsearch.query import DateRange, parse_date_range


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    index = newsroom_index(tmp_path_factory.mktemp("newsroom"))
    yield index
    index.close()


def _found(index, query: str, **options) -> set[str]:
    result = index.search(query, limit=100, **options)
    assert result.warnings == [], result.warnings
    return article_ids(result)


def test_every_article_of_the_archive_is_about_sanctions(newsroom):
    assert _found(newsroom, "sanctions") == set(DATES)


@pytest.mark.parametrize(("written", "articles"), [
    # a date written in part is its whole period: in the range if they share a day
    ("date:2021-12", {"lemonde-1", "liberation-1", "afp-1", "lemonde-3"}),
    ("date:2021-06..2021-12",
     {"lemonde-1", "liberation-1", "afp-1", "lemonde-3", "liberation-2"}),
    ("date:>=2021-12-08", {"liberation-1", "afp-1", "lemonde-3", "lemonde-2"}),
    ("date:>2021", {"lemonde-2"}),
    ("date:<2022-01-15", {"lemonde-1", "liberation-1", "afp-1", "lemonde-3", "liberation-2"}),
    ("date:<=2021-06-16", {"lemonde-3", "liberation-2"}),
    ("date:[2021 TO 2022]", set(DATES) - {"figaro-1"}),
    ("date:{2021 TO 2023}", {"lemonde-2"}),
    ("date:[2021-12-08 TO *]", {"liberation-1", "afp-1", "lemonde-3", "lemonde-2"}),
    ("date:2021-12..", {"lemonde-1", "liberation-1", "afp-1", "lemonde-3", "lemonde-2"}),
    ("date:..2021-06", {"lemonde-3", "liberation-2"}),
])
def test_date_ranges(newsroom, written, articles):
    assert _found(newsroom, f"sanctions {written}") == articles
    # the same filter as an argument
    value = written.removeprefix("date:")
    assert _found(newsroom, "sanctions", filters={"date": value}) == articles


@pytest.mark.parametrize(("written", "articles"), [
    ("source:lemonde", {"lemonde-1", "lemonde-2", "lemonde-3"}),
    ("SOURCE:LeMonde", {"lemonde-1", "lemonde-2", "lemonde-3"}),
    ("source:libération", {"liberation-1", "liberation-2"}),
    ('author:"Jean Dupont"', {"liberation-1", "afp-1"}),
    ("author:«jean  dupont»", {"liberation-1", "afp-1"}),
    ("tags:ukraine", {"lemonde-1", "liberation-1"}),
    ("id:afp-1", {"afp-1"}),
    ("-source:lemonde", {"liberation-1", "afp-1", "figaro-1", "liberation-2"}),
    ("(source:afp OR source:lefigaro)", {"afp-1", "figaro-1"}),
    ("source:lemonde date:2021-12", {"lemonde-1", "lemonde-3"}),
    ("source:afp -date:2022", {"afp-1"}),
])
def test_metadata_fields_and_ids(newsroom, written, articles):
    assert _found(newsroom, f"sanctions {written}") == articles


def test_a_list_of_values_lets_through_any_of_them(newsroom):
    assert _found(newsroom, "sanctions", filters={"source": ["afp", "lefigaro"]}) \
        == {"afp-1", "figaro-1"}
    assert _found(newsroom, "sanctions", filters={"source": "lemonde", "date": ">2021"}) \
        == {"lemonde-2"}


def test_a_filter_alone_lists_what_it_lets_through(newsroom):
    result = newsroom.search("source:afp", limit=100)
    assert [hit.passage_id for hit in result.hits] == ["afp-1:0", "afp-1:1"]


def test_a_filter_orders_nothing(newsroom):
    """The hits it keeps rank as they do without it, with the same scores."""
    every = newsroom.search("sanctions Kremlin", limit=100)
    kept = newsroom.search("sanctions Kremlin date:2021-12", limit=100)
    assert [(h.passage_id, h.score) for h in kept.hits] == [
        (h.passage_id, h.score) for h in every.hits if h.article_id in _found(
            newsroom, "sanctions date:2021-12")]


@pytest.mark.parametrize(("written", "says"), [
    ("foo:bar", "no article has a field 'foo'"),
    ("pays:Kremlin", "no article has a field 'pays'"),
    ("date:2021-13", "'2021-13' is not a date"),
    ("date:2021-02-30", "'2021-02-30' is not a date"),
    ("date:hier", "'hier' is not a date"),
    ("date:2022..2021", "starts after it ends"),
    ("title:x date:[2021 TO hier]", "'hier' is not a date"),
    # past the calendar's ends: nothing is there (it matched everything before)
    ("date:>9999", "no date comes after '9999'"),
    ("date:<0001-01-01", "no date comes before '0001-01-01'"),
    ("date:{9999-12-31 TO *}", "no date comes after '9999-12-31'"),
])
def test_what_cannot_filter_is_left_out_with_a_warning(newsroom, written, says):
    """Before, date:2021-13 found nothing and foo:bar searched 'foo' and 'bar'
    as words: results broader, not narrower, and not a word said."""
    plain = newsroom.search("Genève", limit=100)
    result = newsroom.search(f"Genève {written}", limit=100)
    assert len(result.warnings) == 1 and says in result.warnings[0]
    assert written.split()[-1] in result.warnings[0]
    if not written.startswith("title:"):
        assert [(h.passage_id, h.score) for h in result.hits] == [
            (h.passage_id, h.score) for h in plain.hits]


def test_an_unknown_field_names_the_fields_there_are(newsroom):
    (warning,) = newsroom.search("sanctions rubrique:monde").warnings
    assert "fields: author, date, id, source, tags, title, url" in warning


def test_warnings_for_arguments(newsroom):
    result = newsroom.search("sanctions", filters={"date": "2021-13", "source": []})
    assert len(result.warnings) == 2 and article_ids(result) == _found(newsroom, "sanctions")


def test_date_ranges_are_read_as_written():
    assert parse_date_range("2021-02") == DateRange(
        *(__import__("datetime").date(2021, 2, day) for day in (1, 28)))
    assert parse_date_range("[2021 TO *]").last is None
    assert parse_date_range("<2022-01-15").last.isoformat() == "2022-01-14"
    assert parse_date_range(">2021-12").first.isoformat() == "2022-01-01"
    for bad in ("2021-13", "21-12", "2021-1", "hier soir", "..", "[2021 TO]", "2021-12-07T10"):
        with pytest.raises(ValueError):
            parse_date_range(bad)


def test_the_cli_prints_warnings_on_stderr(cli_main, tmp_path):
    index = newsroom_index(tmp_path / "n")
    index.close()
    folder = str(tmp_path / "n" / "index")
    done = cli_main("query", "sanctions", "foo:bar", "--index", folder)
    assert done.returncode == 0
    assert done.stderr.startswith("warning: foo:bar was left out: no article has a field 'foo'")
    as_json = cli_main("query", "sanctions", "--filter", "date=2021-13", "--filter",
                       "source=afp", "--json", "--index", folder)
    payload = json.loads(as_json.stdout)
    assert [hit["article_id"] for hit in payload["hits"]] == ["afp-1"]
    assert len(payload["warnings"]) == 1 and "2021-13" in payload["warnings"][0]
    bad = cli_main("query", "sanctions", "--filter", "source", "--index", folder)
    assert bad.returncode == 2 and "FIELD=VALUE" in bad.stderr


def test_the_calendars_last_month_is_a_date(newsroom):
    # its last day was computed past the calendar's end, an OverflowError
    result = newsroom.search("sanctions date:9999-12", limit=100)
    assert result.warnings == [] and result.hits == []
