"""Typo tolerance: a query word the index does not know, matched to words it does.

The index holds stemmed, folded terms (``invasion`` → ``invas``), so fuzzy
matching on terms alone misses typos that break the stem (``invasoin``), and
Whoosh's own fuzzy terms look for unstemmed words a stemmed field cannot hold.
Here the typed word is compared with spellings that analyse to a term the index
has:

* up to one edit (words of 5 to 8 letters, and longer ones too): every spelling
  one deletion, transposition, substitution or insertion away is analysed and
  kept if its term is in the index;
* two edits (words of 9 letters or more): the index terms sharing the word's
  first two letters are compared with the typed word and with its own term.

Accents never count as edits: words are folded before they are compared.
The allowance grows with the word: none below 5 letters, one up to 8, two beyond.

A term found so must also be spelled, somewhere in the passages, within the same
allowance of the typed word (``spellings``): a spelling one edit away can share
its stem with words much further off, and real words the passages lack would be
"corrected" to them (``suivi`` → ``suiti`` → ``suit``, the term of ``suite``;
``appeler`` → ``rappeler`` → the term of ``rappelle``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from frsearch.analysis import fold, term_for_word

__all__ = ["Correction", "allowed_edits", "closest_spelling", "correct", "edit_distance",
           "in_case_of"]

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
MIN_LENGTH = 5
MAX_LENGTH = 30
"""Longer "words" are not words (a pasted hash, a key held down): not corrected."""
TWO_EDITS_FROM = 9


class Correction(NamedTuple):
    """The terms a misspelled word stands for, and a spelling to suggest."""

    terms: frozenset[str]
    spelling: str
    distance: int


def allowed_edits(folded: str) -> int:
    if len(folded) < MIN_LENGTH:
        return 0
    return 1 if len(folded) < TWO_EDITS_FROM else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (adjacent transpositions count one), or
    ``limit + 1`` as soon as it is certain to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _one_edit(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + c + right[1:] for left, right in splits if right for c in ALPHABET}
    inserts = {left + c + right for left, right in splits for c in ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


def correct(
    written: str,
    has_term: Callable[[str], bool],
    frequency: Callable[[str], int],
    terms_with_prefix: Callable[[str], Iterable[str]],
    spellings: Callable[[str], Iterable[str]] | None = None,
) -> Correction | None:
    """The closest known spelling of ``written``, or None.

    ``has_term`` says if the index holds a term, ``frequency`` in how many
    passages, ``terms_with_prefix`` lists the index's terms starting so, and
    ``spellings`` (if given) words of the passages that have a term, as written;
    a term none of whose spellings is near ``written`` is not a correction.
    Among the closest candidates, the most frequent term wins.
    """
    folded = fold(written)
    if not folded.isalpha() or len(folded) > MAX_LENGTH:
        return None
    limit = allowed_edits(folded)
    if limit == 0:
        return None
    found: dict[str, tuple[int, str]] = {}  # term → (distance, spelling)
    for spelling in sorted(_one_edit(folded)):  # the same spelling in every process
        term = term_for_word(spelling)
        if term and term not in found and has_term(term):
            found[term] = (1, spelling)
    if limit >= 2 and not found:
        own = term_for_word(folded)
        for term in terms_with_prefix(folded[:2]):
            distance = min(edit_distance(folded, term, limit), edit_distance(own, term, limit))
            if distance <= limit and term not in found:
                found[term] = (distance, term)
    if spellings is not None:
        found = {term: found[term] for term in found
                 if any(_near(folded, fold(spelling), limit) for spelling in spellings(term))}
    if not found:
        return None
    best = min(distance for distance, _ in found.values())
    closest = [term for term, (distance, _) in found.items() if distance == best]
    closest.sort(key=lambda term: (-frequency(term), term))
    chosen = closest[0]
    return Correction(frozenset({chosen}), found[chosen][1], best)


def _near(typed: str, spelled: str, limit: int) -> bool:
    """True if ``spelled`` (folded), or its start as long as ``typed``, is within
    ``limit`` edits of ``typed``: ``sanctoin`` is near ``sanctions``."""
    return (edit_distance(typed, spelled, limit) <= limit
            or edit_distance(typed, spelled[:len(typed)], limit) <= limit)


def closest_spelling(written: str, spellings: Iterable[str]) -> str | None:
    """Of ``spellings`` (a corrected word as passages spell it), the one nearest
    to ``written``, accents and case aside, in the case ``written`` has: the
    suggestion for ``imprimmante`` is ``imprimante``, not ``Imprimer``, which
    has the same term. The first of the nearest wins; None if there is none.

    >>> closest_spelling("imprimmante", ["Imprimer", "imprimables", "Imprimante"])
    'imprimante'
    """
    typed = fold(written)
    best: tuple[int, str] | None = None
    for spelling in spellings:
        folded = fold(spelling)
        distance = edit_distance(typed, folded, len(typed) + len(folded))
        if best is None or distance < best[0]:
            best = (distance, spelling)
    return None if best is None else in_case_of(written, best[1])


def in_case_of(written: str, word: str) -> str:
    """``word`` in the case of ``written``: lowercase, capitalised, or all
    uppercase; as it is if ``written`` mixes them (``iPhone``).

    >>> in_case_of("kremlim", "Kremlin"), in_case_of("PEKOV", "Peskov")
    ('kremlin', 'PESKOV')
    """
    letters = [char for char in written if char.isalpha()]
    if all(char.islower() for char in letters):
        return word.lower()
    if len(letters) > 1 and all(char.isupper() for char in letters):
        return word.upper()
    if letters[0].isupper() and all(char.islower() for char in letters[1:]):
        return word[:1].upper() + word[1:].lower()
    return word
