"""Search on a real index of the five seed articles: which passages each query
finds, in what order, and exactly which words are highlighted."""

from __future__ import annotations

import re

import pytest
from seed_ids import A000, A001, A002, A003, A004


def ids(*pairs: tuple[str, int]) -> set[str]:
    return {f"{article}:{number}" for article, number in pairs}


SANCTIONS = ids((A000, 0), (A001, 6), (A002, 3), (A004, 0))
ETATS_UNIS = ids((A000, 3), (A000, 4), (A000, 8), (A001, 6), (A002, 3), (A004, 0), (A004, 2),
                 (A004, 5))
OTAN = ids((A000, 13), (A003, 8), (A003, 9), (A004, 1), (A004, 4))
MAISON_BLANCHE = ids((A000, 3), (A000, 7), (A001, 2), (A001, 6), (A001, 7), (A002, 3), (A003, 3),
                     (A003, 5), (A004, 0), (A004, 4))
GENEVE = ids((A000, 12), (A001, 2), (A002, 1), (A002, 6), (A003, 7))
CRIMEE = ids((A000, 13), (A001, 3), (A001, 7), (A003, 8))
UKRAINE = ids((A000, 0), (A000, 2), (A000, 3), (A000, 13), (A001, 1), (A001, 3), (A001, 5),
              (A001, 6), (A001, 7), (A002, 1), (A002, 3), (A002, 5), (A002, 6), (A003, 0),
              (A003, 8), (A004, 0), (A004, 4))
MORTS_13000 = ids((A000, 13), (A001, 3), (A003, 8))

# query → (passages it must find, exactly; what the highlighted words look like)
EXPECTED = {
    "sanctions": (SANCTIONS, r"(?i)\bsanctions?\b"),
    "Etats-Unis": (ETATS_UNIS, r"(?i)\b(?:[ÉE]tats(?=[- ]Unis)|(?<=[ÉE]tats[- ])Unis)\b"),
    "états-unis": (ETATS_UNIS, r"(?i)\b(?:[ÉE]tats(?=[- ]Unis)|(?<=[ÉE]tats[- ])Unis)\b"),
    # two words side by side: both first, then "hommes d'Etat" holding one of them
    "états unis": (ETATS_UNIS | ids((A004, 1)), r"(?i)\b(?:[ÉE]tats?|Unis)\b"),
    "otan": (OTAN, r"(?i)\botan\b"),
    "OTAN": (OTAN, r"(?i)\botan\b"),
    "Maison Blanche": (MAISON_BLANCHE, r"\b(?:Maison|Blanche)\b"),
    "Maison-Blanche": (MAISON_BLANCHE, r"\b(?:Maison|Blanche)\b"),
    "geneve": (GENEVE, r"Genève"),
    "Genève": (GENEVE, r"Genève"),
    "coeur": (ids((A002, 2)), r"cœur"),
    "crimee": (CRIMEE, r"Crimée"),
    "Crimée": (CRIMEE, r"Crimée"),
    "l'Ukraine": (UKRAINE, r"\bUkraine\b"),
    "l’Ukraine": (UKRAINE, r"\bUkraine\b"),
    "13000": (MORTS_13000, r"13.000"),
    "13.000": (MORTS_13000, r"13.000"),
    "13’000": (MORTS_13000, r"13.000"),
    "13 000": (MORTS_13000, r"13.000"),
    '"lignes rouges"': (ids((A003, 0), (A003, 10)), r"lignes rouges|(?<=lignes )rouges"),
}


@pytest.mark.parametrize("query", list(EXPECTED))
def test_query_finds_exactly_these_passages(seed_index, query):
    expected, _ = EXPECTED[query]
    result = seed_index.search(query, limit=100, collapse=False)
    assert {hit.passage_id for hit in result.hits} == expected
    assert result.total == len(expected)


@pytest.mark.parametrize("query", list(EXPECTED))
def test_matches_are_every_form_of_the_word_and_nothing_else(seed_index, query):
    expected, pattern = EXPECTED[query]
    word = re.compile(pattern)
    for hit in seed_index.search(query, limit=100, collapse=False).hits:
        marked = {(start, end) for start, end in hit.matches}
        wanted = set()
        for found in word.finditer(hit.text):
            # one span per word: "lignes rouges" is two words
            for part in re.finditer(r"\S+", found.group()):
                wanted.add((found.start() + part.start(), found.start() + part.end()))
        assert marked == wanted, (query, hit.passage_id, [hit.text[s:e] for s, e in marked])


def test_phrase_does_not_mark_a_lone_word(seed_index):
    # passage 003:0 says "lignes rouges"; the phrase "rouges stratégiques" is not the query
    hit = next(h for h in seed_index.search('"lignes rouges"').hits if h.passage_id.endswith(":0"))
    assert [hit.text[s:e] for s, e in hit.matches] == ["lignes", "rouges"]


def test_sanctions_headline_of_article_000_is_found_though_its_body_never_says_it(seed_index):
    hits = seed_index.search("sanctions").hits
    headline = next(hit for hit in hits if hit.article_id == A000)
    assert headline.paragraph == 0
    assert "«fortes <mark>sanctions</mark>»" in headline.snippet


def test_hit_carries_what_a_reader_needs(seed_index, seed_passages):
    hit = seed_index.search("Situation Room salle ultra-sécurisée").hits[0]
    assert hit.passage_id == f"{A000}:7"
    assert hit.article_id == A000
    assert hit.title.startswith("Sommet virtuel : Biden menace Poutine")
    assert hit.date == "2021-12"
    assert hit.paragraph == 7
    assert hit.heading == "Depuis la «Situation Room»"
    assert hit.text == seed_passages[hit.passage_id]
    assert hit.score > 0
    assert "<mark>Situation</mark> <mark>Room</mark>" in hit.snippet


def test_passages_holding_every_word_rank_first(seed_index):
    hits = seed_index.search("Peskov lignes rouges").hits
    assert hits[0].passage_id == f"{A003}:10"  # the only passage with all three words
    # then the one naming Peskov under the headline that holds "lignes rouges",
    # then that headline: its words count once, not also as its own context
    assert [hit.passage_id for hit in hits[1:3]] == [f"{A003}:2", f"{A003}:0"]
    # passages with only one of the words still follow
    assert f"{A002}:2" in {hit.passage_id for hit in hits[3:]}


def test_one_unknown_word_never_empties_the_results(seed_index):
    result = seed_index.search("sanctions xyzzyq")
    assert {hit.passage_id for hit in result.hits} == SANCTIONS


@pytest.mark.parametrize("query", ["Russie -Russie", '"la Russie en"', '"à la Ukraine"'])
def test_words_every_passage_is_kept_from_give_no_hit(seed_index, query):
    # passages hold the words, but the exclusion or the phrase word for word
    # leaves none: no hit, and the stages after matching have nothing to rank
    result = seed_index.search(query)
    assert (result.total, result.hits) == (0, [])


def test_context_ranks_below_words_held_by_the_passage(seed_index):
    # Article 000's headline speaks of sanctions; its paragraph 13 speaks of Crimée.
    # For "sanctions Crimée", 000:13 gets context help, but passages holding both
    # words themselves would come first; here none does, so the context decides
    # among passages holding one word: 000:13 ranks above other Crimée passages.
    hits = seed_index.search("sanctions Crimée").hits
    crimee = [hit.passage_id for hit in hits if hit.passage_id in CRIMEE]
    assert crimee[0] == f"{A000}:13"


def test_context_alone_never_makes_a_hit(seed_index):
    # every passage of 000 has "sanctions" in its headline; only the headline itself is a hit
    found = {hit.passage_id for hit in seed_index.search("sanctions").hits}
    assert {p for p in found if p.startswith(A000)} == {f"{A000}:0"}


def test_boolean_operators_and_exclusion(seed_index):
    both = {h.passage_id for h in seed_index.search("sanctions AND Russie", limit=50).hits}
    assert both == ids((A001, 6), (A002, 3), (A004, 0))
    either = {h.passage_id for h in seed_index.search("Kremlin OR Peskov", limit=50).hits}
    assert ids((A003, 2), (A003, 9), (A004, 1)) <= either
    without = {h.passage_id for h in seed_index.search("sanctions -Russie", limit=50).hits}
    assert without == SANCTIONS - both
    assert {h.passage_id for h in seed_index.search("sanctions NOT Russie").hits} == without


def test_prefix_title_and_date_filters(seed_index):
    prefix = seed_index.search("sanct*", limit=50)
    assert {h.passage_id for h in prefix.hits} == SANCTIONS
    titled = seed_index.search("Crimée title:sanctions", limit=50)
    assert {h.passage_id for h in titled.hits} == ids((A000, 13))
    dated = seed_index.search("sanctions date:2021-12", limit=50)
    assert {h.passage_id for h in dated.hits} == SANCTIONS - ids((A002, 3))  # 002 has no date
    assert seed_index.search("sanctions date:2020").total == 0


@pytest.mark.parametrize(("query", "words"), [
    ('"lignes rouges', "lignes rouges"), ("« lignes rouges", "lignes rouges"),
    ("(sanctions", "sanctions"), ("sanctions)", "sanctions"), ("sanctions AND", "sanctions"),
    ("OR Poutine", "Poutine"), ("(Kremlin OR", "Kremlin"), ("sanctions -", "sanctions"),
    ("title: sanctions", "title sanctions"),
    # other engines' syntax: fuzzy and boost marks left out, | and / between words
    ("sanctions~2", "sanctions"), ("sanctions~", "sanctions"), ("sanctions^2", "sanctions"),
    ('"lignes rouges"~3', '"lignes rouges"'), ("sanctions^1.5 Kremlin", "sanctions Kremlin"),
    ("sanctions|Russie", "sanctions Russie"), ("sanctions/Russie", "sanctions Russie"),
])
def test_text_that_does_not_parse_is_searched_as_words(seed_index, query, words):
    result = seed_index.search(query, limit=100)
    expected = seed_index.search(words, limit=100)
    assert expected.total > 0
    assert [(h.passage_id, h.score) for h in result.hits] == [
        (h.passage_id, h.score) for h in expected.hits]
    if words == "sanctions":
        assert {h.passage_id for h in result.hits} == SANCTIONS


@pytest.mark.parametrize("query", ["AND", "OR OR", "NOT", "*", "title:", "", "   ",
                                   "^2 ~ [a TO"])
def test_syntax_alone_finds_nothing(seed_index, query):
    # operators with nothing to apply to search nothing; "title:", "^2", "[a" and
    # "TO" are searched as words, which no seed holds
    result = seed_index.search(query)
    assert result.total == 0 and result.hits == []


def test_snippet_is_escaped_html_around_the_matches(seed_index):
    hit = seed_index.search('"lignes rouges"').hits[0]
    assert hit.snippet.count("<mark>") == 2
    assert "&quot;" in hit.snippet and '"' not in hit.snippet.replace("<mark>", "").replace(
        "</mark>", "")


def test_long_passage_snippet_is_cut_around_the_match(seed_index):
    hit = next(h for h in seed_index.search("Zelensky").hits)
    assert len(hit.text) > 400
    assert hit.snippet.startswith("…") or "<mark>Zelensky</mark>" in hit.snippet[:300]
    assert "<mark>Zelensky</mark>" in hit.snippet
    assert len(hit.snippet) < len(hit.text)


def test_every_accented_seed_word_typed_without_accents_finds_the_same(seed_index, seed_passages):
    from unidecode import unidecode

    from frsearch.analysis import is_stop_word, tokenize

    words = {text[t.start:t.end].lower() for text in seed_passages.values()
             for t in tokenize(text) if not text[t.start:t.end].isascii()}
    assert len(words) > 100
    for word in sorted(words):
        plain = unidecode(word)
        if is_stop_word(plain):  # "dès" → "des", "où" → "ou": function words
            continue
        accented = {h.passage_id for h in seed_index.search(word, limit=100, collapse=False).hits}
        typed = {h.passage_id for h in seed_index.search(plain, limit=100, collapse=False).hits}
        assert accented and accented <= typed, (word, plain)


def test_phrase_with_an_unaccented_word_inside_a_boolean_query(seed_index):
    # "communique" stands for two terms (communiqué, communique): a phrase of
    # alternatives, which Whoosh 2.7.4 cannot size inside AND without help
    result = seed_index.search('"communique de la Maison Blanche" AND Biden')
    assert {h.passage_id for h in result.hits} == {f"{A000}:3", f"{A004}:0"}
