"""Questions that ask for a time, a duration or a date rank first the passages
that hold one (``frsearch.answers``), on the seeds and on real French sentences."""

from __future__ import annotations

import json
import re

import pytest

import frsearch
from frsearch.answers import asked_for, holds_answer

CLOCK = re.compile(r"\d{1,2} ?[hH] ?\d{0,2}\b")


def test_the_seeds_question_about_the_hour_finds_the_clock_times_first(seed_index):
    hits = seed_index.search("à quelle heure a commencé la discussion", limit=10).hits
    # both reports of when the call began (15h07 GMT, 15H00 GMT) come first
    assert all(hit.text.startswith("La discussion entre les présidents") and CLOCK.search(hit.text)
               for hit in hits[:2])


@pytest.fixture()
def entretiens(tmp_path):
    article = {"id": "entretiens", "title": "Entretiens", "paragraphs": [
        "L'entretien entre les deux ministres a été long et difficile.",
        "L'entretien a duré trois heures, selon un diplomate.",
        "Un nouvel entretien est prévu en janvier à Paris.",
    ]}
    path = tmp_path / "entretiens.jsonl"
    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    index = frsearch.open_index(tmp_path / "index", create=True)
    index.add([str(path)])
    return index


def test_each_kind_of_question_lifts_its_kind_of_answer(entretiens):
    def first(query: str) -> str:
        return entretiens.search(query, limit=3).hits[0].passage_id

    assert first("combien de temps a duré l'entretien") == "entretiens:2"
    assert first("quand aura lieu l'entretien ?") == "entretiens:3"

    def scores(query: str) -> dict[str, float]:
        return {hit.passage_id: hit.score for hit in entretiens.search(query, limit=4).hits}

    # the same words without the question word: only the dated passage scored less
    asked, plain = scores("quand aura lieu l'entretien ?"), scores("aura lieu l'entretien")
    assert asked.pop("entretiens:3") > plain.pop("entretiens:3")
    assert asked == plain


def test_a_question_word_counts_only_where_a_question_puts_it():
    assert asked_for("Depuis quand la Russie masse-t-elle des troupes ?") == "date"
    assert asked_for("ils se sont parlé combien de temps ?") == "duration"
    assert asked_for("que faire quand un paquet ne s'installe pas") is None
    assert asked_for("pourquoi Biden a-t-il appelé Macron") is None
    assert holds_answer("date", "Le sommet de Genève, en juin dernier.")
    assert not holds_answer("time", "Leur entretien a duré deux heures.")
