"""Dates are checked at indexing (issue 12, problem 6): a date that is not
``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` of the calendar is reported, naming the
file (and line) and the value, and left out; the article is still indexed."""

from __future__ import annotations

import json

import pytest

import frsearch
from frsearch.articles import checked_date

GOOD = [("2021", "2021"), ("2021-06", "2021-06"), ("2021-12-07", "2021-12-07"),
        ("2024-02-29", "2024-02-29"), (" 2021-12-07 ", "2021-12-07"),
        ("2021-12-07T18:30:00+01:00", "2021-12-07"), ("2021-12-07T18:30Z", "2021-12-07"),
        ("2021-12-07 18:30:05.123", "2021-12-07")]
BAD = [("hier soir", "it is not written YYYY, YYYY-MM or YYYY-MM-DD"),
       ("2021-13-45", "it is no date of the calendar"),
       ("2021-02-30", "it is no date of the calendar"),
       ("2023-02-29", "it is no date of the calendar"),
       ("2021-00", "it is no date of the calendar"),
       ("0000", "it is no date of the calendar"),
       ("2021-1-5", "it is not written YYYY, YYYY-MM or YYYY-MM-DD"),
       ("07/12/2021", "it is not written YYYY, YYYY-MM or YYYY-MM-DD"),
       ("2021-12-07 vers midi", "it is not written YYYY, YYYY-MM or YYYY-MM-DD"),
       ("2021-12T10:00", "it is not written YYYY, YYYY-MM or YYYY-MM-DD"),
       ("", "it is not written YYYY, YYYY-MM or YYYY-MM-DD")]


@pytest.mark.parametrize(("value", "kept"), GOOD)
def test_a_date_of_the_calendar_is_kept(value, kept):
    assert checked_date(value) == kept


@pytest.mark.parametrize(("value", "why"), BAD)
def test_what_is_no_date_says_why(value, why):
    with pytest.raises(ValueError) as refused:
        checked_date(value)
    assert str(refused.value) == why


def test_json_dates_that_are_none_are_reported_and_left_out(tmp_path):
    feed = tmp_path / "depeches.jsonl"
    records = [
        {"id": "veille", "date": "hier soir", "title": "Le Sénat vote le budget",
         "paragraphs": ["Les sénateurs ont adopté le budget après un long débat."]},
        {"id": "mois-13", "date": "2021-13-45", "title": "Grève à la SNCF",
         "paragraphs": ["Les cheminots cessent le travail pour la troisième journée."]},
        {"id": "fevrier", "date": "2021-02-30", "title": "Neige en Savoie",
         "paragraphs": ["Les stations de ski rouvrent sous une neige abondante."]},
        {"id": "juste", "date": "2021-12-07T18:30:00+01:00", "title": "Sommet virtuel",
         "paragraphs": ["Biden menace Poutine de fortes sanctions."]},
    ]
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        report = index.add([feed])
        assert report.added == 4
        assert [(p.source, p.reason, p.skipped) for p in report.problems] == [
            (f"{feed}:1", "nothing skipped: the date 'hier soir' of article 'veille' is left out "
             "(it is not written YYYY, YYYY-MM or YYYY-MM-DD); the article is indexed without "
             "a date", False),
            (f"{feed}:2", "nothing skipped: the date '2021-13-45' of article 'mois-13' is left "
             "out (it is no date of the calendar); the article is indexed without a date", False),
            (f"{feed}:3", "nothing skipped: the date '2021-02-30' of article 'fevrier' is left "
             "out (it is no date of the calendar); the article is indexed without a date", False),
        ]
        dates = {hit.article_id: hit.date
                 for query in ("budget", "cheminots", "neige", "sanctions")
                 for hit in index.search(query).hits}
    assert dates == {"veille": None, "mois-13": None, "fevrier": None, "juste": "2021-12-07"}


def test_a_text_files_date_line_is_checked(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "faux.txt").write_text(
        " date 2021-13-45 Les pourparlers ont débuté\n\nLa visioconférence a commencé.\n",
        encoding="utf-8")
    (folder / "annee.txt").write_text(
        " date 2021 Bilan de l'année\n\nUne année de sommets et de sanctions.\n",
        encoding="utf-8")
    problems = []
    articles = {a.id: a for a in frsearch.read_articles([folder], problems.append)}
    assert (articles["faux"].title, articles["faux"].date) == ("Les pourparlers ont débuté", None)
    assert (articles["annee"].title, articles["annee"].date) == ("Bilan de l'année", "2021")
    assert [(p.source, p.skipped) for p in problems] == [(str(folder / "faux.txt"), False)]
    assert "the date '2021-13-45' of article 'faux' is left out" in problems[0].reason


def test_the_command_line_notes_the_date_and_indexes_the_article(tmp_path, cli_main):
    feed = tmp_path / "depeches.jsonl"
    feed.write_text(json.dumps({"id": "veille", "date": "hier soir", "title": "Budget voté",
                                "paragraphs": ["Le Sénat a adopté le budget."]}) + "\n",
                    encoding="utf-8")
    done = cli_main("index", str(feed), "--index", str(tmp_path / "ix"))
    assert done.returncode == 0  # nothing skipped
    assert (f"frsearch: note: {feed}:1: nothing skipped: the date 'hier soir' of article "
            "'veille' is left out") in done.stderr
    found = cli_main("query", "budget", "--json", "--index", str(tmp_path / "ix"))
    assert [hit["date"] for hit in json.loads(found.stdout)["hits"]] == [None, None]


def test_the_seeds_keep_their_dates(seed_index):
    assert {hit.date for hit in seed_index.search("Biden", limit=50).hits} == {"2021-12", None}
