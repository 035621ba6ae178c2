"""The trees ``parse_query`` makes: what each piece of the syntax means, and
what becomes of text that does not parse (words, never an error)."""

from __future__ import annotations

import pytest

from frsearch.query import (
    MAX_DEPTH,
    MAX_WORDS,
    And,
    FieldFilter,
    Not,
    Or,
    Phrase,
    Prefix,
    Soft,
    Word,
    join_digit_groups,
    parse_query,
)


def words(*texts: str) -> tuple[Word, ...]:
    return tuple(Word(text) for text in texts)


def test_one_word_is_a_word_and_several_are_soft():
    assert parse_query("sanctions") == Word("sanctions")
    assert parse_query("sanctions Russie Ukraine") == Soft(words("sanctions", "Russie", "Ukraine"))
    # lowercase "and" is a French-looking word, not the operator
    assert parse_query("Biden and Poutine") == Soft(words("Biden", "and", "Poutine"))


def test_hyphens_and_apostrophes_stay_inside_a_word():
    assert parse_query("États-Unis") == Word("États-Unis")
    assert parse_query("l’Ukraine d'une") == Soft(words("l’Ukraine", "d'une"))
    assert parse_query("vis-à-vis -Russie") == Soft((Word("vis-à-vis"), Not(Word("Russie"))))


@pytest.mark.parametrize("typed", ['"lignes rouges"', "«lignes rouges»", "“lignes rouges”",
                                   "„lignes rouges“"])
def test_every_quote_style_makes_a_phrase(typed):
    assert parse_query(typed) == Phrase("lignes rouges")
    assert parse_query(f"Peskov {typed}") == Soft((Word("Peskov"), Phrase("lignes rouges")))


def test_french_spacing_inside_guillemets_is_kept_in_the_phrase():
    # the spaces are analysed away; the phrase is what was typed between the marks
    assert parse_query("« lignes rouges »") == Phrase(" lignes rouges ")


def test_a_phrase_of_punctuation_only_is_nothing():
    assert parse_query('""') is None
    assert parse_query("«…»") is None
    assert parse_query('sanctions "?!"') == Word("sanctions")


def test_boolean_operators():
    assert parse_query("sanctions AND Russie") == And(words("sanctions", "Russie"))
    assert parse_query("Kremlin OR Peskov") == Or(words("Kremlin", "Peskov"))
    assert parse_query("NOT Russie") == Not(Word("Russie"))
    assert parse_query("-Russie") == Not(Word("Russie"))
    assert parse_query('-"lignes rouges"') == Not(Phrase("lignes rouges"))
    assert parse_query("NOT NOT Russie") == Word("Russie")  # two negations cancel
    assert parse_query("NOT -Russie") == Word("Russie")


def test_and_binds_tighter_than_or_and_or_tighter_than_side_by_side():
    assert parse_query("Biden OR Poutine AND sanctions") == Or(
        (Word("Biden"), And(words("Poutine", "sanctions"))))
    assert parse_query("Kremlin OR Peskov sanctions") == Soft(
        (Or(words("Kremlin", "Peskov")), Word("sanctions")))
    assert parse_query("sanctions Kremlin OR Peskov") == Soft(
        (Word("sanctions"), Or(words("Kremlin", "Peskov"))))
    assert parse_query("sanctions -Russie -Ukraine") == Soft(
        (Word("sanctions"), Not(Word("Russie")), Not(Word("Ukraine"))))


def test_parentheses_group_and_nest():
    assert parse_query("(sanctions OR menaces) AND Biden") == And(
        (Or(words("sanctions", "menaces")), Word("Biden")))
    assert parse_query("NOT (Kremlin OR Peskov)") == Not(Or(words("Kremlin", "Peskov")))
    assert parse_query("-(Poutine Biden)") == Not(Soft(words("Poutine", "Biden")))
    assert parse_query("Poutine OR (Biden AND (sanctions OR menaces))") == Or(
        (Word("Poutine"), And((Word("Biden"), Or(words("sanctions", "menaces"))))))
    assert parse_query("((Genève))") == Word("Genève")


def test_prefix_needs_two_letters():
    assert parse_query("sanct*") == Prefix("sanct")
    assert parse_query("sa*") == Prefix("sa")
    assert parse_query("sanct***") == Prefix("sanct")
    assert parse_query("s*") == Word("s*")  # a word (a stop word once analysed), not all of s
    assert parse_query("*") is None
    assert parse_query("Ukr* -Russ*") == Soft((Prefix("Ukr"), Not(Prefix("Russ"))))


def test_title_and_date_filters():
    assert parse_query("title:sanctions") == FieldFilter("title", "sanctions")
    assert parse_query("titre:Poutine") == FieldFilter("title", "Poutine")
    assert parse_query("TITRE:Poutine") == FieldFilter("title", "Poutine")
    quoted = parse_query('titre:"lignes rouges"')
    assert (quoted.field, quoted.value) == ("title", "lignes rouges")
    quoted = parse_query("title:«fortes sanctions»")
    assert (quoted.field, quoted.value) == ("title", "fortes sanctions")
    assert parse_query("date:2021-12") == FieldFilter("date", "2021-12")
    assert parse_query("Crimée title:sanctions -date:2020") == Soft(
        (Word("Crimée"), FieldFilter("title", "sanctions"), Not(FieldFilter("date", "2020"))))


def test_a_colon_that_is_no_filter_stays_in_the_words():
    assert parse_query("http://www.lemonde.fr") == Soft(words("http", "//www.lemonde.fr"))
    assert parse_query("Note: Genève") == Soft(words("Note:", "Genève"))
    assert parse_query("title: Genève") == Soft(words("title:", "Genève"))  # nothing after ":"
    assert parse_query("title:(Genève)") == Word("Genève")  # a filter takes a word or a phrase


@pytest.mark.parametrize(("typed", "tree"), [
    ('"lignes rouges', Soft(words("lignes", "rouges"))),
    ("« lignes rouges", Soft(words("lignes", "rouges"))),
    ("Peskov »lignes rouges", Soft(words("Peskov", "lignes", "rouges"))),
    ("(sanctions", Word("sanctions")),
    ("sanctions)", Word("sanctions")),
    ("sanctions))((Russie", Soft(words("sanctions", "Russie"))),
    ("sanctions AND", Word("sanctions")),
    ("OR Poutine", Word("Poutine")),
    ("Biden AND OR Poutine", Soft(words("Biden", "Poutine"))),
    ("sanctions -", Word("sanctions")),
    ("sanctions NOT", Word("sanctions")),
    ("AND", None), ("OR OR", None), ("NOT", None), ("- -", None), ("()", None),
    ("", None), (" \t\u00a0 ", None),
])
def test_what_does_not_parse_is_read_as_words(typed, tree):
    assert parse_query(typed) == tree


def test_a_clause_typed_twice_in_a_group_counts_once():
    assert parse_query("sanctions sanctions") == Word("sanctions")
    assert parse_query("Kremlin OR Kremlin") == Word("Kremlin")
    assert parse_query("sanct* Biden sanct*") == Soft((Prefix("sanct"), Word("Biden")))
    # in different groups it is kept: each group is its own clause
    assert parse_query("Biden (Biden OR Poutine)") == Soft(
        (Word("Biden"), Or(words("Biden", "Poutine"))))


def _depth(node) -> int:
    children = getattr(node, "children", None)
    return 1 + max(map(_depth, children)) if children else 0


def _leaves(node) -> list[str]:
    children = getattr(node, "children", None)
    return [leaf for child in children for leaf in _leaves(child)] if children else [node.text]


@pytest.mark.parametrize("opened", [1, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 40])
def test_parentheses_deeper_than_the_cap_are_dropped_and_their_words_kept(opened):
    # "(mot0 (mot1 (mot2 … fin": each parenthesis opens a group inside the last
    tree = parse_query("".join(f"(mot{i} " for i in range(opened)) + "fin")
    assert _depth(tree) == min(opened, MAX_DEPTH)
    assert _leaves(tree) == [f"mot{i}" for i in range(opened)] + ["fin"]


def test_nesting_far_beyond_any_stack_parses():
    assert parse_query("(" * 50_000 + "sanctions" + ")" * 50_000) == Word("sanctions")
    tree, negations = parse_query("-(" * 50_000 + "Russie"), 0
    while isinstance(tree, Not):
        tree, negations = tree.child, negations + 1
    assert tree == Word("Russie") and negations == MAX_DEPTH


def test_words_beyond_the_cap_are_ignored():
    tree = parse_query(" ".join(f'mot{i} "phrase {i}"' for i in range(MAX_WORDS)))
    assert len(tree.children) == MAX_WORDS
    assert tree.children[-1] == Phrase(f"phrase {MAX_WORDS // 2 - 1}")


def test_digit_groups_typed_with_a_space_are_one_number():
    assert join_digit_groups("13 000 morts") == "13\u202f000 morts"
    assert join_digit_groups("1 300 000 réfugiés") == "1\u202f300\u202f000 réfugiés"
    assert parse_query(join_digit_groups("13 000 morts")) == Soft(words("13\u202f000", "morts"))
    # a year then a number, or a decimal, are not groups of one number
    assert join_digit_groups("en 2014 000") == "en 2014 000"
    assert join_digit_groups("3,5 000") == "3,5 000"


def test_nodes_of_different_kinds_are_different_even_with_the_same_text():
    from frsearch.query import Phrase, Prefix, Word

    assert Word("paix") == Word("paix") and Word("paix") != Prefix("paix")
    assert len({Word("paix"), Prefix("paix"), Phrase("paix"), Word("paix")}) == 3
