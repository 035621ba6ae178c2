"""Each query form translated to the engines' query DSL, as data; and the
marks a hit from the engine gets, the same spans a local search gives."""

from __future__ import annotations

import pytest

import frsearch
from frsearch.export import export_opensearch
from frsearch.highlight import match_groups
from frsearch.opensearch import (
    CONTEXT_BOOST,
    PROXIMITY_SLOP,
    EngineError,
    Vocabulary,
    credentials,
    translate,
)
from frsearch.query import join_digit_groups, parse_query


@pytest.fixture(scope="module")
def vocabulary(seed_index_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("export-vocabulary")
    export_opensearch(seed_index_folder, out)
    return Vocabulary.read(out / "vocabulary.json")


def dsl(query: str, vocabulary: Vocabulary) -> dict:
    return translate(parse_query(join_digit_groups(query)), vocabulary).query


def context(text: str, kind: str = "best_fields") -> dict:
    """The headline and heading of a passage holding ``text``, for any passage
    but a headline (paragraph 0), which is not its own context."""
    return {"bool": {
        "must": [{"multi_match": {"query": text, "fields": ["title", "heading"], "type": kind,
                                  "boost": CONTEXT_BOOST}}],
        "must_not": [{"term": {"paragraph": 0}}]}}


def test_words_side_by_side_are_soft_with_proximity(vocabulary):
    assert dsl("sanctions Russie", vocabulary) == {"bool": {
        "must": [{"bool": {"should": [{"match": {"text": {"query": "sanctions"}}},
                                      {"match": {"text": {"query": "Russie"}}}],
                           "minimum_should_match": 1}}],
        "should": [context("sanctions"), context("Russie"),
                   {"match_phrase": {"text": {"query": "sanctions Russie",
                                              "slop": PROXIMITY_SLOP, "boost": 0.5}}}],
    }}


def test_a_phrase_and_a_hyphenated_name_are_phrases(vocabulary):
    assert dsl('"lignes rouges"', vocabulary) == {"bool": {
        "must": [{"match_phrase": {"text": {"query": "lignes rouges"}}}],
        "should": [context("lignes rouges", "phrase")],
    }}
    assert dsl("États-Unis", vocabulary)["bool"]["must"] == [
        {"match_phrase": {"text": {"query": "États-Unis"}}}]


def test_boolean_operators(vocabulary):
    assert dsl("sanctions AND NOT Russie", vocabulary)["bool"]["must"] == [{"bool": {
        "must": [{"match": {"text": {"query": "sanctions"}}}],
        "filter": [],
        "must_not": [{"match": {"text": {"query": "Russie"}}}],
    }}]
    assert dsl("Kiev OR Moscou", vocabulary)["bool"]["must"] == [{"bool": {
        "should": [{"match": {"text": {"query": "Kiev"}}},
                   {"match": {"text": {"query": "Moscou"}}}],
        "minimum_should_match": 1}}]
    assert dsl("-Russie sanctions", vocabulary)["bool"]["must_not"] == [
        {"match": {"text": {"query": "Russie"}}}]


def test_a_prefix_is_folded_and_loses_its_elision(vocabulary):
    assert dsl("Présid*", vocabulary) == {"bool": {"must": [
        {"prefix": {"text": {"value": "presid"}}}]}}
    assert dsl("l’Ukr*", vocabulary)["bool"]["must"] == [{"prefix": {"text": {"value": "ukr"}}}]


def test_filters_on_title_date_and_metadata(vocabulary):
    assert dsl("title:sanctions Poutine", vocabulary)["bool"]["filter"] == [
        {"match": {"title": {"query": "sanctions", "operator": "and"}}}]
    assert dsl("date:2021-12", vocabulary) == {"bool": {
        "filter": [{"prefix": {"date": "2021-12"}}], "must": [{"match_all": {}}]}}
    assert dsl("date:2021-01..2021-12 Kiev", vocabulary)["bool"]["filter"] == [
        {"range": {"date_value": {"gte": "2021-01", "lte": "2021-12"}}}]
    assert dsl("author:dupont Kiev", vocabulary)["bool"]["filter"] == [
        {"term": {"meta.author": "dupont"}}]


def test_typed_without_accents_a_word_also_stands_for_its_accented_terms(vocabulary):
    assert "crim" not in frsearch.analyze("crimee")  # Snowball: crimee is crime
    assert dsl("crimee", vocabulary)["bool"]["must"] == [{"bool": {
        "should": [{"match": {"text": {"query": "crimee"}}},
                   {"bool": {"should": [{"term": {"text": {"value": "crim"}}}],
                             "boost": 1.0}}],
        "minimum_should_match": 1}}]


def test_a_typo_is_corrected_before_sending(vocabulary):
    translation = translate(parse_query("Kremlim"), vocabulary)
    assert translation.query["bool"]["must"] == [{"bool": {
        "should": [{"match": {"text": {"query": "Kremlim"}}},
                   {"bool": {"should": [{"term": {"text": {"value": "kremlin"}}}],
                             "boost": 0.5}}],
        "minimum_should_match": 1}}]
    assert translation.corrections == {"Kremlim": "Kremlin"}


def test_a_query_of_stop_words_matches_nothing(vocabulary):
    assert dsl("de la", vocabulary)["bool"]["must"][0]["bool"]["should"] == [
        {"match_none": {}}, {"match_none": {}}]


@pytest.mark.parametrize("query", ["sanctions", "Kiev", "crimee", '"lignes rouges"', "présid*"])
def test_hits_are_marked_where_a_local_search_marks_them(query, vocabulary, seed_index):
    patterns = translate(parse_query(query), vocabulary).patterns
    hits = seed_index.search(query, collapse=False).hits
    assert hits
    for hit in hits:
        assert match_groups(hit.text, patterns)[0] == hit.matches, hit.passage_id


def test_credentials_come_from_the_environment_only(monkeypatch, tmp_path):
    for name in ("FRSEARCH_OPENSEARCH_USER", "FRSEARCH_OPENSEARCH_PASSWORD",
                 "FRSEARCH_OPENSEARCH_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    assert credentials() is None
    secret = tmp_path / "secret"
    secret.write_text("lecteur:mot de passe\n")
    monkeypatch.setenv("FRSEARCH_OPENSEARCH_CREDENTIALS", str(secret))
    assert credentials() == ("lecteur", "mot de passe")
    secret.write_text("no colon\n")
    with pytest.raises(EngineError, match="user:password") as refused:
        credentials()
    assert "no colon" not in str(refused.value)
    monkeypatch.setenv("FRSEARCH_OPENSEARCH_USER", "u")
    monkeypatch.setenv("FRSEARCH_OPENSEARCH_PASSWORD", "p")
    assert credentials() == ("u", "p")


def test_cli_refuses_credentials_in_the_url_without_echoing_them(cli, seed_index_folder):
    done = cli("push", "--opensearch", "http://lecteur:s3cret@127.0.0.1:9",
               "--index", str(seed_index_folder))
    assert done.returncode == 2
    assert "s3cret" not in done.stderr + done.stdout
    assert "FRSEARCH_OPENSEARCH_USER" in done.stderr
