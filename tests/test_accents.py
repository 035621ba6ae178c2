"""Typing without accents, or with some missing, finds what typing them finds:
diaeresis, cedilla and circumflex, on an index of real French sentences.

Snowball reads accents inside words (``égoïsme`` → ``ego``, ``egoisme`` →
``egoism``); indexing records such spellings (``analysis.accent_form``) and a
query word is looked up there (``planning._Planner.terms``).
"""

from __future__ import annotations

import json

import pytest

import frsearch

# Two articles, added in two runs: the index has two segments, as most do.
FIRST = {
    "id": "vertus",
    "title": "Vertus et défauts",
    "paragraphs": [
        "L'égoïsme est l'amour excessif de soi, qui rapporte tout à son propre intérêt.",
        "Le pavement du chœur est une mosaïque de marbres de couleur.",
        "La Bible hébraïque fut traduite en grec à Alexandrie.",
        "Il mourut d'une mort héroïque, à la tête de sa compagnie.",
        "Une ambiguïté dans le contrat fit durer le procès dix ans.",
        "Le français est la langue officielle du Québec.",
        "J'ai reçu votre lettre ce matin, et je vous en remercie.",
        "Une pièce de bois façonnée au tour orne la rampe.",
    ],
}
SECOND = {
    "id": "paysages",
    "title": "Paysages",
    "paragraphs": [
        "La côte bretonne est découpée de falaises et de criques.",
        "Une forêt de chênes couvrait toute la colline.",
        "Les herbes brûlées par le soleil craquaient sous nos pas.",
        "Ma mémé habite une maison au bord de la rivière.",
        "Ils ont les mêmes goûts et les mêmes amis.",
        "La séance fut annulée à cause de la grève.",
        "Message tape sans accents : la reunion est annulee, la salle est fermee.",
        "Il l'a juré sur sa foi.",
        "Les pleins et les déliés de son écriture étaient d'une grande finesse.",
        "Le délai de paiement expire demain.",
    ],
}

# (typed with its accents, typed without them): each finds the same passages
DIAERESIS = [("égoïsme", "egoisme"), ("mosaïque", "mosaique"), ("hébraïque", "hebraique"),
             ("héroïque", "heroique"), ("ambiguïté", "ambiguite")]
CEDILLA = [("français", "francais"), ("reçu", "recu"), ("façonnée", "faconnee")]
CIRCUMFLEX = [("côte", "cote"), ("forêt", "foret"), ("brûlées", "brulees"),
              ("mêmes", "memes")]


def _write(path, article) -> str:
    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
    return str(path)


def _build(root):
    index = frsearch.open_index(root / "index", create=True)
    index.add([_write(root / "first.jsonl", FIRST)])
    index.add([_write(root / "second.jsonl", SECOND)])
    return index


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with _build(tmp_path_factory.mktemp("accents")) as opened:
        yield opened


def found(index, query: str) -> list[str]:
    return [hit.passage_id for hit in index.search(query, limit=50, collapse=False).hits]


def paragraph(article: dict, text: str) -> str:
    """The passage id of the paragraph of ``article`` holding ``text``."""
    number = next(n for n, p in enumerate(article["paragraphs"], start=1) if text in p)
    return f"{article['id']}:{number}"


@pytest.mark.parametrize(("accented", "plain"), DIAERESIS + CEDILLA + CIRCUMFLEX)
def test_typed_without_accents_finds_what_typed_with_them_finds(index, accented, plain):
    with_accents = found(index, accented)
    assert with_accents, accented
    assert found(index, plain) == with_accents
    assert found(index, plain.capitalize()) == with_accents


@pytest.mark.parametrize("typed", ["égoisme", "egoïsme", "hebraïque", "hébraique", "heroïque"])
def test_some_accents_missing(index, typed):
    whole = {"égoisme": "égoïsme", "egoïsme": "égoïsme", "hebraïque": "hébraïque",
             "hébraique": "hébraïque", "heroïque": "héroïque"}[typed]
    assert found(index, typed) == found(index, whole) != []


def test_the_diaeresis_inside_a_word_is_found(index):
    # the cases the ending guesses missed: Snowball reads the ï in the middle
    assert found(index, "egoisme")[0] == paragraph(FIRST, "égoïsme")
    assert found(index, "mosaique")[0] == paragraph(FIRST, "mosaïque")
    assert found(index, "hebraique")[0] == paragraph(FIRST, "hébraïque")
    assert found(index, "heroique")[0] == paragraph(FIRST, "héroïque")


def test_meme_is_the_stop_word_or_an_accented_word_of_the_index(index):
    # "même" is a stop word; typed plain, "meme" may also be "mémé", which it
    # finds (and "mêmes", which Snowball stems as "mémé": "mem")
    assert found(index, "même") == []
    assert set(found(index, "meme")) == {paragraph(SECOND, "mémé"), paragraph(SECOND, "mêmes")}
    assert found(index, "meme") == found(index, "mémé")
    assert found(index, "meme mémé") == found(index, "mémé")
    # "des" typed plain is the article, not "dès": a stop word
    assert found(index, "des") == []


def test_a_word_written_without_accents_is_found_typed_with_them(index):
    # "annulee" as typed on a keyboard without accents is "annulée"
    both = {paragraph(SECOND, "annulée"), paragraph(SECOND, "annulee")}
    assert set(found(index, "annulée")) == both
    assert set(found(index, "annulee")) == both
    assert set(found(index, "fermée")) == {paragraph(SECOND, "fermee")}


def test_endings_are_guessed_only_for_a_word_the_index_knows_in_no_spelling(index):
    # "brulee" is written nowhere, with or without accents: it is taken for
    # "brûlée", whose stem "brûlées" has
    assert found(index, "brulee") == found(index, "brûlées") != []
    # "fois" is not "foîs" (no French word ends so), whose stem is "foi"'s
    assert found(index, "foi") == [paragraph(SECOND, "foi")]
    assert found(index, "fois") == []


def test_a_word_typed_plain_is_not_also_words_of_a_shorter_stem(index):
    # Snowball gives "délié" the term "deli" but "delie" the term "del", that of
    # "délai": typed plain, the word is the one the index holds with accents
    deliés = paragraph(SECOND, "déliés")
    assert found(index, "déliés") == [deliés]
    assert found(index, "delies") == [deliés]
    assert found(index, "Delies") == [deliés]
    # a word the index holds only plain keeps its own term
    assert found(index, "delai") == [paragraph(SECOND, "délai")]
