"""The French analyzer on the seeds' hard cases: each test shows the French it handles."""

from __future__ import annotations

import re

import pytest

from frsearch import analyze
from frsearch.analysis import (
    WORD_CODES,
    accent_forms,
    fold,
    indexed_terms,
    tokenize,
    word_codes,
)


def test_elisions_with_both_apostrophes_and_any_case():
    assert analyze("l’Ukraine") == analyze("l'Ukraine") == analyze("L’UKRAINE") == ["ukrain"]
    assert analyze("d’une escalade") == analyze("d'une escalade") == ["escalad"]
    assert analyze("qu’ils se retrouvent") == ["retrouvent"]
    assert analyze("jusqu’à lorsqu'il puisqu’elle quoiqu'on") == []


def test_elided_word_is_not_a_contraction_of_another_word():
    # "aujourd’hui" keeps its apostrophe: "aujourd" is not an elided article
    assert analyze("aujourd’hui") == analyze("aujourd'hui") == ["aujourd'hui"]


def test_token_span_starts_after_the_elided_article():
    text = "à la frontière avec l’Ukraine"
    (frontiere, ukraine) = list(tokenize(text))
    assert text[ukraine.start:ukraine.end] == "Ukraine"
    assert text[frontiere.start:frontiere.end] == "frontière"


def test_stem_then_fold_accents_and_ligatures():
    assert analyze("cœur") == analyze("coeur") == ["coeur"]
    assert analyze("Genève") == analyze("geneve") == ["genev"]
    assert analyze("présidents américains") == analyze("president americain")
    assert analyze("sanctions") == analyze("sanction") == analyze("SANCTIONS")


def test_snowball_reads_accented_endings():
    # The reason to stem before folding: "-ée" is a suffix only with its accent.
    assert analyze("Crimée") == ["crim"]
    assert analyze("crimee") == ["crime"]  # the searcher handles this one, see test_search


def test_hyphenated_names_are_consecutive_words():
    assert analyze("États-Unis") == analyze("Etats Unis") == ["etat", "unis"]
    assert analyze("etats-unis") == ["etat", "unis"]
    assert analyze("Maison-Blanche") == analyze("Maison Blanche") == ["maison", "blanch"]
    positions = [t.position for t in tokenize("les États-Unis")]
    assert positions[1] - positions[0] == 1


@pytest.mark.parametrize("written", ["13’000", "13.000", "13\u00a0000", "13\u202f000", "13'000"])
def test_numbers_with_thousands_separators(written):
    assert analyze(f"plus de {written} morts") == ["plus", "13000", "mort"]


def test_decimal_numbers_and_times_are_not_grouped():
    assert analyze("3.5") == ["3", "5"]
    assert analyze("15h07 GMT") == ["15h07", "gmt"]
    assert analyze("en 2014") == ["2014"]


def test_french_stop_words_only():
    # Snowball's French list: no English words mixed in ("a", "the" of Whoosh's list)
    assert analyze("le la les des du de et à en une un") == []
    assert analyze("the best") == ["the", "best"]
    # "été" (summer) and "avions" (planes) are kept: in news they are nouns
    assert analyze("des avions cet été") == ["avion", "ete"]
    # typed without accents, a stop word is still one...
    assert analyze("etait") == []
    # ...but an accented content word is not taken for its unaccented stop word
    assert analyze("sûr") == ["sur"] and analyze("sur") == []


@pytest.mark.parametrize(("word", "function_word"), [
    ("entrée", "entre"), ("entrées", "entre"), ("moines", "moins"), ("contrée", "contre"),
    ("tante", "tant"), ("durée", "durant"), ("devait", "devant"), ("désir", "dès"),
    ("guérir", "guère"), ("voir", "voire"), ("environnement", "environ"), ("vie", "via"),
])
def test_a_word_stemmed_like_a_function_word_has_a_term_of_its_own(word, function_word):
    # Snowball stems "entrée" as the preposition "entre", "moines" as "moins"
    assert analyze(word) != analyze(function_word)
    assert analyze(word)[0].endswith("~") and analyze(function_word)[0].isalpha()


def test_the_marked_term_keeps_its_word_family_and_its_spellings():
    assert analyze("entrée entrées Entrees") == ["entre~"] * 3
    assert analyze("durée dure durer") == ["dur~"] * 3
    # typed without accents, a function word is still one
    assert analyze("apres tres") == analyze("après très") == ["apres", "tres"]


def test_quotes_and_typographic_marks_do_not_stick_to_words():
    assert analyze("«fortes sanctions»") == analyze('"fortes sanctions"') == ["fort", "sanction"]
    assert analyze("“Situation Room”") == ["situat", "room"]


def test_nfc_normalisation():
    decomposed = "Gene\u0300ve"  # e + combining grave accent
    assert analyze(decomposed) == analyze("Genève")


def test_words_without_latin_letters_are_dropped_or_transliterated():
    assert analyze("😀 !!!") == []
    assert analyze("Путин") == ["putin"]


def test_analysis_of_every_seed_passage_keeps_spans_on_the_words(seed_passages):
    for text in seed_passages.values():
        for token in tokenize(text):
            word = text[token.start:token.end]
            assert word and word[0].isalnum(), (word, text)
            assert not re.match(r"(?i)(l|d|j|m|n|s|t|c|qu|jusqu)['’]", word), word


def test_indexing_sees_the_terms_and_positions_tokenize_gives(seed_passages):
    hard = ["13’000 morts, 13.000 blessés et 10 000 réfugiés; 3.14 et 12:30",
            "L’OTAN, l'Ukraine et la Maison-Blanche: aujourd’hui, jusqu’à Genève…",
            "Путин 😀 cœur œuvre États-Unis", "",
            "Le gouver\u00adnement d\u2019\u200bUkraine, aujourd\u2019\u2060hui \u202eà\u202c"
            " Kyïv\u200f; 13\u00a0000\u200b morts"]
    for text in [*seed_passages.values(), *hard]:
        tokens = list(tokenize(text))
        terms, positions = indexed_terms(text)
        assert terms == [token.term for token in tokens]
        expected: dict[str, list[int]] = {}
        for token in tokens:
            expected.setdefault(token.term, []).append(token.position)
        assert positions == expected
        # the writers' word codes: a code a word, its position its index
        coded = [(WORD_CODES.terms[code] if code >= 0 else WORD_CODES.terms[
            WORD_CODES.forms[-code][0]], position)
            for position, code in enumerate(word_codes(text)) if code]
        assert coded == [(token.term, token.position) for token in tokens]
        assert {WORD_CODES.forms[-code][1] for code in word_codes(text) if code < 0} \
            == accent_forms(text)


def test_fold_drops_invisible_characters():
    assert fold("gouver\u200bnement \u202eCrimée\u202c") == "gouvernement crimee"


def test_a_number_written_with_plain_spaces_is_found_however_it_is_typed(tmp_path):
    """Indexing leaves ``13 000`` with a plain space as two numbers (prose may
    hold two side by side); a query's number of thousands looks for both forms."""
    import json

    import frsearch

    corpus = tmp_path / "chiffres.jsonl"
    corpus.write_text(json.dumps({"id": "bilan", "title": "Bilan", "paragraphs": [
        "Le conflit a fait 13 000 morts selon l’ONU.",
        "On compte aussi 13\u202f000 blessés, et 2 500 000 euros d’aide.",
        "En 2021, 500 soldats et 13 casques bleus."]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    with frsearch.open_index(tmp_path / "ix", create=True) as index:
        index.add([corpus])
        for typed in ("13 000", "13000", "13.000", "13’000", "13\u00a0000", "13\u202f000"):
            found = index.search(typed, collapse=False).hits
            assert {hit.passage_id for hit in found} == {"bilan:1", "bilan:2"}, repr(typed)
        for typed in ("2 500 000", "2500000", '"2 500 000 euros"'):
            hit, = index.search(typed).hits
            assert hit.passage_id == "bilan:2"
            assert [hit.text[a:b] for a, b in hit.matches][:3] == ["2", "500", "000"]
        phrase, = index.search('"13 000 morts"').hits
        assert phrase.passage_id == "bilan:1"
        assert not index.search("2013").hits  # a year typed as it is stays a year
